"""HTTP for unannounced inspections: record, read, rates, and the next sample."""

from flask.views import MethodView

from service.api import Blueprint, page
from service.auth import require
from service.inspections import schemas as s
from service.inspections import services
from service.web import context

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
        ctx = context()
        return page(ctx, services.list_inspections(ctx, args), args)

    @require(*SUPERVISORS)
    @blp.arguments(s.InspectionIn)
    @blp.response(201, s.InspectionOut)
    def post(self, data):
        """Record an inspection and what each household said."""
        inspection = services.create_inspection(context(), data)
        return (services.present(inspection), 201,
                {"Location": f"/api/v1/inspections/{inspection.id}"})


@blp.route("/inspections/<id:inspection_id>")
class InspectionById(MethodView):
    @require(*SUPERVISORS)
    @blp.response(200, s.InspectionOut)
    def get(self, inspection_id):
        """One inspection with its household checks."""
        return services.present(services.get_inspection(context(), inspection_id))


@blp.route("/inspections/rates")
class InspectionRates(MethodView):
    @require(*SUPERVISORS)
    @blp.arguments(s.RatesQuery, location="query")
    @blp.response(200, s.RatesOut)
    def get(self, args):
        """知晓率 and 满意率 per village or unit, for a month or all time."""
        return {"by": args["by"], "month": args.get("month"),
                "items": services.rates_by(context(), args.get("month"), args["by"])}


@blp.route("/inspections/sample")
class InspectionSample(MethodView):
    @require(*SUPERVISORS)
    @blp.arguments(s.SampleQuery, location="query")
    @blp.response(200, s.SampleOut)
    def get(self, args):
        """Draw villages and households for the next unannounced inspection."""
        return services.sample(context(), args["size"], args["per_village"],
                               args.get("seed"))
