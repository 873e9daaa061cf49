"""GET /api/v1/labels (SPEC §15): the one table of labels, public, with an ETag, so a client
keeps it (offline too) and asks again only to learn whether it changed."""

import hashlib
import json

import flask_babel
from flask import Response, request
from flask.views import MethodView

from service.api import Blueprint
from service.auth import public
from service.labels import schemas as s
from service.labels.table import localized

blp = Blueprint("labels", __name__, url_prefix="/api/v1",
                description="Labels: every enum's codes in the reader's language")

_ANSWERS: dict[str, tuple[dict, str]] = {}


def _answer() -> tuple[dict, str]:
    """The table in the request's language and its ETag (one per language and process)."""
    locale = str(flask_babel.get_locale())
    if locale not in _ANSWERS:
        table = localized(flask_babel.get_translations())
        digest = hashlib.sha256(json.dumps(table, ensure_ascii=False, sort_keys=True)
                                .encode()).hexdigest()[:32]
        _ANSWERS[locale] = table, f"labels-{locale}-{digest}"
    return _ANSWERS[locale]


@blp.route("/labels")
class Labels(MethodView):
    @public
    @blp.response(200, s.Labels, headers={
        "ETag": {"schema": {"type": "string"},
                 "description": "The table's version in this language; send it back as "
                                "If-None-Match to hear 304 while it is unchanged"}})
    @blp.doc(responses={"304": {"description": "Not modified: the labels the client holds "
                                               "(its If-None-Match) are current"}},
             parameters=[{"in": "header", "name": "If-None-Match", "required": False,
                          "schema": {"type": "string"},
                          "description": "The ETag of the labels the client holds"}])
    def get(self):
        """Every enum's codes and their labels (Chinese; English on Accept-Language: en)."""
        table, etag = _answer()
        headers = {"ETag": f'"{etag}"', "Cache-Control": "no-cache"}
        if request.if_none_match.contains(etag):
            return Response(status=304, headers=headers)
        return table, 200, headers
