"""Problem+json (RFC 9457): one mapper from domain exceptions and HTTP errors to responses
(HTTP side; the exceptions themselves are plain Python in service/exceptions.py)."""

import logging
import traceback

import marshmallow as ma
from flask import Flask, current_app, g, request
from marshmallow import fields
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from service.deadline import RequestTimedOut
from service.exceptions import DomainError
from service.language import localize
from service.messages import _

log = logging.getLogger("service.errors")

PROBLEM_TYPE_BASE = "https://shuangbao.example/problems/"

# Default machine codes for plain HTTP errors.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
}


def _ids(description: str) -> fields.List:
    return fields.List(fields.Integer(), metadata={"description": description})


class RowProblemSchema(ma.Schema):
    """One bad cell of an imported roster (import_rows_invalid)."""

    row = fields.Integer(required=True, metadata={
        "description": "The row as the spreadsheet numbers it (the header is row 1)"})
    column = fields.String(required=True, metadata={
        "description": "The column's header as the file has it (表头 for the header row)"})
    message = fields.String(required=True, metadata={"description": "What is wrong, in Chinese"})


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details with our machine `code`, and the extension members some problems
    carry (RFC 9457 §3.2: a client ignores members it does not know). Every member the service
    sends is listed here: under TESTING, `problem()` refuses to send one that is not."""

    class Meta:
        unknown = ma.INCLUDE  # additionalProperties: true

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    code = fields.String(required=True, metadata={"description": "Machine-readable error code"})
    instance = fields.String()
    errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()),
        metadata={"description": "validation_failed, already_exists: messages per field"})
    current_etag = fields.String(metadata={
        "description": "precondition_failed: the record's ETag now; GET it again"})
    dependents = fields.List(fields.String(), metadata={
        "description": "has_dependents: the kinds of record that still depend on this one"})
    id = fields.String(metadata={"description": "id_conflict: the client id already used"})
    disclosure_id = fields.Integer(metadata={
        "description": "already_published: the publication of that village and month"})
    cadre_id = fields.Integer(metadata={
        "description": "quota_exceeded, contact_point_exists: the cadre"})
    quota = fields.Integer(metadata={"description": "quota_exceeded: the cadre's quota (R1)"})
    active = fields.Integer(metadata={"description": "quota_exceeded: its active pairings"})
    household_id = fields.Integer(metadata={"description": "household_already_paired"})
    current_cadre_id = fields.Integer(allow_none=True, metadata={
        "description": "household_already_paired: the cadre it is paired with, when yours"})
    unit_id = fields.Integer(metadata={
        "description": "village_not_held_by_unit, village_already_assigned: the unit"})
    village_id = fields.Integer(metadata={
        "description": "village_not_held_by_unit, village_already_assigned: the village"})
    rank = fields.String(metadata={"description": "difficulty_mismatch: the cadre's rank"})
    difficulty = fields.String(metadata={"description": "difficulty_mismatch: the household's"})
    expected = fields.String(metadata={
        "description": "difficulty_mismatch: the difficulty that rank links (R4)"})
    organization_id = fields.Integer(metadata={"description": "contact_point_exists"})
    count = fields.Integer(metadata={"description": "open_tasks_remain: how many (R5)"})
    task_ids = _ids("open_tasks_remain: the first 200 of them")
    pairing_ids = _ids("active_pairings_remain: the pairings that would be left behind")
    current = fields.String(metadata={"description": "invalid_transition: the status now"})
    to = fields.String(metadata={"description": "invalid_transition: the status asked for"})
    rows = fields.List(fields.Nested(RowProblemSchema), metadata={
        "description": "import_rows_invalid: the first 100 problems in row order"})
    rows_total = fields.Integer(metadata={
        "description": "import_rows_invalid: how many problems there are in all"})
    errors_total = fields.Integer(metadata={
        "description": "validation_failed: how many fields have messages in all, when "
                       "`errors` names only the first 100"})
    limit_name = fields.String(metadata={
        "description": "payload_too_large, upload_refused, export_too_large: what is limited "
                       "(bytes, rows, columns, cells, inflated_bytes, compression_ratio, "
                       "shared_strings…)"})
    limit = fields.Integer(metadata={"description": "the limit `limit_name` names"})
    parameters = fields.List(fields.String(), metadata={
        "description": "unknown_parameter: the query parameters the operation does not take "
                       "(the first 20)"})


PROBLEM_MEMBERS = frozenset(ProblemSchema().fields)


# SPEC §9 "every request is bounded": an answer names at most this many fields (or rows);
# a member `errors_total` / `rows_total` says how many there were.
MAX_LISTED = 100


def capped_errors(errors: dict[str, list[str]], listed: int = MAX_LISTED) -> dict:
    """{errors} naming at most `listed` fields (each with at most 10 messages), and
    `errors_total` when some were left out."""
    if len(errors) <= listed and all(len(v) <= 10 for v in errors.values()):
        return {"errors": errors}
    shown = {k: list(v)[:10] for k, v in list(errors.items())[:listed]}
    return {"errors": shown, "errors_total": len(errors)}


def _summary(errors: dict[str, list[str]], total: int, named: int = 10) -> str:
    """A detail naming the first few fields and their messages (already in the reader's
    language)."""
    text = "; ".join(f"{k}: {' '.join(v[:3])}" for k, v in list(errors.items())[:named])
    if total > named:
        text = localize(_("%(fields)s (and %(more)s more fields)", fields=text,
                          more=total - named))
    return text


def problem_body(status: int, code: str, title: str, detail: str | None = None,
                 listed: int = MAX_LISTED, **extra) -> dict:
    """A problem document (also one item's answer inside a batch, which lists fewer fields:
    `listed`), its words in the reader's language (SPEC §15). A long list of field errors is cut
    to its first `listed` (`errors_total` says how many there were), and the detail then names
    only the first few; a problem without a detail of its own names its fields' messages."""
    errors = extra.get("errors")
    named = 10
    if isinstance(errors, dict) and "errors_total" not in extra:
        capped = capped_errors(errors, listed)
        if "errors_total" in capped:
            extra = {**extra, **capped}
            detail, named = None, min(listed, 10)
    body = localize({"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status,
                     "detail": detail, "code": code, **extra})
    if not body["detail"]:
        errors = body.get("errors")
        body["detail"] = (isinstance(errors, dict) and _summary(
            errors, body.get("errors_total", len(errors)), named)) or body["title"]
    if current_app.testing and not set(body) <= PROBLEM_MEMBERS:
        raise AssertionError(f"document {sorted(set(body) - PROBLEM_MEMBERS)} in ProblemSchema")
    return body


def problem(status: int, code: str, title: str, detail: str | None = None, **extra):
    """Build a problem+json response tuple."""
    body = problem_body(status, code, title, detail, **{"instance": request.path, **extra})
    return body, status, {"Content-Type": "application/problem+json"}


def _flatten_webargs(messages: dict) -> dict[str, list[str]]:
    """webargs nests messages under their location; clients want {field: [messages]}."""
    flat: dict[str, list[str]] = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            flat.setdefault(prefix or "_schema", []).extend(value)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(f"{prefix}.{i}", v)
        else:
            flat.setdefault(prefix or "_schema", []).append(str(value))

    for _location, by_field in (messages or {}).items():
        walk("", by_field)
    return flat


# Titles, and details for when werkzeug gives only its own words, of the plain HTTP errors.
HTTP_WORDS = {
    400: (_("Bad request"), _("The request cannot be understood.")),
    401: (_("Authentication required"), _("Log in first.")),
    403: (_("Outside your scope"), _("You may not do this.")),
    404: (_("Not found"), _("No such resource.")),
    405: (_("Method not allowed"), _("This address does not take this method.")),
    406: (_("Not acceptable"), _("None of the media types asked for can be given.")),
    409: (_("Conflict"), _("The change conflicts with existing records.")),
    412: (_("The record changed since you read it"), _("GET it again and retry.")),
    413: (_("Payload too large"), _("The body is too large.")),
    415: (_("Unsupported media type"), _("The body's media type is not taken here.")),
    422: (_("Validation failed"), _("The request's values cannot be taken.")),
    428: (_("Precondition required"), _("Send If-Match with the ETag you read.")),
    429: (_("Too many requests"), _("Try again later.")),
    500: (_("Internal error"), _("An unexpected error occurred.")),
}


def handle_http_exception(error: HTTPException):
    """Every werkzeug/webargs HTTP error as problem+json."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    code = HTTP_CODES.get(status, "error")
    title, said = HTTP_WORDS.get(status, (error.name, error.description))
    if status == 422:
        body, status, h = problem(422, code, title, None,
                                  errors=_flatten_webargs(data.get("messages", {})))
    elif status == 400 and "messages" in data:
        msgs = localize(_flatten_webargs(data["messages"]))
        detail = " ".join(m for ms in list(msgs.values())[:10] for m in ms[:3]) \
            or _("Malformed request body")
        body, status, h = problem(400, "malformed_body", _("Malformed request"), detail)
    elif status == 413:
        body, status, h = problem(413, code, title, _(
            "The body is larger than %(limit)s bytes; nothing of it was stored. Send less at a "
            "time.", limit=request.max_content_length))
    else:
        # A description of werkzeug's own is its English: ours stands in for it.
        described = error.description != type(error).description
        body, status, h = problem(status, code, title, data.get("message")
                                  or (error.description if described else said))
    h.update(headers)
    if status == 405 and error.get_response().headers.get("Allow"):
        h["Allow"] = error.get_response().headers["Allow"]
    return body, status, h


def handle_domain_error(error: DomainError):
    """Domain exceptions carry their own status, code and data (and, for a refusal that
    passes, how many seconds to wait: `retry_after`)."""
    body, status, headers = problem(error.status, error.code, error.title, error.detail,
                                    **error.extra)
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    return body, status, headers


def handle_integrity_error(error: IntegrityError):
    """A constraint the service did not foresee: a 409, never a 500."""
    _discard_session()
    return problem(409, "conflict", _("Conflict"), _("The change conflicts with existing records."))


# Seconds a client should wait before retrying when the database is away (SPEC §9 "faults").
RETRY_AFTER_SECONDS = 2


def handle_database_unavailable(error: Exception):
    """The database could not be reached, dropped the connection or timed out: 503 with
    Retry-After, one log line (no traceback: this is weather, not a bug). SQLAlchemy has
    already invalidated the broken connection, and the pool makes new ones as they are asked
    for, so the service recovers on its own."""
    _discard_session()
    cause = getattr(error, "orig", None) or error
    log.warning("database unavailable: %s %s answered 503 (%s)", request.method,
                request.url_rule.rule if request.url_rule else "-", type(cause).__name__)
    body, status, headers = problem(503, "database_unavailable", _("Database unavailable"),
                                    _("The database is not answering; try again shortly."))
    headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return body, status, headers


def is_database_unavailable(error: Exception) -> bool:
    """Connection failures and timeouts, as opposed to a statement the database refused."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError | InterfaceError | PoolTimeout
                      | DisconnectionError)


def _discard_session() -> None:
    """Roll back the request's session; on a dead connection that may itself fail."""
    session = g.get("db_session")
    if session is None:
        return
    try:
        session.rollback()
    except Exception:  # the connection is gone: closing the session returns what is left
        session.close()


def is_cancelled_for_time(error: Exception) -> bool:
    """The database stopped a statement that ran past the request's budget: PostgreSQL's
    statement_timeout (SQLSTATE 57014) or SQLite's progress handler (service/db.py)."""
    cause = getattr(error, "orig", None)
    if cause is None:
        return False
    if getattr(cause, "sqlstate", None) == "57014":
        return True
    return type(cause).__module__ == "sqlite3" and str(cause) == "interrupted"


def handle_unexpected(error: Exception):
    """A database fault (503), a statement stopped past the request's budget (503
    request_timeout), or a bug: log the stack without the message (it may carry personal
    data)."""
    if is_cancelled_for_time(error):
        _discard_session()
        log.warning("request timeout: %s %s stopped by the database",
                    request.method, request.url_rule.rule if request.url_rule else "-")
        return handle_domain_error(RequestTimedOut())
    if is_database_unavailable(error):
        return handle_database_unavailable(error)
    _discard_session()
    frames = "".join(traceback.format_tb(error.__traceback__))
    rule = request.url_rule
    log.error("unhandled %s on %s %s\n%s", type(error).__name__, request.method,
              rule.rule if rule is not None else "<unmatched>", frames)
    return problem(500, "internal_error", _("Internal error"), _("An unexpected error occurred."))


def register_error_handlers(app: Flask) -> None:
    """Install the mappers on the app."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    # Everything else, database faults included: handle_unexpected tells them apart.
    app.register_error_handler(Exception, handle_unexpected)
