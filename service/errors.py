"""Problem+json (RFC 9457): one mapper from domain exceptions and HTTP errors to responses."""

import logging
import traceback

from flask import Flask, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from service.exceptions import (  # noqa: F401  (re-exported for services)
    AlreadyExists,
    Conflict,
    DomainError,
    Forbidden,
    HasDependents,
    NotFound,
    PreconditionFailed,
    Unauthenticated,
    ValidationFailed,
)

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


def problem(status: int, code: str, title: str, detail: str | None = None, **extra):
    """Build a problem+json response tuple."""
    body = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail or title,
        "code": code,
        "instance": request.path,
    }
    body.update(extra)
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

    for _location, fields in (messages or {}).items():
        walk("", fields)
    return flat


def handle_http_exception(error: HTTPException):
    """Every werkzeug/webargs HTTP error as problem+json."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    code = HTTP_CODES.get(status, "error")
    title = error.name
    if status == 422:
        errors = _flatten_webargs(data.get("messages", {}))
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()) or title
        body, status, h = problem(422, code, "Validation failed", detail, errors=errors)
    elif status == 400 and "messages" in data:
        msgs = _flatten_webargs(data["messages"])
        detail = " ".join(m for ms in msgs.values() for m in ms) or "Malformed request body"
        body, status, h = problem(400, "malformed_body", "Malformed request", detail)
    elif status == 429:
        body, status, h = problem(429, code, "Too many requests", str(error.description))
    else:
        detail = data.get("message") or error.description
        body, status, h = problem(status, code, title, detail)
    h.update(headers)
    if status == 405 and error.get_response().headers.get("Allow"):
        h["Allow"] = error.get_response().headers["Allow"]
    return body, status, h


def handle_domain_error(error: DomainError):
    """Domain exceptions carry their own status, code and data."""
    return problem(error.status, error.code, error.title, error.detail, **error.extra)


def handle_integrity_error(error: IntegrityError):
    """A constraint the service did not foresee: a 409, never a 500."""
    from service.db import get_session

    get_session().rollback()
    return problem(409, "conflict", "Conflict", "The change conflicts with existing records.")


def handle_unexpected(error: Exception):
    """A bug: log the stack without the message (it may carry personal data)."""
    from service.db import get_session

    get_session().rollback()
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("unhandled %s on %s %s\n%s", type(error).__name__, request.method, request.path,
              frames)
    return problem(500, "internal_error", "Internal error", "An unexpected error occurred.")


def register_error_handlers(app: Flask) -> None:
    """Install the mappers on the app."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(Exception, handle_unexpected)
