"""HTTP for demands (诉求)."""

from flask.views import MethodView

from service.api import (
    ETAG_HEADER_DOC,
    IF_MATCH_DOC,
    Blueprint,
    check_if_match,
    etag_header,
    page,
)
from service.auth import require
from service.demands import schemas as s
from service.demands import services
from service.web import context

blp = Blueprint("demands", __name__, url_prefix="/api/v1",
                description="Demands (诉求) raised by households and followed up by cadres")

WRITERS = ("county_admin", "unit_admin", "cadre")


@blp.route("/demands")
class Demands(MethodView):
    @require()
    @blp.arguments(s.DemandQuery, location="query")
    @blp.response(200, s.DemandPage)
    def get(self, args):
        """List demands in your scope."""
        ctx = context()
        return page(ctx, services.list_demands(ctx, args), args)

    @require(*WRITERS)
    @blp.arguments(s.DemandIn)
    @blp.response(201, s.DemandOut, headers=ETAG_HEADER_DOC)
    @blp.alt_response(200, schema=s.DemandOut, description="Replay: the stored demand",
                      success=True)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Record a demand under the client's UUID (a replay of the same body returns 200)."""
        ctx = context()
        demand, created = services.create_demand(ctx, data)
        headers = {"Location": f"/api/v1/demands/{demand.id}", **etag_header(demand)}
        return services.present(demand, ctx), 201 if created else 200, headers


@blp.route("/demands/<uuid:demand_id>")
class DemandById(MethodView):
    @require()
    @blp.response(200, s.DemandOut, headers=ETAG_HEADER_DOC)
    def get(self, demand_id):
        """Read a demand."""
        ctx = context()
        demand = services.get_demand(ctx, str(demand_id))
        return services.present(demand, ctx), 200, etag_header(demand)

    @require(*WRITERS)
    @blp.arguments(s.DemandPatch)
    @blp.response(200, s.DemandOut, headers=ETAG_HEADER_DOC)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, demand_id):
        """Correct the category or wording of an open demand."""
        ctx = context()
        demand = services.update_demand(ctx, str(demand_id), changes, check_if_match)
        return services.present(demand, ctx), 200, etag_header(demand)


@blp.route("/demands/<uuid:demand_id>/transition")
class DemandTransition(MethodView):
    @require()
    @blp.arguments(s.DemandTransitionIn)
    @blp.response(200, s.DemandOut)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data, demand_id):
        """Move a demand: open → in_progress → resolved (with resolution) → confirmed."""
        ctx = context()
        return services.present(services.transition(ctx, str(demand_id), data), ctx)
