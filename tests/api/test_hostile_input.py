"""SPEC §9 "any input": every endpoint meets every hostile class and answers 4xx problem+json.

The walk is driven by the served OpenAPI document: for every operation, every query parameter
and every body field (nested ones too) gets each hostile value in turn, while the other fields
hold plausible values, so the hostile one travels as deep as validation lets it. Path parameters
get hostile values where they are text, absurd ids where they are numbers. Then whole-request
classes: deep JSON, bytes that are not UTF-8, an oversized body, hostile headers and forged
tokens. Each operation is called as a county admin (who reaches everything), as a cadre (who
logs visits) and with no token. Any answer ≥ 500, or an error that is not problem+json, fails.
"""

import base64
import json
from urllib.parse import quote

import jwt
import pytest

from service.openapi import spec_dict
from tests.clock import CST
from tests.factories import PASSWORD
from tests.openapi_walk import fill_path, operations, plausible, resolve

pytestmark = pytest.mark.slow  # independent of the date

NUL, SURROGATE = "a\u0000b", "\ud800"
HUGE = [2**63, -(2**63) - 1, 2**64, 10**30, 1e308]
STRINGS = [NUL, SURROGATE, "\ud800\udc00x\udfff", "x" * 100_000, "\u202e\u0007\x1b[31m"]
DATES = ["0001-01-01", "9999-12-31", "0000-00-00", "2026-02-30", "99999-01-01"]
MOMENTS = ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00",
           "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59",
           "2026-13-01T00:00:00+08:00", "2026-01-01T00:00:00+99:00"]
QUERY_VALUES = ["%00", "a%00b", "%ED%A0%80", "%FF%FE", "0001-01-01", "9999-12", "0001-01",
                str(2**63), str(-(2**63) - 1), "1e308", "%0A%0DSet-Cookie:x=1",
                quote(base64.urlsafe_b64encode(b"v1:0001-01-01T00:00:00+00:00").decode()),
                quote(base64.urlsafe_b64encode(b"v1:9999-12-31T23:59:59+00:00").decode()),
                quote(base64.urlsafe_b64encode(b"\x00\xff").decode())]


def hostile_for(spec, schema):
    schema = resolve(spec, schema)
    kind, fmt = schema.get("type"), schema.get("format")
    if kind in ("integer", "number"):
        return HUGE + ["1", True, None]
    if kind == "boolean":
        return [NUL, 2**63]
    if kind == "array":
        return [[NUL], [SURROGATE], NUL, 2**63]
    if kind == "object":
        return [NUL, [], 2**63]
    if fmt == "date":
        return DATES + [NUL, SURROGATE, 2**63]
    if fmt == "date-time":
        return MOMENTS + [NUL, SURROGATE, 2**63]
    return STRINGS + [2**63, ["x"], {"a": NUL}]


def variants(spec, schema, body, good, depth=0):
    """The body with one field at a time replaced by each hostile value (nested fields too)."""
    schema = resolve(spec, schema)
    if depth > 3 or not isinstance(body, dict):
        return
    for name, prop in (schema.get("properties") or {}).items():
        prop = resolve(spec, prop)
        if prop.get("readOnly"):
            continue
        for value in hostile_for(spec, prop):
            yield {**body, name: value}
        inner = body.get(name, plausible(spec, prop, name, good))
        if prop.get("type") == "object":
            for changed in variants(spec, prop, inner, good, depth + 1):
                yield {**body, name: changed}
        if prop.get("type") == "array" and isinstance(inner, list) and inner:
            item = resolve(spec, prop.get("items", {}))
            for changed in variants(spec, item, inner[0], good, depth + 1):
                yield {**body, name: [changed] + inner[1:]}


class Walk:
    def __init__(self, client, spec, good):
        self.client, self.spec, self.good = client, spec, good
        self.tried = 0
        self.failures = []

    def send(self, method, url, token, what, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.tried += 1
        response = self.client.open(url, method=method.upper(), headers=headers, **kwargs)
        bad = response.status_code >= 500
        if response.status_code >= 400 and not bad:
            bad = (response.mimetype != "application/problem+json"
                   or not isinstance(response.get_json(silent=True), dict)
                   or "code" not in response.get_json())
        if bad:
            self.failures.append((response.status_code, method.upper(), url[:120], what,
                                  response.get_data(as_text=True)[:200]))
        return response

    def json(self, method, url, token, body, what):
        # ensure_ascii keeps lone surrogates as \\ud800 escapes, as a hostile client sends them.
        data = json.dumps(body, ensure_ascii=True)
        return self.send(method, url, token, what, data=data,
                         headers={"Content-Type": "application/json"})

    def operation(self, path, method, op, token):
        spec, good = self.spec, self.good
        url = fill_path(path, op, lambda p: str(good.get(p["name"], good["_id"])))
        # Path parameters: hostile text, absurd numbers.
        for value in ["%00", "%ED%A0%80", "a%0Ab", str(2**63), "-1", "0", "9" * 40]:
            self.send(method, fill_path(path, op, lambda p, v=value: v), token, "path " + value)
        # Query parameters, one at a time.
        for param in op.get("parameters", []):
            if param.get("in") != "query":
                continue
            for value in QUERY_VALUES:
                self.send(method, f"{url}?{param['name']}={value}", token,
                          f"query {param['name']}={value}")
        self.send(method, f"{url}?q=%00&%00=%00", token, "query with NUL names")
        body_spec = (op.get("requestBody") or {}).get("content", {}).get("application/json")
        if not body_spec:
            return
        schema = body_spec["schema"]
        wrap = lambda body: body  # noqa: E731
        if path.endswith("/visits/batch"):  # items are objects in the spec, VisitIn in truth
            schema = {"$ref": "#/components/schemas/VisitIn"}
            wrap = lambda body: {"visits": [body]}  # noqa: E731
        base = plausible(spec, schema, "", good)
        for body in variants(spec, schema, base, good):
            self.json(method, url, token, wrap(body),
                      f"body {json.dumps(body, ensure_ascii=True)[:80]}")
        # Whole-body classes.
        deep = "[" * 100_000 + "]" * 100_000
        for what, data in [("deep arrays", deep),
                           ("deep objects", '{"a":' * 5_000 + "1" + "}" * 5_000),
                           ("not UTF-8", b'{"name": "\xff\xfe\xed\xa0\x80"}'),
                           ("NUL outside strings", '{"a"\u0000: 1}'),
                           ("huge number", '{"id": ' + "9" * 5_000 + "}"),
                           ("huge exponent", '{"id": 1e999999}'),
                           ("NaN", '{"id": NaN}'),
                           ("duplicate keys", '{"a": 1, "a": 2}'),
                           ("a bare string", '"x"'), ("null", "null"),
                           ("oversized", b'{"a": "' + b"x" * (9 * 1024 * 1024) + b'"}')]:
            self.send(method, url, token, what, data=data,
                      headers={"Content-Type": "application/json"})


@pytest.fixture
def good(world, session, clock):
    from service.households.models import Household

    ha1 = world.households["a1"]
    card = session.get(Household, ha1.id).card_code
    now = clock.now().astimezone(CST)
    today = now.date()
    return {"_id": ha1.id, "_today": today.isoformat(), "_now": now.isoformat(),
            "id": "6f1c8a52-2b1f-4c1e-9a57-0c4f1d3b2e10",
            "household_id": ha1.id, "cadre_id": world.cadres["a1"].id,
            "village_id": world.villages["a"].id, "unit_id": world.units["a"].id,
            "township_id": world.township.id, "card_code": card, "month": today.isoformat()[:7],
            "year": today.year, "username": "hostile", "password": "long-enough-password-1"}


@pytest.fixture
def walk(app, client, good):
    return Walk(client, spec_dict(app.extensions["api"]), good)


def test_every_operation_meets_every_hostile_class_with_a_4xx_problem(walk, login_as, world):
    tokens = {"county_admin": login_as(world.users["county_admin"]).token,
              "cadre": login_as(world.users["cadre"]).token, "anonymous": None}
    for path, method, op in operations(walk.spec):
        for token in tokens.values():
            walk.operation(path, method, op, token)
    assert walk.tried > 10_000
    print(f"\nhostile input: {walk.tried} requests, {len(walk.failures)} failed")
    assert not walk.failures, f"{len(walk.failures)} of {walk.tried}:\n" + "\n".join(
        map(repr, walk.failures[:40]))


def forged(app, **claims):
    return jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS256")


def test_hostile_headers_and_forged_tokens_answer_4xx(app, walk, world):
    admin = world.users["county_admin"]
    now = 1_800_000_000
    tv = admin.token_version
    tokens = [forged(app, sub=str(2**63), tv=tv, iat=now, exp=now + 3600),
              forged(app, sub=2**63, tv=tv, iat=now, exp=now + 3600),
              forged(app, sub=str(admin.id), tv=tv, iat=2**63, exp=2**64),
              forged(app, sub=str(admin.id), tv=tv, iat=now, exp=1e308),
              forged(app, sub="\u0000", tv=tv, iat=now, exp=now + 3600),
              forged(app, sub=str(admin.id), tv=2**63, iat=now, exp=now + 3600),
              forged(app, sub=str(admin.id), tv="\ud800", iat=now, exp=now + 3600),
              "\u0000", "a.b.c", "x" * 10_000]
    headers = [{"If-Match": '"\u0000"'}, {"X-Request-ID": "\u0000\u0007"},
               {"Content-Type": "application/json; charset=\u0000"},
               {"Accept": "\u0000"}, {"Accept-Language": "\ud800"}]
    for path, method, op in operations(walk.spec):
        url = fill_path(path, op, lambda p: str(walk.good.get(p["name"], walk.good["_id"])))
        for token in tokens:
            walk.send(method, url, token, "forged token " + token[:20])
        for header in headers:
            walk.send(method, url, None, f"header {header!r}", headers=dict(header))
    assert not walk.failures, f"{len(walk.failures)} of {walk.tried}:\n" + "\n".join(
        map(repr, walk.failures[:40]))


def test_every_kind_of_refused_login_counts_toward_the_clients_limit(client, world, app):
    """50 per client (the default): hostile bodies count like wrong passwords, and the 51st
    attempt hears 429 even with the right password."""
    hostile = ['{"username": "a\\u0000b", "password": "x"}', '{"username": "\\ud800"}',
               "[" * 2_000 + "]" * 2_000, "[" * 5_000 + "]" * 5_000, b"\xff\xfe",
               '{"username": 1e999}', "", "null"]
    answers = []
    for i in range(50):
        data = hostile[i % len(hostile)]
        answers.append(client.post("/api/v1/auth/login", data=data,
                                   headers={"Content-Type": "application/json"}).status_code)
    assert set(answers) <= {400, 413, 415, 422} and len(answers) == 50
    assert 413 in answers  # a body larger than any login (4 KB) is not read
    right = client.post("/api/v1/auth/login", json={
        "username": world.users["county_admin"].username, "password": PASSWORD})
    assert right.status_code == 429, right.get_json()
    assert right.get_json()["code"] == "too_many_attempts"
