"""The committed openapi.yaml is the live spec; every endpoint declares who may call it."""

import json
import pathlib
import re
import shutil
import subprocess

import pytest
import yaml

from service.api import Pattern
from service.openapi import spec_dict

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_committed_openapi_matches_the_code(app):
    committed = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    live = spec_dict(app.extensions["api"])
    assert committed == live, (
        "openapi.yaml is stale: regenerate with "
        "`.venv/bin/python -m service.openapi > openapi.yaml`"
    )


def test_service_serves_the_same_spec_as_yaml(anonymous, app):
    response = anonymous.get("/openapi.yaml")
    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert yaml.safe_load(response.get_data(as_text=True)) == spec_dict(app.extensions["api"])


def _views_without_access(app):
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            target = getattr(view_class, method.lower(), None) if view_class else view
            if not getattr(target, "_access", None):
                missing.append(f"{method} {rule.rule}")
    return missing


def test_every_endpoint_declares_a_permission_or_that_it_is_public(app):
    assert _views_without_access(app) == []


def test_the_check_catches_an_undeclared_endpoint(app):
    from flask import Flask

    probe = Flask("probe", static_folder=None)
    probe.add_url_rule("/open", view_func=lambda: "x", endpoint="open")
    assert _views_without_access(probe) == ["GET /open"]


# What anyone may read or do without a token: logging in, and what villagers see.
PUBLIC_OPERATIONS = {
    ("post", "/api/v1/auth/login"),
    ("get", "/api/v1/reports/disclosure"),
    ("get", "/api/v1/disclosures"),
    ("get", "/api/v1/disclosures/{disclosure_id}"),
    ("get", "/api/v1/disclosures/{disclosure_id}/verify"),
    ("get", "/api/v1/public/contact-cards/{card_code}"),
    ("get", "/api/v1/labels"),
}


def test_every_api_operation_outside_the_public_ones_requires_a_token(app):
    spec = spec_dict(app.extensions["api"])
    public = set()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            if op["security"] == []:
                public.add((method, path))
            else:
                assert op["security"] == [{"bearerAuth": []}], f"{method} {path}"
    assert public == PUBLIC_OPERATIONS


def test_docs_page_uses_only_local_assets(anonymous):
    page = anonymous.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html
    assert "/docs/assets/swagger-ui-bundle.js" in html
    asset = anonymous.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
    asset.close()


# --- what client generators and validators rely on (SPEC §9) ---------------------------------


def served_spec(anonymous) -> dict:
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def walk(node, key: str):
    """Every value of `key` anywhere in a JSON document."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from walk(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v, key)


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                yield method, path, op


def test_the_served_spec_is_valid_openapi(anonymous):
    from openapi_spec_validator import validate

    validate(served_spec(anonymous))


def test_the_validator_would_catch_a_response_without_a_description(anonymous):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    spec = served_spec(anonymous)
    del spec["paths"]["/api/v1/reports/disclosure"]["get"]["responses"]["200"]["description"]
    with pytest.raises(OpenAPIValidationError):
        validate(spec)


def test_every_operation_has_a_unique_readable_operation_id(anonymous):
    ids = [op.get("operationId") for _, _, op in operations(served_spec(anonymous))]
    assert all(isinstance(i, str) and re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", i) for i in ids), ids
    assert len(ids) == len(set(ids))
    for expected in ("listHouseholds", "createHousehold", "getHousehold", "updateHousehold",
                     "deleteHousehold", "createVisitBatch", "endPairing", "transitionTask",
                     "handoverCadre", "verifyDisclosure", "getDisclosureReport", "login",
                     "getPublicContactCard", "listVillageContactCards", "getInspectionRates"):
        assert expected in ids


def test_every_response_has_a_description_and_every_text_format_its_media_type(anonymous):
    spec = served_spec(anonymous)
    for method, path, op in operations(spec):
        for status, response in op["responses"].items():
            if "$ref" not in response:
                assert response.get("description"), (method, path, status)
    formats = spec["paths"]["/api/v1/reports/disclosure"]["get"]["responses"]["200"]["content"]
    assert set(formats) == {"application/json", "text/csv", "text/html"}


def test_the_title_is_ascii_and_the_chinese_name_is_in_the_description(anonymous):
    info = served_spec(anonymous)["info"]
    assert info["title"].isascii() and re.fullmatch(r"[A-Za-z][A-Za-z ]+", info["title"])
    assert "双包双联" in info["description"]


# Strings on which Python (the server) and JavaScript (a front-end validating with the spec)
# must give the same answer for every pattern.
PATTERN_PROBES = [
    "", " ", "a", "张三", " 张三 ", "\u3000", "\u3000张\u3000", "\t", "\n", "x\n", "\u00a0",
    "\u2003", "\ufeff", "\x1c", "2026-10", "2026-10\n", "1999-13", "2999-12", "12026-10",
    "123456789", "1234567890", "140427198001011234", "14042719800101123x", "14042719800101123X",
    "1404271980010112345", "13812345678", "12812345678", "1381234567\n", "0351-1234567",
    "03511234567", "admin", "ad", "user.name-1", "user name", "１２３", "A" * 60,
    "2026-10-01", "0001-01-01", "2026-13-01", "2026-10-01\n", "2026-10-01T09:30:00+08:00",
    "2026-10-01T09:30:00.123456Z", "2026-10-01T09:30+08:00", "2026-10-01T09:30:00",
    "2026-10-01 09:30:00+08:00", "9999-12-31T23:59:59Z", "2026-10-01T24:00:00Z",
]


def test_every_pattern_is_ecma_262_and_reads_alike_in_python_and_javascript(anonymous):
    patterns = sorted(set(walk(served_spec(anonymous), "pattern")))
    assert len(patterns) >= 6
    for pattern in patterns:
        for python_only in (r"\A", r"\Z", r"\z", "(?P", "(?<=", "(?<!", "*+", "++", "?+"):
            assert python_only not in pattern, pattern
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is needed to compile the patterns as JavaScript")
    script = """
const [patterns, probes] = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(patterns.map(p => { const r = new RegExp(p, "u");
  return probes.map(s => r.test(s)); })));
"""
    result = subprocess.run([node, "-e", script], input=json.dumps([patterns, PATTERN_PROBES]),
                            capture_output=True, text=True, check=True)
    javascript = json.loads(result.stdout)
    for pattern, js in zip(patterns, javascript, strict=True):
        python = [Pattern(pattern).regex.fullmatch(s) is not None for s in PATTERN_PROBES]
        assert python == js, (pattern, [p for p, a, b in zip(PATTERN_PROBES, python, js,
                                                              strict=True) if a != b])


def test_a_nullable_object_admits_null_but_not_any_object(anonymous):
    from openapi_schema_validator import OAS30Validator

    spec = served_spec(anonymous)
    visit = {**spec["components"]["schemas"]["VisitIn"], "components": spec["components"]}
    valid = {"id": "0b0e6c1e-8d4a-4a51-9d35-5a4f38f6a2b1", "household_id": 1,
             "visited_at": "2026-10-01T10:00:00+08:00", "kind": "home_visit"}
    validator = OAS30Validator(visit)
    assert validator.is_valid({**valid, "location": None})
    assert validator.is_valid({**valid, "location": {"latitude": 36.1, "longitude": 113.2}})
    assert not validator.is_valid({**valid, "location": {}})
    assert not validator.is_valid({**valid, "location": {"anything": 1}})


def test_problem_allows_extension_members_and_lists_those_the_service_sends(anonymous):
    problem = served_spec(anonymous)["components"]["schemas"]["Problem"]
    assert problem["additionalProperties"] is True
    assert set(problem["required"]) == {"type", "title", "status", "code"}
    for member in ("errors", "current_etag", "dependents", "id", "task_ids", "pairing_ids",
                   "disclosure_id", "quota", "active"):
        assert member in problem["properties"], member


def test_sending_an_undocumented_problem_member_fails_loudly_under_testing(app):
    from service.errors import problem

    with app.test_request_context(), pytest.raises(AssertionError, match="ProblemSchema"):
        problem(409, "conflict", "Conflict", surprise=1)


def test_id_numbers_phones_and_codes_carry_their_patterns(anonymous):
    schemas = served_spec(anonymous)["components"]["schemas"]
    assert schemas["HouseholdIn"]["properties"]["id_number"]["pattern"] == r"^[0-9]{17}[0-9Xx]$"
    assert "pattern" in schemas["HouseholdIn"]["properties"]["phone"]
    assert "pattern" in schemas["CadreIn"]["properties"]["phone"]
    assert "pattern" in schemas["VillageIn"]["properties"]["code"]
    assert "pattern" in schemas["TownshipIn"]["properties"]["code"]
    assert "pattern" in schemas["UserIn"]["properties"]["username"]


# Bodies the server does without (and says so): publishing a month takes an optional
# township; without a body, the whole county.
OPTIONAL_BODIES = {("post", "/api/v1/disclosures/months/{month}")}


def test_every_json_body_is_required(anonymous):
    for method, path, op in operations(served_spec(anonymous)):
        if "requestBody" in op:
            required = (method, path) not in OPTIONAL_BODIES
            assert op["requestBody"].get("required", False) is required, (method, path)
