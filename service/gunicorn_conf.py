"""gunicorn settings for `gunicorn 'service:create_app()'`; each can be overridden by env."""

import glob
import multiprocessing
import os
import tempfile

from gunicorn.glogging import Logger

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
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
