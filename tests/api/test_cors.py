"""Browsers on another origin (SPEC §9): a county office front-end served from an origin named
in CORS_ORIGINS may call the API; any other origin gets no CORS headers, so the browser keeps
the answer from the page. No origin is allowed unless configured."""

import pytest

from service import create_app
from service.config import Config

OFFICE = "https://office.huguan.example.cn"
STRANGER = "https://evil.example.com"


@pytest.fixture(scope="module")
def cors_app(engine, database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True,
                      "SECRET_KEY": "test-secret-key-not-for-production",
                      "PASSWORD_HASH_FAST": True,
                      "CORS_ORIGINS": [OFFICE, "http://localhost:5173"]})
    yield app
    app.extensions["db"].engine.dispose()


def preflight(client, origin: str, method: str = "PATCH",
              headers: str = "authorization, content-type, if-match"):
    return client.options("/api/v1/households/1", headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers})


def test_a_preflight_from_the_named_origin_is_answered(cors_app):
    response = preflight(cors_app.test_client(), OFFICE)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == OFFICE
    allowed = {h.strip().lower() for h in
               response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "if-match"} <= allowed
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response.headers  # bearer tokens only
    assert "Origin" in response.headers.get("Vary", "")


def test_answers_to_the_named_origin_expose_etag_location_and_request_id(cors_app):
    client = cors_app.test_client()
    response = client.get("/api/v1/disclosures", headers={"Origin": OFFICE})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == OFFICE
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Location", "X-Request-ID"} <= exposed
    # A refusal is readable too: the page can show the problem's code.
    refused = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "x"},
                          headers={"Origin": OFFICE})
    assert refused.status_code == 401
    assert refused.headers["Access-Control-Allow-Origin"] == OFFICE


def test_another_origin_gets_no_cors_headers(cors_app):
    client = cors_app.test_client()
    assert "Access-Control-Allow-Origin" not in preflight(client, STRANGER).headers
    response = client.get("/api/v1/disclosures", headers={"Origin": STRANGER})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_header_outside_the_list_is_not_allowed(cors_app):
    response = preflight(cors_app.test_client(), OFFICE, headers="x-admin-override")
    assert "x-admin-override" not in response.headers.get("Access-Control-Allow-Headers", "")


def test_no_origin_is_allowed_by_default(client):
    response = preflight(client, OFFICE)
    assert "Access-Control-Allow-Origin" not in response.headers
    response = client.get("/api/v1/disclosures", headers={"Origin": OFFICE})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_origins_are_read_from_the_environment_and_must_be_origins():
    assert Config({"CORS_ORIGINS": f"{OFFICE}, http://localhost:5173/"}).CORS_ORIGINS == [
        OFFICE, "http://localhost:5173"]
    assert Config({}).CORS_ORIGINS == []
    for bad in ("*", "office.example.cn", "https://office.example.cn/path", "javascript:x"):
        with pytest.raises(RuntimeError, match="CORS_ORIGINS"):
            Config({"CORS_ORIGINS": bad})
