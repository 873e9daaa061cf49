"""HTTP for unannounced inspections: record, read, rates, and the next sample."""

from flask.views import MethodView

from service.api import Blueprint
from service.auth import current_caller, require
from service.clock import county_today, county_zone
from service.db import get_session
from service.inspections import schemas as s
from service.inspections import services

blp = Blueprint("inspections", __name__, url_prefix="/api/v1",
                description="不打招呼督查: unannounced inspections of villages and households")

SUPERVISORS = ("county_admin", "inspector")


@blp.route("/inspections")
class Inspections(MethodView):
    @require(*SUPERVISORS)
    @blp.arguments(s.InspectionQuery, location="query")
    @blp.response(200, s.InspectionPage)
    def get(self, args):
        """Inspections, newest first, with their rates."""
        return services.list_inspections(get_session(), args)

    @require(*SUPERVISORS)
    @blp.arguments(s.InspectionIn)
    @blp.response(201, s.InspectionOut)
    def post(self, data):
        """Record an inspection and what each household said."""
        inspection = services.create_inspection(get_session(), current_caller(), data,
                                                county_today(), county_zone())
        return (services.present(inspection), 201,
                {"Location": f"/api/v1/inspections/{inspection.id}"})


@blp.route("/inspections/<id:inspection_id>")
class InspectionById(MethodView):
    @require(*SUPERVISORS)
    @blp.response(200, s.InspectionOut)
    def get(self, inspection_id):
        """One inspection with its household checks."""
        return services.present(services.get_inspection(get_session(), inspection_id))


@blp.route("/inspections/rates")
class InspectionRates(MethodView):
    @require(*SUPERVISORS)
    @blp.arguments(s.RatesQuery, location="query")
    @blp.response(200, s.RatesOut)
    def get(self, args):
        """知晓率 and 满意率 per village or unit, for a month or all time."""
        return {"by": args["by"], "month": args.get("month"),
                "items": services.rates_by(get_session(), args.get("month"), args["by"])}


@blp.route("/inspections/sample")
class InspectionSample(MethodView):
    @require(*SUPERVISORS)
    @blp.arguments(s.SampleQuery, location="query")
    @blp.response(200, s.SampleOut)
    def get(self, args):
        """Draw villages and households for the next unannounced inspection."""
        return services.sample(get_session(), args["size"], args["per_village"],
                               args.get("seed"))
