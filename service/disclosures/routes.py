"""HTTP for published disclosures: publish (county admin), read and verify (anyone)."""

import json

from flask import current_app
from flask.views import MethodView

from service.api import Blueprint, as_format, formats
from service.auth import current_caller, public, require
from service.clock import county_today, county_zone, utcnow
from service.db import get_session
from service.disclosures import schemas as s
from service.disclosures import services
from service.reports import render
from service.reports.disclosure import Month

blp = Blueprint("disclosures", __name__, url_prefix="/api/v1",
                description="Published disclosures: frozen, hashed and chained")


@blp.route("/disclosures")
class Disclosures(MethodView):
    @public
    @blp.arguments(s.DisclosureQuery, location="query")
    @blp.response(200, s.DisclosurePage)
    def get(self, args):
        """Publications, newest first (anyone may read them)."""
        return services.list_disclosures(get_session(), args)

    @require("county_admin")
    @blp.arguments(s.PublishIn)
    @blp.response(201, s.DisclosurePublished)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Publish a village's month: freeze it, hash it and add it to the county's chain."""
        month = Month(data["month"], county_zone(), county_today())
        row = services.publish(get_session(), current_caller(), data["village_id"], month,
                               data.get("correction_reason"), current_app.config["COUNTY_NAME"],
                               current_app.config["SUPERVISION_PHONE"], utcnow())
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
        row = services.get_disclosure(get_session(), disclosure_id)
        if args["format"] == "json":
            return services.present(row)
        content = json.loads(row.document)["content"]
        return as_format(content, args["format"], render.disclosure_csv,
                         render.disclosure_html, f"disclosure-{row.village_id}-{row.month}"
                         f"-r{row.revision}")


@blp.route("/disclosures/<id:disclosure_id>/verify")
class VerifyDisclosure(MethodView):
    @public
    @blp.response(200, s.VerifyOut)
    def get(self, disclosure_id):
        """Recompute the chain up to this publication and say where, if anywhere, it breaks."""
        return services.verify(get_session(), disclosure_id)
