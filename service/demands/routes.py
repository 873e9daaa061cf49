"""HTTP for demands (诉求)."""

from flask import current_app
from flask.views import MethodView

from service.api import ETAG_HEADER_DOC, IF_MATCH_DOC, Blueprint, etag_header
from service.auth import current_caller, require
from service.clock import utcnow
from service.db import get_session
from service.demands import schemas as s
from service.demands import services

blp = Blueprint("demands", __name__, url_prefix="/api/v1",
                description="Demands (诉求) raised by households and followed up by cadres")

WRITERS = ("county_admin", "unit_admin", "cadre")


def _overdue_days() -> int:
    return current_app.config["DEMAND_OVERDUE_DAYS"]


def _out(demand):
    return services.present(demand, utcnow(), _overdue_days())


@blp.route("/demands")
class Demands(MethodView):
    @require()
    @blp.arguments(s.DemandQuery, location="query")
    @blp.response(200, s.DemandPage)
    def get(self, args):
        """List demands in your scope."""
        return services.list_demands(get_session(), current_caller(), args, utcnow(),
                                     _overdue_days())

    @require(*WRITERS)
    @blp.arguments(s.DemandIn)
    @blp.response(201, s.DemandOut, headers=ETAG_HEADER_DOC)
    @blp.alt_response(200, schema=s.DemandOut, description="Replay: the stored demand",
                      success=True)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Record a demand under the client's UUID (a replay of the same body returns 200)."""
        demand, created = services.create_demand(get_session(), current_caller(), data,
                                                 utcnow())
        headers = {"Location": f"/api/v1/demands/{demand.id}", **etag_header(demand)}
        return _out(demand), 201 if created else 200, headers


@blp.route("/demands/<uuid:demand_id>")
class DemandById(MethodView):
    @require()
    @blp.response(200, s.DemandOut, headers=ETAG_HEADER_DOC)
    def get(self, demand_id):
        """Read a demand."""
        demand = services.get_demand(get_session(), current_caller(), str(demand_id))
        return _out(demand), 200, etag_header(demand)

    @require(*WRITERS)
    @blp.arguments(s.DemandPatch)
    @blp.response(200, s.DemandOut, headers=ETAG_HEADER_DOC)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, demand_id):
        """Correct the category or wording of an open demand."""
        demand = services.update_demand(get_session(), current_caller(), str(demand_id),
                                        changes)
        return _out(demand), 200, etag_header(demand)


@blp.route("/demands/<uuid:demand_id>/transition")
class DemandTransition(MethodView):
    @require()
    @blp.arguments(s.DemandTransitionIn)
    @blp.response(200, s.DemandOut)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data, demand_id):
        """Move a demand: open → in_progress → resolved (with resolution) → confirmed."""
        demand = services.transition(get_session(), current_caller(), str(demand_id), data,
                                     utcnow())
        return _out(demand)
