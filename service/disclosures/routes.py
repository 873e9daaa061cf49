"""HTTP for published disclosures: publish (county admin), read and verify (anyone)."""

from functools import partial

from flask import current_app
from flask.views import MethodView

from service.api import MONTH, Blueprint, as_format, formats, page
from service.auth import public, require
from service.db import for_writing
from service.disclosures import months, services
from service.disclosures import schemas as s
from service.errors import problem_body
from service.exceptions import ValidationFailed
from service.reports import render
from service.reports.disclosure import month_of
from service.web import context, heavy_request

blp = Blueprint("disclosures", __name__, url_prefix="/api/v1",
                description="Published disclosures: frozen, hashed and chained")


@blp.route("/disclosures")
class Disclosures(MethodView):
    @public
    @blp.arguments(s.DisclosureQuery, location="query")
    @blp.response(200, s.DisclosurePage)
    def get(self, args):
        """Publications, newest first (anyone may read them)."""
        ctx = context()
        return page(ctx, services.list_disclosures(ctx, args), args)

    @require("county_admin")
    @blp.arguments(s.PublishIn)
    @blp.response(201, s.DisclosurePublished)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Publish a village's month: freeze it, hash it and add it to the county's chain."""
        ctx = context()
        row = services.publish(ctx, data["village_id"], month_of(ctx, data["month"]),
                               data.get("correction_reason"))
        return services.present(row), 201, {"Location": f"/api/v1/disclosures/{row.id}"}


@blp.route("/disclosures/<id:disclosure_id>")
class DisclosureById(MethodView):
    @public
    @blp.arguments(s.DisclosureFormat, location="query")
    @blp.response(200, s.DisclosurePublished)
    @blp.doc(responses=formats(s.DisclosurePublished, "csv", "html"))
    def get(self, args, disclosure_id):
        """A publication exactly as frozen: JSON with its hash, or the content as CSV or a
        printable page."""
        ctx = context()
        row = services.get_disclosure(ctx, disclosure_id)
        if args["format"] == "json":
            return services.present(row)
        # The printed verify address is the configured public one, never the request's Host.
        content, printed = services.printable(ctx, row, current_app.config["PUBLIC_BASE_URL"])
        return as_format(content, args["format"], render.disclosure_csv,
                         partial(render.disclosure_html, publication=printed),
                         f"disclosure-{row.village_id}-{row.month}-r{row.revision}")


@blp.route("/disclosures/<id:disclosure_id>/verify")
class VerifyDisclosure(MethodView):
    @public
    @blp.response(200, s.VerifyOut)
    def get(self, disclosure_id):
        """Recompute the chain up to this publication and say where, if anywhere, it breaks."""
        return services.verify(context(), disclosure_id)


def _month(ctx, text: str):
    """The path's month, checked as the query's are (422 naming `month`)."""
    if MONTH.regex.fullmatch(text) is None:
        raise ValidationFailed({"month": [MONTH.error]})
    return month_of(ctx, text)


def _committing(session):
    """Commit what is done so far, and go on writing (service/disclosures/months.py)."""

    def commit():
        session.commit()
        for_writing(session)

    return commit


def _refused(item: dict) -> dict:
    error = item.pop("error")
    item["problem"] = problem_body(error.status, error.code, error.title, error.detail,
                                   **error.extra)
    return item


@blp.route("/disclosures/months/<month>", parameters=[s.MONTH_PATH])
class DisclosureMonth(MethodView):
    @require("county_admin", "unit_admin", "inspector")
    @blp.arguments(s.MonthQuery, location="query")
    @blp.response(200, s.MonthStatusOut)
    @blp.doc(operationId="getDisclosureMonth")
    def get(self, args, month):
        """Every village of your scope (a unit admin: those its unit held in the month) and
        where it stands for the month: published, unpublished or no_unit."""
        ctx = context()
        return months.month_status(ctx, _month(ctx, month), args)

    @require("county_admin")
    @blp.arguments(s.PublishMonthIn, required=False)
    @blp.response(200, s.PublishMonthOut)
    @blp.doc(operationId="publishDisclosureMonth")
    @heavy_request
    def post(self, data, month):
        """Publish the month for every village of the county (or a township) that a unit
        held and that is not yet published, each committed on its own.

        A second call publishes nothing new: what the first published is listed as
        `already`. Should a call stop early (its time budget: `pending` lists the villages it
        did not reach; or a dropped connection), what it published stays published, and
        calling again continues where it stopped. A village refused is listed under
        `failed` with its problem; the others are published all the same."""
        ctx = context()
        body = months.publish_month(ctx, _month(ctx, month), data.get("township_id"),
                                    _committing(ctx.session))
        body["failed"] = [_refused(item) for item in body["failed"]]
        return body
