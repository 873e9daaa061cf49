"""gunicorn settings for `gunicorn 'service:create_app()'`; each can be overridden by env."""

import multiprocessing
import os

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
accesslog = "-"
errorlog = "-"
# Path without the query string: queries can carry names (?q=张三), which never go to logs.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


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
