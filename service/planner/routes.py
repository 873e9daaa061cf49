"""HTTP for pairing plans (包联方案, SPEC §14)."""

from flask.views import MethodView

from service.api import Blueprint, page
from service.auth import require
from service.planner import schemas as s
from service.planner import services
from service.web import context, heavy_request

blp = Blueprint("pairing-plans", __name__, url_prefix="/api/v1",
                description="包联方案: proposed pairings that obey R1–R4 and match skills to needs")


@blp.route("/pairing-plans")
class PairingPlans(MethodView):
    @require("county_admin", "unit_admin")
    @blp.arguments(s.PlanQuery, location="query")
    @blp.response(200, s.PlanPage)
    def get(self, args):
        """List pairing plans, newest first, with their scope, totals and whether they were
        applied (not their pairings: GET one for those); a unit admin's are its own unit's."""
        ctx = context()
        return page(ctx, services.list_plans(ctx, args), args)

    @require("county_admin", "unit_admin")
    @blp.arguments(s.PlanIn)
    @blp.response(201, s.PlanOut)
    @heavy_request
    def post(self, data):
        """Propose pairings for the households without a cadre in a unit's villages, a
        township, a village or the whole county: as many covered as the rules allow, then
        the most needs met by skills, then a cadre's households in one village; every
        household left uncovered with its reason. Stored, to be read and applied."""
        plan = services.propose(context(), data)
        return plan, 201, {"Location": f"/api/v1/pairing-plans/{plan['id']}"}


@blp.route("/pairing-plans/<id:plan_id>")
class PairingPlanById(MethodView):
    @require("county_admin", "unit_admin")
    @blp.response(200, s.PlanOut)
    def get(self, plan_id):
        """Read a plan."""
        return services.get_plan(context(), plan_id)


@blp.route("/pairing-plans/<id:plan_id>/apply")
class PairingPlanApply(MethodView):
    @require("county_admin", "unit_admin")
    @blp.response(200, s.PlanOut)
    @blp.doc(responses={"409": "CONFLICT"})
    @heavy_request
    def post(self, plan_id):
        """Create every pairing of the plan, or none: each rule checked again; 409
        `plan_out_of_date` when a cadre or household of the plan changed since it was made,
        `plan_already_applied` the second time."""
        return services.apply_plan(context(), plan_id)
