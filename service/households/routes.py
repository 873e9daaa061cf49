"""HTTP for households."""

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
from service.households import schemas as s
from service.households import services
from service.web import context

blp = Blueprint("households", __name__, url_prefix="/api/v1", description="Households (农户)")


@blp.route("/households")
class Households(MethodView):
    @require()
    @blp.arguments(s.HouseholdQuery, location="query")
    @blp.response(200, s.HouseholdPage)
    @blp.doc(responses=formats(s.HouseholdPage, "xlsx"))
    def get(self, args):
        """List households in your scope."""
        ctx = context()
        return listed(ctx, services.list_households(ctx, args), args, exports.households)

    @require("county_admin", "unit_admin")
    @blp.arguments(s.HouseholdIn)
    @blp.response(201, s.HouseholdOut, headers=ETAG_HEADER_DOC)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Register a household."""
        ctx = context()
        household = services.create_household(ctx, data)
        return (services.present(household, ctx), 201,
                {"Location": f"/api/v1/households/{household.id}", **etag_header(household)})


@blp.route("/households/<id:household_id>")
class HouseholdById(MethodView):
    @require()
    @blp.response(200, s.HouseholdOut, headers=ETAG_HEADER_DOC)
    def get(self, household_id):
        """Read a household."""
        ctx = context()
        household = services.get_household(ctx, household_id)
        return services.present(household, ctx), 200, etag_header(household)

    @require("county_admin", "unit_admin")
    @blp.arguments(s.HouseholdPatch)
    @blp.response(200, s.HouseholdOut, headers=ETAG_HEADER_DOC)
    @blp.doc(responses={"409": "CONFLICT"})
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, household_id):
        """Edit a household."""
        ctx = context()
        household = services.update_household(ctx, household_id, changes, check_if_match)
        return services.present(household, ctx), 200, etag_header(household)

    @require("county_admin", "unit_admin")
    @blp.response(204)
    @blp.doc(responses={"409": "CONFLICT"})
    @blp.doc(**IF_MATCH_DOC)
    def delete(self, household_id):
        """Delete a household that was never paired."""
        services.delete_household(context(), household_id, check_if_match)
