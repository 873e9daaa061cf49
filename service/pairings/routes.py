"""HTTP for pairings (联户) and handover."""

from flask.views import MethodView

from service import exports
from service.api import Blueprint, formats, listed
from service.auth import require
from service.pairings import schemas as s
from service.pairings import services
from service.web import context

blp = Blueprint("pairings", __name__, url_prefix="/api/v1",
                description="Pairings (联户): cadres linked to households, rules R1–R4")


@blp.route("/pairings")
class Pairings(MethodView):
    @require()
    @blp.arguments(s.PairingQuery, location="query")
    @blp.response(200, s.PairingPage)
    @blp.doc(responses=formats(s.PairingPage, "xlsx"))
    def get(self, args):
        """List pairings in your scope."""
        ctx = context()
        return listed(ctx, services.list_pairings(ctx, args), args, exports.pairings)

    @require("county_admin", "unit_admin")
    @blp.arguments(s.PairingIn)
    @blp.response(201, s.PairingOut)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Link a cadre to a household (R1 quota, R2 one cadre, R3 village, R4 difficulty)."""
        pairing = services.create_pairing(context(), data)
        return pairing, 201, {"Location": f"/api/v1/pairings/{pairing['id']}"}


@blp.route("/pairings/<id:pairing_id>")
class PairingById(MethodView):
    @require()
    @blp.response(200, s.PairingOut)
    def get(self, pairing_id):
        """Read a pairing."""
        return services.get_pairing(context(), pairing_id)


@blp.route("/pairings/<id:pairing_id>/end")
class PairingEnd(MethodView):
    @require("county_admin", "unit_admin")
    @blp.arguments(s.PairingEnd)
    @blp.response(200, s.PairingOut)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data, pairing_id):
        """End a pairing with a reason (it stays in history)."""
        return services.end_pairing(context(), pairing_id, data)


@blp.route("/cadres/<id:cadre_id>/handover")
class Handover(MethodView):
    @require("county_admin", "unit_admin")
    @blp.arguments(s.HandoverIn)
    @blp.response(200, s.HandoverOut)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data, cadre_id):
        """Move every active pairing of a cadre to another; R1–R4 checked; all or nothing."""
        return services.handover(context(), cadre_id, data)
