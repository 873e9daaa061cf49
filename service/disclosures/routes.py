"""HTTP for published disclosures: publish (county admin), read and verify (anyone)."""

from functools import partial

from flask import current_app
from flask.views import MethodView

from service.api import Blueprint, as_format, formats, page
from service.auth import public, require
from service.disclosures import schemas as s
from service.disclosures import services
from service.reports import render
from service.reports.disclosure import month_of
from service.web import context

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
