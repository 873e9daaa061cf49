"""SPEC §13: security headers on every response. Every GET the spec lists, as a county admin
and with no token, plus errors and the ops and docs pages: `X-Content-Type-Options: nosniff`
and `Referrer-Policy` always, `Cache-Control: no-store` on whatever answered a token (and on
login), a Content-Security-Policy on every HTML page."""

import pytest

from service.openapi import spec_dict
from tests.openapi_walk import fill_path, operations


def check(response, authenticated: bool, where: str) -> None:
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "no-referrer", where
    if authenticated:
        assert headers.get("Cache-Control") == "no-store", where
    if response.mimetype == "text/html":
        policy = headers.get("Content-Security-Policy", "")
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy, where


@pytest.fixture
def ids(world, session):
    from service.households.models import Household

    household = session.get(Household, world.households["a1"].id)
    return {"household_id": household.id, "cadre_id": world.cadres["a1"].id,
            "village_id": world.villages["a"].id, "unit_id": world.units["a"].id,
            "township_id": world.township.id, "card_code": household.card_code}


def test_every_get_carries_the_security_headers(app, admin, anonymous, ids, clock):
    spec = spec_dict(app.extensions["api"])
    month = clock.local().strftime("%Y-%m")
    seen_html = 0
    for path, method, op in operations(spec):
        if method != "get":
            continue
        url = fill_path(path, op, lambda p: str(ids.get(p["name"], 1)))
        values = {"village_id": ids["village_id"], "month": month, "year": month[:4]}
        declared = {p["name"] for p in op.get("parameters", []) if p.get("in") == "query"}
        url += "?" + "&".join(f"{k}={v}" for k, v in values.items() if k in declared)
        formats = [""] + [f"&format={f}" for f in ("html", "csv") if "format" in declared]
        for api, authenticated in ((admin, True), (anonymous, False)):
            for fmt in formats:
                response = api.get(url + fmt)
                check(response, authenticated, f"{path}{fmt} {response.status_code}")
                seen_html += response.mimetype == "text/html"
    assert seen_html >= 5  # the disclosure, the contact card and the printable cards pages
    for url in ("/healthz", "/readyz", "/openapi.yaml", "/docs", "/no-such-page"):
        check(anonymous.get(url), False, url)


def test_login_and_errors_carry_them_too(anonymous, admin, world):
    from tests.factories import PASSWORD

    login = anonymous.post("/api/v1/auth/login", json={
        "username": world.users["county_admin"].username, "password": PASSWORD})
    assert login.status_code == 200
    check(login, True, "login")
    check(admin.post("/api/v1/households", json={}), True, "422")
    check(anonymous.get("/api/v1/households"), False, "401")
