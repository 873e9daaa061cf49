"""gunicorn settings for `gunicorn 'service:create_app()'`; each can be overridden by env."""

import glob
import multiprocessing
import os
import tempfile

from gunicorn.glogging import Logger

# gunicorn never faces the network alone (issue 26): a client that sends half its headers and
# then nothing holds one of a worker's threads for as long as it likes (gthread reads the rest
# with no timeout once the first byte has come), so a few dozen such connections stop every
# worker answering. A buffering reverse proxy in front takes them (deploy/nginx/, compose.yaml's
# `proxy`), and by default gunicorn listens on this machine only: BIND=0.0.0.0:8000 says
# otherwise (the Docker image does, so the proxy's container can reach it).
bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# What `timeout` bounds under the gthread worker: the master kills (SIGABRT, then SIGKILL) a
# worker that has not notified it for this many seconds. gthread's main loop notifies before
# every poll of at most one second (workers/gthread.py `run`: `self.notify()` then
# `self.wait_for_and_dispatch_events(timeout=1.0)`), whatever its request threads are doing.
# So it restarts a worker whose main loop is stuck (C code holding the GIL, a deadlock in the
# process), and does NOT bound a request: a request thread may run, or wait on a client, for
# ever without it. Each request's budget is the service's own (REQUEST_SECONDS,
# service/deadline.py); a stalled client is the proxy's to cut off.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Sizes of what a request may carry before the app sees it (gunicorn refuses a larger one with
# a 4xx): the request line (path and query: the longest search term `q` is 100 characters, 900
# bytes percent-encoded in Chinese, beside a few ids, dates and paging), 50 header fields (a
# browser sends about 15, the proxy adds a few), each up to 8 KB (a bearer token is about 250
# bytes, X-Request-ID at most 64, If-Match an ETag; the proxy's limit for one header line is
# 8 KB too, nginx's large_client_header_buffers).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
max_requests = 5000
# Import and build the app once in the master: a worker forks ready, so the restart every
# max_requests costs a fork, not a second of CPU importing the service again.
preload_app = True
max_requests_jitter = 500
# The app writes the one line per request (service/observability.py: request id, route
# template, status, duration, user), so gunicorn's access log is off; its own log (starts,
# worker restarts, timeouts) goes to stderr, as JSON when the app's does.
accesslog = None
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'  # if an operator turns it on
if (os.environ.get("LOG_FORMAT") or ("json" if os.environ.get("SERVICE_ENV") == "production"
                                     else "text")) == "json":
    logconfig_dict = {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}}},
        "handlers": {"error_console": {"class": "logging.StreamHandler", "formatter": "json",
                                       "stream": "ext://sys.stderr"}},
        "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["error_console"],
                                       "propagate": False}},
        "root": {"level": "INFO", "handlers": []},
    }

# Metrics summed over every worker (prometheus-client's multiprocess mode): each process
# writes its samples into this directory, /metrics reads them all. Set before the app (and
# prometheus_client) is imported; emptied when gunicorn starts, so counts begin at zero.
METRICS_DIR = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                                    tempfile.mkdtemp(prefix="shuangbao-metrics-"))
os.makedirs(METRICS_DIR, exist_ok=True)


def on_starting(server):
    for stale in glob.glob(os.path.join(METRICS_DIR, "*.db")):
        os.remove(stale)


def child_exit(server, worker):
    """A worker that ends stops counting in the live gauges (its counters still add up)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def _escaped(text: str) -> str:
    """Printable ASCII kept; anything else (a NUL, a line end that would forge a log line, the
    bytes of a UTF-8 path) written as \\xNN. WSGI hands the path over as Latin-1 text, one
    character per byte, so every character here fits in two hex digits."""
    if text.isascii() and text.isprintable() and "\\" not in text:
        return text
    return "".join(c if " " <= c <= "~" and c != "\\" else f"\\x{ord(c):02x}" for c in text)


class EscapingLogger(Logger):
    """gunicorn's logger, writing every text field of an access line escaped (SPEC §13: no raw
    control characters in logs)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: _escaped(v) if isinstance(v, str) else v for k, v in atoms.items()}


logger_class = EscapingLogger


def post_fork(server, worker):
    """A worker never uses the master's database connections. Building the app makes no
    queries, so there are none; dispose anyway, as SQLAlchemy advises for forked processes."""
    app = getattr(server.app, "callable", None)
    db = getattr(app, "extensions", {}).get("db")
    if db is not None:
        db.engine.dispose(close=False)


def pre_fork(server, worker):
    """Render the OpenAPI document once, in the master, before the first worker is forked:
    every worker then serves /openapi.yaml and /openapi.json from memory it shares, and no
    anonymous request pays the half second a worker would spend building it."""
    app = getattr(server.app, "callable", None)
    api = getattr(app, "extensions", {}).get("api")
    if api is not None and getattr(api, "_spec_yaml", None) is None:
        from service.openapi import spec_json, spec_yaml

        spec_yaml(api)
        spec_json(api)
