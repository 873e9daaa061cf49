"""Application factory: settings, database, API blueprints, error handlers. No queries here."""

import functools

from flask import Flask, Response, send_from_directory
from flask.sessions import SessionInterface
from flask_cors import CORS
from sqlalchemy import text
from sqlalchemy.orm import configure_mappers
from swagger_ui_bundle import swagger_ui_path
from werkzeug.middleware.proxy_fix import ProxyFix

from service import cli, language, observability
from service import models as _models  # noqa: F401  (every model, and history tracking)
from service.api import Api, IdConverter, id_converter_doc, refuse_unknown_parameters
from service.auth import public
from service.config import Config
from service.errors import register_error_handlers
from service.field import blueprint as field_blueprint
from service.observability import configure_logging
from service.office import blueprint as office_blueprint
from service.web import (
    Database,
    ServiceFlask,
    end_budget,
    finish_response,
    get_session,
    guard_request,
    start_budget,
)

# ASCII, so a client generator makes a package name from it; the Chinese is in the description.
API_TITLE = "Shuangbao contact service"
API_VERSION = "1.0.0"
SPEC_OPTIONS = {
    "info": {
        "description": "双包双联 contact service: the cadre–household contact programme of a "
        "county (单位包村, 干部联户, 每月公示). Errors are application/problem+json "
        "(RFC 9457) with a machine `code`; a problem may carry the extension members that "
        "`Problem` lists. A problem's title, detail and messages are Chinese unless the "
        "request says `Accept-Language: en`; its `code` is the same in both. "
        "GET /api/v1/labels gives every enum's codes with their labels.",
    },
    "components": {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        }
    },
}

# Endpoints that the libraries register; they serve public documents.
LIBRARY_PUBLIC_ENDPOINTS = ("api-docs.openapi_json", "api-docs.openapi_swagger_ui", "static")


class NoCookieSession(SessionInterface):
    """Callers authenticate with bearer tokens, so no request reads or sets a session cookie
    (Flask's default would build a signing serializer for every request to look for one)."""

    def open_session(self, app, request):
        return self.make_null_session(app)

    def save_session(self, app, session, response):
        return None


def create_app(config: dict | None = None) -> Flask:
    """Build the WSGI app; `config` overrides settings read from the environment."""
    app = ServiceFlask(__name__, instance_relative_config=False)
    app.config.update(Config().as_dict())
    app.config.update(config or {})
    app.config.update(
        API_TITLE=API_TITLE,
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="/docs/assets/",
        # A pasted token stays in the page, never in localStorage, where any script of the
        # origin could read it after the tab is closed.
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None, "persistAuthorization": False},
        API_SPEC_OPTIONS=SPEC_OPTIONS,
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
    )
    app.session_interface = NoCookieSession()
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    if int(app.config.get("PROXY_COUNT", 0) or 0):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_COUNT"]))
    configure_logging(app.config["LOG_FORMAT"])

    # First registered, so its after_request runs last: what goes out is compressed when the
    # client accepts it (SPEC §17 "light on the wire").
    _compress(app)
    # First of every hook: the budget covers all the work a request causes.
    app.before_request(start_budget)
    app.teardown_request(end_budget)
    Database(app)
    language.install(app)
    register_error_handlers(app)
    app.after_request(finish_response)
    observability.install(app)
    _allow_origins(app)
    app.url_map.converters["id"] = IdConverter
    api = Api(app)
    api.register_converter(IdConverter, id_converter_doc)
    app.extensions["api"] = api
    _register_blueprints(api)
    app.register_blueprint(field_blueprint)  # the field client's files: not in the API spec
    app.register_blueprint(office_blueprint)  # the office console's files: not in it either
    # After the blueprints' own app-wide hooks (the login limit answers 429 before this 4xx).
    app.before_request(guard_request)
    app.before_request(refuse_unknown_parameters)
    _register_ops_routes(app, api)
    cli.register(app)
    for endpoint in LIBRARY_PUBLIC_ENDPOINTS:
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = public(_plain(app.view_functions[endpoint]))
    # Now rather than on a worker's first request (gunicorn forks workers from a built app).
    configure_mappers()
    return app


def _allow_origins(app: Flask) -> None:
    """SPEC §9: a front-end on an origin the county names may call the API from a browser."""
    origins = app.config.get("CORS_ORIGINS") or []
    if not origins:
        return
    CORS(app, resources={r"/api/*": {}, r"/openapi.*": {}}, origins=origins,
         allow_headers=["Authorization", "Content-Type", "If-Match", "X-Request-ID"],
         expose_headers=["ETag", "Location", "X-Request-ID", "X-Server-Time", "Retry-After",
                         "Content-Disposition"],
         methods=["GET", "POST", "PATCH", "DELETE"], max_age=600, supports_credentials=False)


def _plain(view):
    """A function around a library's (possibly bound-method) view, so it can be marked."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)

    return wrapper


def _register_blueprints(api: Api) -> None:
    from service.assignments.routes import blp as assignments
    from service.audit.routes import blp as audit
    from service.cadres.routes import blp as cadres
    from service.cards.routes import blp as cards
    from service.contacts.routes import blp as contacts
    from service.coverage.routes import blp as coverage
    from service.demands.routes import blp as demands
    from service.disclosures.routes import blp as disclosures
    from service.evaluation.routes import blp as evaluation
    from service.households.routes import blp as households
    from service.imports.routes import blp as imports
    from service.inspections.routes import blp as inspections
    from service.labels.routes import blp as labels
    from service.pairings.routes import blp as pairings
    from service.places.routes import blp as places
    from service.planner.routes import blp as planner
    from service.reports.routes import blp as reports
    from service.tasks.routes import blp as tasks
    from service.units.routes import blp as units
    from service.users.routes import blp as users
    from service.visits.routes import blp as visits

    for blp in (users, places, units, cadres, households, assignments, pairings, contacts,
                coverage, tasks, demands, visits, reports, disclosures, inspections, cards,
                evaluation, audit, imports, planner, labels):
        api.register_blueprint(blp)


def _register_ops_routes(app: Flask, api: Api) -> None:
    @public
    def healthz():
        """The process is up."""
        return {"status": "ok"}

    @public
    def readyz():
        """The database answers."""
        try:
            get_session().execute(text("SELECT 1"))
        except Exception:  # any driver error means not ready
            return {"status": "unavailable"}, 503
        return {"status": "ok"}

    @public
    def openapi_yaml():
        """The OpenAPI document as YAML."""
        from service.openapi import spec_yaml

        return Response(spec_yaml(api), mimetype="application/yaml")

    @public
    def docs_assets(filename):
        """Swagger UI assets, served from the installed package (no internet needed)."""
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    app.add_url_rule("/healthz", view_func=healthz)
    app.add_url_rule("/readyz", view_func=readyz)
    app.add_url_rule("/openapi.yaml", view_func=openapi_yaml)
    app.add_url_rule("/docs/assets/<path:filename>", view_func=docs_assets)


# SPEC §17: static files and JSON answers of 1 KB or more, compressed (zstd, brotli, gzip or
# deflate, as the client accepts). Spreadsheets are zip files already; streamed answers (CSV
# exports, /docs' files) go as they are. flask-compress names a compressed representation's
# strong ETag with its coding ("v3" → "v3:br"), so an If-Match takes either
# (service/api.py check_if_match).
COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript",
                    "application/json", "application/problem+json", "application/manifest+json",
                    "image/svg+xml", "application/yaml", "text/yaml"]


def _compress(app: Flask) -> None:
    from flask_compress import Compress

    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    # A streamed answer (an export written as it is read, a file of /docs) goes as it is: the
    # library's streaming path leaves the file it reads from open, and an export must stay a
    # stream of bounded memory.
    app.config.setdefault("COMPRESS_STREAMS", False)
    Compress(app)
