"""HTTP for cadres."""

from flask.views import MethodView

from service import exports
from service.api import (
    ETAG_HEADER_DOC,
    IF_MATCH_DOC,
    Blueprint,
    check_if_match,
    etag_header,
    formats,
    listed,
)
from service.auth import require
from service.cadres import schemas as s
from service.cadres import services
from service.web import context

blp = Blueprint("cadres", __name__, url_prefix="/api/v1", description="Cadres (干部)")


@blp.route("/cadres")
class Cadres(MethodView):
    @require()
    @blp.arguments(s.CadreQuery, location="query")
    @blp.response(200, s.CadrePage)
    @blp.doc(responses=formats(s.CadrePage, "xlsx"))
    def get(self, args):
        """List cadres in your scope."""
        ctx = context()
        return listed(ctx, services.list_cadres(ctx, args), args, exports.cadres)

    @require("county_admin", "unit_admin")
    @blp.arguments(s.CadreIn)
    @blp.response(201, s.CadreOut, headers=ETAG_HEADER_DOC)
    def post(self, data):
        """Create a cadre."""
        ctx = context()
        cadre = services.shown(ctx, [services.create_cadre(ctx, data)])[0]
        return cadre, 201, {"Location": f"/api/v1/cadres/{cadre.id}", **etag_header(cadre)}


@blp.route("/cadres/<id:cadre_id>")
class CadreById(MethodView):
    @require()
    @blp.response(200, s.CadreOut, headers=ETAG_HEADER_DOC)
    def get(self, cadre_id):
        """Read a cadre."""
        ctx = context()
        cadre = services.shown(ctx, [services.get_cadre(ctx, cadre_id)])[0]
        return cadre, 200, etag_header(cadre)

    @require("county_admin", "unit_admin")
    @blp.arguments(s.CadrePatch)
    @blp.response(200, s.CadreOut, headers=ETAG_HEADER_DOC)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, cadre_id):
        """Edit a cadre."""
        ctx = context()
        cadre = services.shown(ctx, [services.update_cadre(ctx, cadre_id, changes,
                                                           check_if_match)])[0]
        return cadre, 200, etag_header(cadre)

    @require("county_admin", "unit_admin")
    @blp.response(204)
    @blp.doc(responses={"409": "CONFLICT"})
    @blp.doc(**IF_MATCH_DOC)
    def delete(self, cadre_id):
        """Delete a cadre that nothing depends on."""
        services.delete_cadre(context(), cadre_id, check_if_match)
