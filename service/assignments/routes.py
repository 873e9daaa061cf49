"""HTTP for village assignments (包村)."""

from flask.views import MethodView

from service.api import Blueprint, page
from service.assignments import schemas as s
from service.assignments import services
from service.auth import require
from service.web import context

blp = Blueprint("village_assignments", __name__, url_prefix="/api/v1",
                description="Village assignments (包村): which unit holds which village")


@blp.route("/village-assignments")
class Assignments(MethodView):
    @require()
    @blp.arguments(s.AssignmentQuery, location="query")
    @blp.response(200, s.AssignmentPage)
    def get(self, args):
        """List village assignments (unit admins and cadres: their own unit's)."""
        ctx = context()
        return page(ctx, services.list_assignments(ctx, args), args)

    @require("county_admin")
    @blp.arguments(s.AssignmentIn)
    @blp.response(201, s.AssignmentOut)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Give a village to a unit (R6: one active unit per village)."""
        assignment = services.create_assignment(context(), data)
        return assignment, 201, {"Location": f"/api/v1/village-assignments/{assignment['id']}"}


@blp.route("/village-assignments/<id:assignment_id>")
class AssignmentById(MethodView):
    @require()
    @blp.response(200, s.AssignmentOut)
    def get(self, assignment_id):
        """Read a village assignment."""
        return services.get_assignment(context(), assignment_id)


@blp.route("/village-assignments/<id:assignment_id>/end")
class AssignmentEnd(MethodView):
    @require("county_admin")
    @blp.arguments(s.AssignmentEnd)
    @blp.response(200, s.AssignmentOut)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data, assignment_id):
        """End a unit's hold on a village (history is kept)."""
        return services.end_assignment(context(), assignment_id, data)
