"""Where a request meets the services: its session, its id, its context and its one commit.

Routes build a Context with `context()` and call services; services flush but never commit.
A request that writes is committed once, after its view returned (ServiceFlask below), so the
change and its audit events land together or not at all; any refusal leaves nothing behind.
The CLI builds its context with `cli_context()` and commits itself.
"""

import base64
import functools
import hashlib
import re
import uuid
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from service import deadline, edges, heavy
from service.clock import utcnow
from service.context import ANONYMOUS, Context, CountyClock, Settings
from service.db import for_writing, make_engine

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# SPEC §13: a caller's X-Request-ID is kept when it is plain enough to log; else one is made.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class Database:
    """Holds the engine and hands out one session per app context."""

    def __init__(self, app: Flask):
        self.engine = make_engine(app.config["DATABASE_URL"],
                                  statement_seconds=float(app.config["REQUEST_SECONDS"]))
        self.factory = sessionmaker(self.engine, expire_on_commit=False)
        app.extensions["db"] = self
        app.teardown_appcontext(self._close)

    @staticmethod
    def _close(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def get_session() -> Session:
    """The current app context's session, opened on first use (a writer's, for a request
    that writes)."""
    if "db_session" not in g:
        session = current_app.extensions["db"].factory()
        g.db_session = for_writing(session) if _writing() else session
    return g.db_session


def _writing() -> bool:
    return has_request_context() and request.method in WRITES


def settings() -> Settings:
    """The app's settings, as its configuration says now (a few microseconds to build)."""
    return Settings.from_config(current_app.config)


def request_id() -> str:
    """This request's id: the caller's X-Request-ID when well-formed, else a new one."""
    if "request_id" not in g:
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
    return g.request_id


def caller():
    """The authenticated caller of this request (service/auth.py confirms it), or ANONYMOUS."""
    return g.get("caller") or ANONYMOUS


def context(session: Session | None = None) -> Context:
    """The context for this request's service calls."""
    config = settings()
    return Context(session or get_session(), CountyClock(config.county_zone), config,
                   caller(), request_id())


def cli_context() -> Context:
    """The context of a command-line call: no caller (actor "cli"), the app's settings, and no
    statement timeout (a county-wide import or export has no request's budget)."""
    config = settings()
    session = get_session()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET statement_timeout = 0"))  # this process's connections only
    return Context(session, CountyClock(config.county_zone), config, None)


class ServiceFlask(Flask):
    """Flask, committing a writing request's session once its view has answered; a failed
    commit is handled like any refusal from the view (an error handler's problem+json)."""

    def dispatch_request(self):
        answer = super().dispatch_request()
        if request.method in WRITES:
            session = g.get("db_session")
            if session is not None:
                session.commit()
        return answer


def heavy_work():
    """A slot for a heavy request (service/heavy.py), or 503 busy at once."""
    config = current_app.config
    return heavy.slot(Path(config["HEAVY_DIR"]), int(config["HEAVY_REQUESTS"]))


def heavy_request(view):
    """Run a view in a heavy-work slot."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with heavy_work():
            return view(*args, **kwargs)

    return wrapper


def start_budget() -> None:
    """The request's wall-clock budget starts as it arrives (service/deadline.py)."""
    g.budget = deadline.start(float(current_app.config["REQUEST_SECONDS"]))


def end_budget(_exc) -> None:
    token = g.pop("budget", None)
    if token is not None:
        deadline.stop(token)


def guard_request() -> None:
    """SPEC §9: the query and path parameters carry nothing no field may take (NUL, lone
    surrogates, integers past 64 bits), whatever the endpoint; bodies are checked as they are
    parsed (service/api.py)."""
    found: dict[str, list[str]] = {}
    for name, values in request.args.lists():
        found.update(edges.offences({name: values[0] if len(values) == 1 else values}))
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            found.update(edges.offences({name: value}))
    edges.refuse(found)


# SPEC §13: HTML pages run no script but what they ship, and load nothing from elsewhere. The
# printed pages (disclosures, cards) carry their styles inline and QR codes as data: images.
HTML_POLICY = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
# The API explorer (/docs) is the library's page: its own script files and one inline script
# that starts them; it shows no record, and calls only this service.
DOCS_POLICY = ("default-src 'none'; script-src 'self' 'unsafe-inline'; "
               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

# The field client (/field/): its own modules and styles, the camera for the card's QR code,
# its service worker, and calls to this service only.
FIELD_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                "img-src 'self' data: blob:; media-src 'self' blob: mediastream:; "
                "connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")



def _printed_styles() -> str:
    """The hashes of the printed pages' inline style sheets (cards, disclosure). A printed page
    that needs a token (a village's cards) is fetched by the console and opened from a blob:
    address, which keeps the console's policy: these hashes let exactly those styles apply."""
    from importlib import resources

    hashes = []
    for package, name in (("service.cards", "cards.html"), ("service.reports", "disclosure.html")):
        page = resources.files(package).joinpath("templates", name).read_text(encoding="utf-8")
        start = page.index("<style>") + len("<style>")
        sheet = page[start:page.index("</style>", start)]
        digest = base64.b64encode(hashlib.sha256(sheet.encode()).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return " ".join(hashes)


# The office console (/office/): its own modules and styles, calls to this service only; the
# printed pages it opens (in a new tab) keep their own inline styles, named by hash.
OFFICE_POLICY = (f"default-src 'none'; script-src 'self'; style-src 'self' {_printed_styles()}; "
                 "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                 "form-action 'none'; frame-ancestors 'none'")


def _policy(path: str) -> str:
    if path == "/docs" or path.startswith("/docs/"):
        return DOCS_POLICY
    if path.startswith("/field/"):
        return FIELD_POLICY
    if path.startswith("/office/"):
        return OFFICE_POLICY
    return HTML_POLICY


def finish_response(response):
    """Every answer names its request (SPEC §13), as the audit trail does, and carries the
    security headers: no content sniffing, no referrer sent on, nothing kept by caches of an
    answer given to a token, and a Content-Security-Policy on HTML."""
    headers = response.headers
    headers["X-Request-ID"] = request_id()
    if request.path.startswith("/api/"):
        # The service's own time, to the millisecond (SPEC §17 "the phone's clock"): a phone
        # compares it with its clock. Gunicorn's Date says the same to the second, but a test's
        # service runs on the clock the test set.
        headers["X-Server-Time"] = utcnow().isoformat(timespec="milliseconds")
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    if "Authorization" in request.headers:  # (login, which answers a token, says so itself)
        headers["Cache-Control"] = "no-store"
    if response.mimetype == "text/html":
        headers["Content-Security-Policy"] = _policy(request.path)
    return response
