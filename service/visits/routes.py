"""HTTP for visits from the field, batch sync up, and sync down."""

from flask import current_app
from flask.views import MethodView

from service.api import ETAG_HEADER_DOC, IF_MATCH_DOC, Blueprint, check_if_match, etag_header
from service.auth import current_caller, pending_claim, require
from service.clock import county_today, county_zone, utcnow
from service.db import get_session, statement_by_statement
from service.visits import schemas as s
from service.visits import services
from service.visits.sync import sync_down

blp = Blueprint("visits", __name__, url_prefix="/api/v1",
                description="Visits (走访/民情日记) from the phone, batch sync and sync down")


def _settings():
    return utcnow(), county_zone(), current_app.config["VISIT_MAX_DISTANCE_KM"]


@blp.route("/visits")
class Visits(MethodView):
    @require()
    @blp.arguments(s.VisitQuery, location="query")
    @blp.response(200, s.VisitPage)
    def get(self, args):
        """List visits in your scope."""
        return services.list_visits(get_session(), current_caller(), args, county_zone())

    @statement_by_statement
    @require("cadre", account_read_by_view=True)
    @blp.arguments(s.VisitIn)
    @blp.response(201, s.VisitOut, headers=ETAG_HEADER_DOC)
    @blp.alt_response(200, schema=s.VisitOut, description="Replay: the stored visit",
                      success=True)
    @blp.doc(responses={"409": "CONFLICT", "429": "TOO_MANY_REQUESTS"})
    def post(self, data):
        """Log a visit under the phone's UUID (sending it again returns the stored one)."""
        session = get_session()
        outcome = services.log_visit(session, pending_claim(), data, *_settings())
        known = {outcome.id: outcome.demand_ids} if outcome.demand_ids is not None else None
        body = services.present_many(session, [outcome.visit], known)[0]
        headers = {"Location": f"/api/v1/visits/{outcome.id}", **etag_header(outcome.visit)}
        return body, 201 if outcome.status == "created" else 200, headers


@blp.route("/visits/batch")
class VisitBatch(MethodView):
    @require("cadre")
    @blp.arguments(s.BatchIn)
    @blp.response(200, s.BatchOut)
    def post(self, data):
        """Sync up to 500 visits; one answer per visit, the good ones kept, safe to resend."""
        return {"results": services.log_batch(get_session(), current_caller(), data["visits"],
                                              *_settings())}


@blp.route("/visits/<uuid:visit_id>")
class VisitById(MethodView):
    @require()
    @blp.response(200, s.VisitOut, headers=ETAG_HEADER_DOC)
    def get(self, visit_id):
        """Read a visit."""
        session = get_session()
        visit = services.get_visit(session, current_caller(), str(visit_id))
        return services.present_many(session, [visit])[0], 200, etag_header(visit)

    @require("cadre")
    @blp.arguments(s.VisitPatch)
    @blp.response(200, s.VisitOut, headers=ETAG_HEADER_DOC)
    @blp.doc(responses={"409": "CONFLICT"})
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, visit_id):
        """Correct your own visit within 24 hours of sending it (the old version is kept)."""
        session = get_session()
        check_if_match(services.get_visit(session, current_caller(), str(visit_id)))
        visit = services.correct_visit(session, current_caller(), str(visit_id), changes,
                                       *_settings())
        return services.present_many(session, [visit])[0], 200, etag_header(visit)


@blp.route("/sync")
class Sync(MethodView):
    @require("cadre")
    @blp.arguments(s.SyncQuery, location="query")
    @blp.response(200, s.SyncOut)
    def get(self, args):
        """Your households (masked for your role), tasks and open demands changed since the
        cursor, and a new cursor."""
        return sync_down(get_session(), current_caller(), args.get("since"), utcnow(),
                         county_today(), current_app.config["DEMAND_OVERDUE_DAYS"])
