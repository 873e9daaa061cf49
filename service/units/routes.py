"""HTTP for units."""

from flask.views import MethodView

from service.api import ETAG_HEADER_DOC, IF_MATCH_DOC, Blueprint, check_if_match, etag_header, page
from service.auth import require
from service.units import schemas as s
from service.units import services
from service.web import context

blp = Blueprint("units", __name__, url_prefix="/api/v1", description="Units (单位)")


@blp.route("/units")
class Units(MethodView):
    @require()
    @blp.arguments(s.UnitQuery, location="query")
    @blp.response(200, s.UnitPage)
    def get(self, args):
        """List units."""
        ctx = context()
        return page(ctx, services.list_units(ctx, args), args)

    @require("county_admin")
    @blp.arguments(s.UnitIn)
    @blp.response(201, s.UnitOut, headers=ETAG_HEADER_DOC)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Create a unit."""
        unit = services.create_unit(context(), data)
        return unit, 201, {"Location": f"/api/v1/units/{unit.id}", **etag_header(unit)}


@blp.route("/units/<id:unit_id>")
class UnitById(MethodView):
    @require()
    @blp.response(200, s.UnitOut, headers=ETAG_HEADER_DOC)
    def get(self, unit_id):
        """Read a unit."""
        unit = services.get_unit(context(), unit_id)
        return unit, 200, etag_header(unit)

    @require("county_admin", "unit_admin")
    @blp.arguments(s.UnitPatch)
    @blp.response(200, s.UnitOut, headers=ETAG_HEADER_DOC)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, unit_id):
        """Edit a unit (a unit admin: its own only)."""
        unit = services.update_unit(context(), unit_id, changes, check_if_match)
        return unit, 200, etag_header(unit)

    @require("county_admin")
    @blp.response(204)
    @blp.doc(responses={"409": "CONFLICT"})
    @blp.doc(**IF_MATCH_DOC)
    def delete(self, unit_id):
        """Delete a unit that nothing depends on."""
        services.delete_unit(context(), unit_id, check_if_match)
