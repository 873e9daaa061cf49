"""HTTP for the audit trail."""

from flask.views import MethodView

from service.api import Blueprint, page
from service.audit import schemas as s
from service.audit import services
from service.auth import require
from service.web import context

blp = Blueprint("audit", __name__, url_prefix="/api/v1",
                description="The audit trail: who changed what, and when (SPEC §11)")


@blp.route("/audit")
class Audit(MethodView):
    @require("county_admin", "unit_admin", "inspector")
    @blp.arguments(s.AuditQuery, location="query")
    @blp.response(200, s.AuditPage)
    def get(self, args):
        """Every change, newest first: record, user, action and time filters (a unit admin:
        the changes of its unit's records, service/scope.py `unit_events`)."""
        ctx = context()
        return page(ctx, services.list_events(ctx, args), args)


@blp.route("/households/<id:household_id>/timeline")
class HouseholdTimeline(MethodView):
    @require()
    @blp.arguments(s.TimelineQuery, location="query")
    @blp.response(200, s.AuditPage)
    @blp.doc(operationId="getHouseholdTimeline")
    def get(self, args, household_id):
        """A household's story, newest first: the changes of the household and of its
        pairings, tasks, demands and visits that you may see (the household as its GET finds
        it)."""
        ctx = context()
        return page(ctx, services.household_timeline(ctx, household_id), args)
