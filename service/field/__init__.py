"""The field client (SPEC §12): a mobile web app for cadres at /field/, served from the package
as plain files (ES modules, no build step). After the first visit its service worker keeps the
app and IndexedDB keeps the cadre's households and the outbox, so it opens and saves visits
with no signal and sends them with POST /api/v1/visits/batch when it can.

The service worker is served with a version made from the files' contents: a new release
changes it, so phones fetch the new app on their next visit online and keep the old one
meanwhile."""

import functools
import hashlib
from importlib import resources

from flask import Blueprint, Response, abort, request

from service.auth import public

blueprint = Blueprint("field", __name__)

# The files of the app and their media types. Nothing else under static/ is served.
FILES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "store.js": "text/javascript; charset=utf-8",
    "outbox.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "manifest.webmanifest": "application/manifest+json",
    "icon.svg": "image/svg+xml",
}
SHELL = ("index.html", "app.js", "store.js", "outbox.js", "style.css")


@functools.cache
def read(name: str) -> bytes:
    return resources.files(__package__).joinpath("static", name).read_bytes()


@functools.cache
def version() -> str:
    """A digest of every file of the app (and of the service worker itself)."""
    digest = hashlib.sha256()
    for name in (*FILES, "sw.js"):
        digest.update(name.encode() + b"\0" + read(name))
    return digest.hexdigest()[:16]


def _send(body: bytes, media_type: str) -> Response:
    response = Response(body, content_type=media_type)
    # Revalidated on every visit online (the ETag makes that a 304), kept by the service
    # worker for visits offline.
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


@blueprint.route("/field")
@public
def field_root():
    """The app's address without its slash."""
    return Response(status=308, headers={"Location": "/field/"})


@blueprint.route("/field/")
@public
def field_index():
    """The app's page."""
    return _send(read("index.html"), FILES["index.html"])


@blueprint.route("/field/sw.js")
@public
def field_worker():
    """The service worker, stamped with the app's version; its scope is /field/."""
    body = read("sw.js").replace(b"__VERSION__", version().encode())
    response = _send(body, "text/javascript; charset=utf-8")
    response.headers["Service-Worker-Allowed"] = "/field/"
    return response


@blueprint.route("/field/<string(maxlength=40):name>")
@public
def field_file(name: str):
    """One of the app's files."""
    if name not in FILES:
        abort(404)
    return _send(read(name), FILES[name])
