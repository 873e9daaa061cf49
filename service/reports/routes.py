"""HTTP for reports: the public monthly disclosure and the situation bulletin."""

from flask.views import MethodView

from service.api import Blueprint, as_format, formats
from service.auth import public, require
from service.inspections.services import bulletin_rates
from service.reports import render
from service.reports import schemas as s
from service.reports.bulletin import build_bulletin
from service.reports.disclosure import build_disclosure, month_of
from service.reports.overview import build_overview
from service.web import context

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", template_folder="templates",
                description="每月公示, 情况通报 and the overview: the monthly disclosure, the "
                            "bulletin and the county's figures")


@blp.route("/disclosure")
class Disclosure(MethodView):
    @public
    @blp.arguments(s.DisclosureQuery, location="query")
    @blp.response(200, s.DisclosureOut)
    @blp.doc(responses=formats(s.DisclosureOut, "csv", "html"))
    def get(self, args):
        """A village's monthly public disclosure (每月公示): JSON, CSV or a printable page."""
        ctx = context()
        body = build_disclosure(ctx, args["village_id"], month_of(ctx, args["month"]))
        return as_format(body, args["format"], render.disclosure_csv, render.disclosure_html,
                         f"disclosure-{args['village_id']}-{args['month']}")


@blp.route("/bulletin")
class Bulletin(MethodView):
    @require("county_admin", "unit_admin", "inspector")
    @blp.arguments(s.BulletinQuery, location="query")
    @blp.response(200, s.BulletinOut)
    @blp.doc(responses=formats(s.BulletinOut, "csv"))
    def get(self, args):
        """The month's situation bulletin (情况通报): every unit's contact work, ranked."""
        ctx = context()
        body = build_bulletin(ctx, month_of(ctx, args["month"]),
                              lambda month: bulletin_rates(ctx, month))
        return as_format(body, args["format"], render.bulletin_csv, None,
                         f"bulletin-{args['month']}")


@blp.route("/overview")
class Overview(MethodView):
    @require("county_admin", "unit_admin", "inspector")
    @blp.arguments(s.OverviewQuery, location="query")
    @blp.response(200, s.OverviewOut)
    def get(self, args):
        """The county's contact work in figures for a month: totals, units and townships (a
        unit admin: its unit)."""
        ctx = context()
        filters = {k: args.get(k) for k in ("unit_id", "township_id")}
        return build_overview(ctx, month_of(ctx, args["month"]), filters)
