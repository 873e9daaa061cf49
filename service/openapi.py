"""The OpenAPI document: what we add to flask-smorest's, and how it is rendered (the same way
for /openapi.yaml and the committed file).

SPEC §9 "any client generator": every operation has a readable `operationId`, and a nullable
object says so without admitting any object at all.
"""

import json
import re
from decimal import Decimal

import yaml
from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from marshmallow import fields as ma_fields

# null, and nothing else, in OpenAPI 3.0: `nullable` only adds null to a schema's `type`, and
# the enum leaves no object.
NULL_ONLY = {"type": "object", "nullable": True, "enum": [None]}


# SPEC §9: no string may carry a NUL (service/edges.py refuses it everywhere), and the spec
# says what the server refuses. ECMA-262 and Python read `\u0000` alike.
NO_NUL = "^[^\\u0000]*$"
_NO_NUL_AHEAD = "^(?![\\s\\S]*\\u0000)"


def _admits_anything(pattern: str) -> bool:
    """Whether a pattern has a part that matches (almost) any character, NUL among them; a
    pattern of plain classes like [0-9] needs no word about NUL."""
    return "[\\s\\S]" in pattern or "[^" in pattern or re.search(r"(?<!\\)\.", pattern) is not None


class _Converter(OpenAPIConverter):
    """apispec writes a nullable nested schema as `anyOf: [{type: object, nullable: true},
    {$ref}]`, whose first branch lets `{}` (or any object) through; ours is null only. Every
    free string says it holds no NUL."""

    def field2property(self, field) -> dict:
        prop = super().field2property(field)
        if isinstance(field, ma_fields.String) and prop.get("type") == "string" \
                and "enum" not in prop and not prop.get("format"):
            pattern = prop.get("pattern")
            if pattern is None:
                prop["pattern"] = NO_NUL
            elif pattern.startswith("^") and _admits_anything(pattern):
                prop["pattern"] = _NO_NUL_AHEAD + pattern[1:]
        return prop

    def field2nullable(self, field, ret) -> dict:
        attributes = super().field2nullable(field, ret)
        if "anyOf" in attributes:
            attributes["anyOf"] = [NULL_ONLY if branch == {"type": "object", "nullable": True}
                                   else branch for branch in attributes["anyOf"]]
        return attributes


class _Marshmallow(MarshmallowPlugin):
    Converter = _Converter


# Path words that name no resource of their own.
_QUALIFIERS = {"public": "Public"}
# The one exception to the rules below (a verb, not a resource).
_NAMED = {("post", "/api/v1/auth/login"): "login"}
_VERBS = {"get": "get", "post": "create", "put": "replace", "patch": "update", "delete": "delete"}


def _camel(word: str) -> str:
    return "".join(part.capitalize() for part in word.split("-"))


def _verb(word: str) -> str:
    camel = _camel(word)
    return camel[0].lower() + camel[1:]


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") else word


def operation_id(method: str, path: str) -> str:
    """A readable, stable id from the method and the path: listHouseholds, createHousehold,
    getHousehold, updateHousehold, deleteHousehold, endPairing (POST /pairings/{id}/end),
    verifyDisclosure (GET …/{id}/verify), listVillageContactCards, createVisitBatch (POST
    /visits/batch), getInspectionRates, getDisclosureReport, getPublicContactCard."""
    if (method, path) in _NAMED:
        return _NAMED[(method, path)]
    parts = [p for p in path.split("/") if p][2:]  # after /api/v1
    qualifier = ""
    while parts and parts[0] in _QUALIFIERS:
        qualifier += _QUALIFIERS[parts.pop(0)]
    words = [p for p in parts if not p.startswith("{")]
    item = parts[-1].startswith("{")
    resource = words[0]
    if len(words) == 1:
        if item or method != "get":
            return _VERBS[method] + qualifier + _camel(_singular(resource))
        return ("list" if resource.endswith("s") else "get") + qualifier + _camel(resource)
    sub = words[1]
    if resource == "reports":
        return "get" + _camel(sub) + "Report"
    if len(parts) > 1 and parts[1].startswith("{"):  # /things/{id}/sub
        if method == "get" and sub.endswith("s"):
            return "list" + _camel(_singular(resource)) + _camel(sub)
        if method in ("get", "post"):
            return _verb(sub) + _camel(_singular(resource))
    return _VERBS[method] + _camel(_singular(resource)) + _camel(sub)


class _OperationIds(BasePlugin):
    """Give every operation the id `operation_id` makes, unless its view names one, the 503
    any of them answers while the database is away (SPEC §9 "faults"), and the 400 any of them
    answers to a query parameter it does not take (SPEC §15)."""

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            operation.setdefault("operationId", operation_id(method, path))
            operation.setdefault("responses", {}).setdefault("503", "SERVICE_UNAVAILABLE")
            # Any operation refuses a query parameter it does not take (unknown_parameter).
            operation["responses"].setdefault("400", "BAD_REQUEST")


def spec_plugins() -> dict:
    """The plugins flask-smorest's APISpec is built with (its `spec_kwargs`)."""
    return {"marshmallow_plugin": _Marshmallow(), "extra_plugins": [_OperationIds()]}


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def spec_dict(api) -> dict:
    """The live spec as plain JSON data (validator bounds may be Decimals). Built once per
    process (0.4–0.8 s of CPU): the routes do not change after the app is made, and an
    anonymous caller must not be able to make the server build it again and again."""
    cached = getattr(api, "_spec_dict", None)
    if cached is None:
        cached = api._spec_dict = json.loads(json.dumps(api.spec.to_dict(), default=_plain))
    return cached


def spec_json(api) -> bytes:
    """The spec as the JSON /openapi.json serves, built once per process."""
    cached = getattr(api, "_spec_json", None)
    if cached is None:
        cached = api._spec_json = json.dumps(spec_dict(api), ensure_ascii=False).encode()
    return cached


def spec_yaml(api) -> str:
    """Stable YAML (Chinese kept readable) for diffing and committing; built once per
    process."""
    cached = getattr(api, "_spec_yaml", None)
    if cached is None:
        cached = api._spec_yaml = yaml.safe_dump(spec_dict(api), allow_unicode=True,
                                                 sort_keys=True, width=100)
    return cached


if __name__ == "__main__":  # python -m service.openapi > openapi.yaml
    import sys

    from service import create_app

    app = create_app({"DATABASE_URL": "sqlite://"})
    sys.stdout.write(spec_yaml(app.extensions["api"]))
