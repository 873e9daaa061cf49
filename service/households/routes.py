"""HTTP for households."""

from flask.views import MethodView

from service.api import ETAG_HEADER_DOC, IF_MATCH_DOC, Blueprint, etag_header
from service.auth import current_caller, require
from service.clock import county_today
from service.db import get_session
from service.households import schemas as s
from service.households import services

blp = Blueprint("households", __name__, url_prefix="/api/v1", description="Households (农户)")


@blp.route("/households")
class Households(MethodView):
    @require()
    @blp.arguments(s.HouseholdQuery, location="query")
    @blp.response(200, s.HouseholdPage)
    def get(self, args):
        """List households in your scope."""
        return services.list_households(get_session(), current_caller(), args)

    @require("county_admin", "unit_admin")
    @blp.arguments(s.HouseholdIn)
    @blp.response(201, s.HouseholdOut, headers=ETAG_HEADER_DOC)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Register a household."""
        caller = current_caller()
        household = services.create_household(get_session(), caller, data, county_today())
        return (services.present(household, caller), 201,
                {"Location": f"/api/v1/households/{household.id}", **etag_header(household)})


@blp.route("/households/<id:household_id>")
class HouseholdById(MethodView):
    @require()
    @blp.response(200, s.HouseholdOut, headers=ETAG_HEADER_DOC)
    def get(self, household_id):
        """Read a household."""
        caller = current_caller()
        household = services.get_household(get_session(), caller, household_id)
        return services.present(household, caller), 200, etag_header(household)

    @require("county_admin", "unit_admin")
    @blp.arguments(s.HouseholdPatch)
    @blp.response(200, s.HouseholdOut, headers=ETAG_HEADER_DOC)
    @blp.doc(responses={"409": "CONFLICT"})
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, household_id):
        """Edit a household."""
        caller = current_caller()
        household = services.update_household(get_session(), caller, household_id, changes,
                                               county_today())
        return services.present(household, caller), 200, etag_header(household)

    @require("county_admin", "unit_admin")
    @blp.response(204)
    @blp.doc(responses={"409": "CONFLICT"})
    def delete(self, household_id):
        """Delete a household that was never paired."""
        services.delete_household(get_session(), current_caller(), household_id)
