"""HTTP for townships and villages."""

from flask.views import MethodView

from service.api import ETAG_HEADER_DOC, IF_MATCH_DOC, Blueprint, check_if_match, etag_header, page
from service.auth import require
from service.places import schemas as s
from service.places import services
from service.web import context

blp = Blueprint("places", __name__, url_prefix="/api/v1", description="Townships and villages")


@blp.route("/townships")
class Townships(MethodView):
    @require()
    @blp.arguments(s.TownshipQuery, location="query")
    @blp.response(200, s.TownshipPage)
    def get(self, args):
        """List townships."""
        ctx = context()
        return page(ctx, services.list_townships(ctx, args), args)

    @require("county_admin")
    @blp.arguments(s.TownshipIn)
    @blp.response(201, s.TownshipOut, headers=ETAG_HEADER_DOC)
    def post(self, data):
        """Create a township."""
        township = services.create_township(context(), data)
        return township, 201, {"Location": f"/api/v1/townships/{township.id}",
                               **etag_header(township)}


@blp.route("/townships/<id:township_id>")
class TownshipById(MethodView):
    @require()
    @blp.response(200, s.TownshipOut, headers=ETAG_HEADER_DOC)
    def get(self, township_id):
        """Read a township."""
        township = services.get_township(context(), township_id)
        return township, 200, etag_header(township)

    @require("county_admin")
    @blp.arguments(s.TownshipPatch)
    @blp.response(200, s.TownshipOut, headers=ETAG_HEADER_DOC)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, township_id):
        """Edit a township."""
        township = services.update_township(context(), township_id, changes, check_if_match)
        return township, 200, etag_header(township)

    @require("county_admin")
    @blp.response(204)
    @blp.doc(responses={"409": "CONFLICT"})
    @blp.doc(**IF_MATCH_DOC)
    def delete(self, township_id):
        """Delete a township that has no villages."""
        services.delete_township(context(), township_id, check_if_match)


@blp.route("/villages")
class Villages(MethodView):
    @require()
    @blp.arguments(s.VillageQuery, location="query")
    @blp.response(200, s.VillagePage)
    def get(self, args):
        """List villages."""
        ctx = context()
        return page(ctx, services.list_villages(ctx, args), args)

    @require("county_admin")
    @blp.arguments(s.VillageIn)
    @blp.response(201, s.VillageOut, headers=ETAG_HEADER_DOC)
    def post(self, data):
        """Create a village."""
        village = services.create_village(context(), data)
        return village, 201, {"Location": f"/api/v1/villages/{village.id}",
                              **etag_header(village)}


@blp.route("/villages/<id:village_id>")
class VillageById(MethodView):
    @require()
    @blp.response(200, s.VillageOut, headers=ETAG_HEADER_DOC)
    def get(self, village_id):
        """Read a village."""
        village = services.get_village(context(), village_id)
        return village, 200, etag_header(village)

    @require("county_admin")
    @blp.arguments(s.VillagePatch)
    @blp.response(200, s.VillageOut, headers=ETAG_HEADER_DOC)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, village_id):
        """Edit a village."""
        village = services.update_village(context(), village_id, changes, check_if_match)
        return village, 200, etag_header(village)

    @require("county_admin")
    @blp.response(204)
    @blp.doc(responses={"409": "CONFLICT"})
    @blp.doc(**IF_MATCH_DOC)
    def delete(self, village_id):
        """Delete a village that has no households or assignment history."""
        services.delete_village(context(), village_id, check_if_match)
