"""The county office console (SPEC §16) at /office/: plain ES modules served from the package,
no build step, calling only the public API (/api/v1/…). Its one library, lit-html, is vendored
under static/vendor/ (version and license there; clients/office refreshes it from the npm
registry). Labels and messages come from the server (GET /api/v1/labels, problem details)."""

import functools
import hashlib
from importlib import resources

from flask import Blueprint, Response, abort, request

from service.auth import public

blueprint = Blueprint("office", __name__)

TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8"}


def _files() -> dict[str, str]:
    """The console's files and their media types: every page, style sheet and module under
    static/ (the vendored library's license and version notes are not served)."""
    root = resources.files(__package__).joinpath("static")
    found: dict[str, str] = {}
    folders = [("", root)]
    while folders:
        prefix, folder = folders.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                folders.append((f"{prefix}{entry.name}/", entry))
            elif (suffix := entry.name[entry.name.rfind("."):]) in TYPES:
                found[prefix + entry.name] = TYPES[suffix]
    return dict(sorted(found.items()))


FILES = _files()


@functools.cache
def read(name: str) -> bytes:
    return resources.files(__package__).joinpath("static", name).read_bytes()


def _send(name: str) -> Response:
    body = read(name)
    response = Response(body, content_type=FILES[name])
    response.headers["Cache-Control"] = "no-cache"  # revalidated each visit: a 304 when unchanged
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


@blueprint.route("/office")
@public
def office_root():
    """The console's address without its slash."""
    return Response(status=308, headers={"Location": "/office/"})


@blueprint.route("/office/")
@public
def office_index():
    """The console's page."""
    return _send("index.html")


@blueprint.route("/office/<path:name>")
@public
def office_file(name: str):
    """One of the console's files."""
    if name not in FILES:
        abort(404)
    return _send(name)
