"""HTTP for units."""

from flask.views import MethodView

from service.api import ETAG_HEADER_DOC, IF_MATCH_DOC, Blueprint, etag_header
from service.auth import current_caller, require
from service.db import get_session
from service.scope import get_or_404
from service.units import schemas as s
from service.units import services
from service.units.models import Unit

blp = Blueprint("units", __name__, url_prefix="/api/v1", description="Units (单位)")


@blp.route("/units")
class Units(MethodView):
    @require()
    @blp.arguments(s.UnitQuery, location="query")
    @blp.response(200, s.UnitPage)
    def get(self, args):
        """List units."""
        return services.list_units(get_session(), args)

    @require("county_admin")
    @blp.arguments(s.UnitIn)
    @blp.response(201, s.UnitOut, headers=ETAG_HEADER_DOC)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Create a unit."""
        unit = services.create_unit(get_session(), data)
        return unit, 201, {"Location": f"/api/v1/units/{unit.id}", **etag_header(unit)}


@blp.route("/units/<id:unit_id>")
class UnitById(MethodView):
    @require()
    @blp.response(200, s.UnitOut, headers=ETAG_HEADER_DOC)
    def get(self, unit_id):
        """Read a unit."""
        unit = get_or_404(get_session(), Unit, unit_id, "unit")
        return unit, 200, etag_header(unit)

    @require("county_admin", "unit_admin")
    @blp.arguments(s.UnitPatch)
    @blp.response(200, s.UnitOut, headers=ETAG_HEADER_DOC)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, unit_id):
        """Edit a unit (a unit admin: its own only)."""
        unit = services.update_unit(get_session(), current_caller(), unit_id, changes)
        return unit, 200, etag_header(unit)

    @require("county_admin")
    @blp.response(204)
    @blp.doc(responses={"409": "CONFLICT"})
    def delete(self, unit_id):
        """Delete a unit that nothing depends on."""
        services.delete_unit(get_session(), unit_id)
