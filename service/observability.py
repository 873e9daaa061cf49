"""What the county's IT office watches (SPEC §13): one log line per request and per error,
tied together by the request id the response echoes, and Prometheus metrics summed over
every gunicorn worker.

Logs: `LOG_FORMAT=json` (the default in production) writes one JSON object per line
(python-json-logger); `text` writes a plain line. A request line carries `request_id`,
`method`, `route` (the URL rule, never the path a client sent), `status`, `duration_ms` and
`user_id`; nothing else about the request (no query, no body, no token), so no personal data.
JSON escapes every control character; the text format escapes them itself.

Metrics (prometheus-client): requests by route, method and status; latency histograms by
route and method; visits taken by outcome; the database pool's connections. Under gunicorn
every worker writes its samples to PROMETHEUS_MULTIPROC_DIR (service/gunicorn_conf.py sets
it) and `/metrics` adds them up. `/metrics` answers a caller on this machine that came
through no proxy, or one that sends `Authorization: Bearer $METRICS_TOKEN` when that is set.
"""

import hmac
import logging
import os
import sys
import time

from flask import Flask, Response, g, has_request_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from pythonjsonlogger.json import JsonFormatter

from service.auth import public
from service.errors import problem
from service.messages import _
from service.web import request_id

log = logging.getLogger("service.requests")

# --- metrics ---------------------------------------------------------------------------------

REQUESTS = Counter("http_requests_total", "Requests answered, by route template, method and "
                   "status", ["route", "method", "status"])
LATENCY = Histogram("http_request_duration_seconds", "Time to answer, by route template and "
                    "method", ["route", "method"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
VISITS = Counter("visits_taken_total", "Visits from the field by outcome (created, duplicate, "
                 "rejected), single or in batches", ["outcome"])
POOL = Gauge("db_pool_connections", "Database connections of the pool by state (in_use, "
             "idle), summed over live workers", ["state"], multiprocess_mode="livesum")

UNMATCHED = "<unmatched>"  # a path no route takes: never the path itself
_METHODS = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"})


def route_template() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED


def visit_outcomes(outcomes) -> None:
    """Count visits taken: an iterable of 'created', 'duplicate' or 'rejected'."""
    for outcome in outcomes:
        VISITS.labels(outcome).inc()


def _pool_sample(app: Flask) -> None:
    pool = app.extensions["db"].engine.pool
    checked_out, size = getattr(pool, "checkedout", None), getattr(pool, "checkedin", None)
    if callable(checked_out) and callable(size):
        POOL.labels("in_use").set(checked_out())
        POOL.labels("idle").set(size())


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _may_read_metrics(token: str | None) -> bool:
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    # Loopback only, and not through a proxy on this machine (it would pass a stranger's
    # request on from 127.0.0.1 with a Forwarded or X-Forwarded-For header).
    proxied = "Forwarded" in request.headers or "X-Forwarded-For" in request.headers
    return request.remote_addr in ("127.0.0.1", "::1") and not proxied


# --- logs ------------------------------------------------------------------------------------


class _RequestFields(logging.Filter):
    """Every record made during a request carries its request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id() if has_request_context() else None
        return True


def _escape(text: str) -> str:
    return "".join(c if c.isprintable() or c == " " else f"\\x{ord(c):02x}" for c in text)


class TextFormatter(logging.Formatter):
    """A plain line, control characters (a forged line end, a NUL, an escape) written as
    \\xNN, with the request id at the end when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        if request_id:
            line += f" request_id={request_id}"
        first, _, rest = line.partition("\n")  # a traceback keeps its lines
        return _escape(first) + ("\n" + rest if rest else "")


def configure_logging(log_format: str) -> None:
    """Logs of the service (and gunicorn's own) to stderr in `json` or `text`."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger",
                           "process": "pid"},
            json_ensure_ascii=False))
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(_RequestFields())
    service = logging.getLogger("service")
    for old in [h for h in service.handlers if getattr(h, "_service_handler", False)]:
        service.removeHandler(old)
    handler._service_handler = True
    service.addHandler(handler)
    service.setLevel(logging.INFO)


# --- wiring ----------------------------------------------------------------------------------


def install(app: Flask) -> None:
    """Time every request, log and count it when answered, and serve /metrics."""

    @app.before_request
    def _start():
        g.started = time.perf_counter()

    @app.after_request
    def _answered(response):
        started = g.pop("started", None)
        if started is None:
            return response
        took = time.perf_counter() - started
        route = route_template()
        method = request.method if request.method in _METHODS else "OTHER"
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        LATENCY.labels(route, method).observe(took)
        if request.endpoint == "visits.Visits" and method == "POST" \
                and response.status_code >= 400:
            VISITS.labels("rejected").inc()
        _pool_sample(app)
        caller = g.get("caller")
        request_id()  # the line names it even when nothing else asked for it
        user_id = caller.user_id if caller is not None else None
        log.info("%s %s %s %.1fms user=%s", method, route, response.status_code, took * 1000,
                 user_id if user_id is not None else "-", extra={
                     "method": method, "route": route, "status": response.status_code,
                     "duration_ms": round(took * 1000, 1), "user_id": user_id})
        return response

    token = app.config.get("METRICS_TOKEN") or None

    @public
    def metrics():
        """Prometheus text format, summed over every worker."""
        if not _may_read_metrics(token):  # as if there were nothing here
            return problem(404, "not_found", _("Not found"), _("No such resource."))
        return Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)

    app.add_url_rule("/metrics", view_func=metrics)
