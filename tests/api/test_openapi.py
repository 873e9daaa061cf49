"""The committed openapi.yaml is the live spec; every endpoint declares who may call it."""

import pathlib

import yaml

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
