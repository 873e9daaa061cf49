"""HTTP for visits from the field, batch sync up, and sync down."""

import functools

from flask.views import MethodView
from marshmallow import ValidationError

from service import edges, exports
from service.api import (
    ETAG_HEADER_DOC,
    IF_MATCH_DOC,
    Blueprint,
    check_if_match,
    etag_for,
    etag_header,
    formats,
    listed,
)
from service.auth import confirm, declare, read_token, require
from service.errors import problem_body
from service.exceptions import DomainError, ValidationFailed
from service.observability import visit_outcomes
from service.visits import schemas as s
from service.visits import services
from service.visits.fastpath import statement_by_statement
from service.visits.intake import Rejected, Unconfirmed
from service.visits.sync import sync_down
from service.web import context, get_session

# Up to 500 items a batch: each item's problem names at most this many fields.
BATCH_ITEM_FIELDS = 5

blp = Blueprint("visits", __name__, url_prefix="/api/v1",
                description="Visits (走访/民情日记) from the phone, batch sync and sync down")

CADRE = ("cadre",)


def _account_read_by_intake(view):
    """Declare a cadre-only view whose token is verified here (401 when missing, forged or
    expired) and whose account is read and confirmed by the visit intake's own first statement
    (service/visits/fastpath.py): one round trip fewer on the path every visit from a phone
    takes. Such a view checks its body before the account, so a revoked token or a wrong role
    with a malformed body hears 422 first."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = read_token()
        sender = Unconfirmed(token.user_id, lambda account: confirm(token, account, CADRE))
        return view(*args, sender=sender, **kwargs)

    return declare(wrapper, CADRE)


_ITEM = s.VisitIn()  # one instance for every batch item: building a schema deep-copies its fields


def _read_item(raw: dict) -> dict | Rejected:
    """A batch item validated, or its refusal (the rest of the batch goes on), naming the
    item by its client id when that is text fit to send back."""
    sent = raw.get("id")
    client_id = sent if isinstance(sent, str) and not edges.text_problem(sent) else None
    try:
        edges.refuse(edges.offences(raw))
        return _ITEM.load(raw)
    except ValidationError as exc:
        return Rejected(client_id, ValidationFailed({k: v if isinstance(v, list) else [str(v)]
                                                     for k, v in exc.messages.items()}))
    except DomainError as exc:
        return Rejected(client_id, exc)


def _answer(result: dict) -> dict:
    error = result.pop("error", None)
    if error is not None:
        result["problem"] = problem_body(error.status, error.code, error.title, error.detail,
                                         listed=BATCH_ITEM_FIELDS, **error.extra)
    return result


@blp.route("/visits")
class Visits(MethodView):
    @require()
    @blp.arguments(s.VisitQuery, location="query")
    @blp.response(200, s.VisitPage)
    @blp.doc(responses=formats(s.VisitPage, "xlsx"))
    def get(self, args):
        """List visits in your scope."""
        ctx = context()
        return listed(ctx, services.list_visits(ctx, args), args, exports.visits)

    @_account_read_by_intake
    @blp.arguments(s.VisitIn)
    @blp.response(201, s.VisitOut, headers=ETAG_HEADER_DOC)
    @blp.alt_response(200, schema=s.VisitOut, description="Replay: the stored visit",
                      success=True)
    @blp.doc(responses={"409": "CONFLICT", "429": "TOO_MANY_REQUESTS"})
    def post(self, data, sender):
        """Log a visit under the phone's UUID (sending it again returns the stored one)."""
        ctx = context(statement_by_statement(get_session()))
        outcome = services.log_visit(ctx, data, sender)
        visit_outcomes([outcome.status])  # (a refused one is counted when answered)
        known = {outcome.id: outcome.demand_ids} if outcome.demand_ids is not None else None
        body = services.present_many(ctx.session, [outcome.visit], known)[0]
        headers = {"Location": f"/api/v1/visits/{outcome.id}",
                   "ETag": f'"{etag_for("visits", outcome.id, outcome.visit.version)}"'}
        return body, 201 if outcome.status == "created" else 200, headers


@blp.route("/visits/batch")
class VisitBatch(MethodView):
    @require("cadre")
    @blp.arguments(s.BatchIn)
    @blp.response(200, s.BatchOut)
    @blp.doc(responses={"413": "REQUEST_ENTITY_TOO_LARGE"})
    def post(self, data):
        """Sync up to 500 visits; one answer per visit, the good ones kept, safe to resend.

        The body may be at most 8 MiB (8,388,608 bytes): 500 visits with 5,000-character
        diaries fit; 500 visits that each also carry help notes and demands may not. A heavier
        body answers 413 `payload_too_large` and nothing of it is stored: send fewer visits
        at a time. A visit that is bad in any way (malformed, refused by a rule or by the
        database) is `rejected` with its problem and costs the others nothing."""
        items = [_read_item(raw) for raw in data["visits"]]
        results = [_answer(r) for r in services.log_batch(context(), items)]
        visit_outcomes(r["status"] for r in results)
        return {"results": results}


@blp.route("/visits/<uuid:visit_id>")
class VisitById(MethodView):
    @require()
    @blp.response(200, s.VisitOut, headers=ETAG_HEADER_DOC)
    def get(self, visit_id):
        """Read a visit."""
        ctx = context()
        visit = services.get_visit(ctx, str(visit_id))
        return services.present_many(ctx.session, [visit])[0], 200, etag_header(visit)

    @require("cadre")
    @blp.arguments(s.VisitPatch)
    @blp.response(200, s.VisitOut, headers=ETAG_HEADER_DOC)
    @blp.doc(responses={"409": "CONFLICT"})
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, visit_id):
        """Correct your own visit within 24 hours of sending it (the old version is kept)."""
        ctx = context()
        visit = services.correct_visit(ctx, str(visit_id), changes, check_if_match)
        return services.present_many(ctx.session, [visit])[0], 200, etag_header(visit)


@blp.route("/sync")
class Sync(MethodView):
    @require("cadre")
    @blp.arguments(s.SyncQuery, location="query")
    @blp.response(200, s.SyncOut)
    def get(self, args):
        """Your households (masked for your role), tasks and open demands changed since the
        cursor, and a new cursor."""
        return sync_down(context(), args.get("since"))
