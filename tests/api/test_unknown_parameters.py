"""No silent filters (SPEC §15): a query parameter an operation does not take is 400
`unknown_parameter` naming it, on every operation, instead of being ignored (a typo in a
filter would answer the whole county)."""

from service.openapi import spec_dict
from tests.openapi_walk import fill_path, operations


def unknown(response, *names: str) -> dict:
    assert response.status_code == 400, (response.status_code, response.json)
    assert response.content_type == "application/problem+json"
    body = response.json
    assert body["code"] == "unknown_parameter"
    assert body["parameters"] == list(names)
    for name in names:
        assert name in body["detail"]
    return body


def test_a_typo_in_a_filter_is_refused_not_ignored(admin, world):
    body = unknown(admin.get(f"/api/v1/households?villageid={world.villages['a'].id}"),
                   "villageid")
    assert "village_id" in body["detail"]  # what the operation does take
    assert admin.get(f"/api/v1/households?village_id={world.villages['a'].id}").status_code \
        == 200


def test_a_filter_another_list_takes_is_unknown_here(admin):
    unknown(admin.get("/api/v1/tasks?township_id=1"), "township_id")


def test_every_unknown_parameter_is_named(admin):
    unknown(admin.get("/api/v1/cadres?zeta=1&alpha=2&page=1"), "alpha", "zeta")


def test_an_operation_without_query_parameters_takes_none(admin, world):
    unknown(admin.get(f"/api/v1/households/{world.households['a1'].id}?fields=all"), "fields")


def test_public_operations_refuse_them_too(anonymous):
    unknown(anonymous.get("/api/v1/disclosures?secret=1"), "secret")


def test_a_long_unknown_name_is_sent_back_cut_short(admin):
    body = admin.get("/api/v1/households?" + "x" * 1000 + "=1").json
    assert body["code"] == "unknown_parameter"
    assert body["parameters"] == ["x" * 64]


def test_every_operation_refuses_a_parameter_it_does_not_take(app, admin, world):
    spec = spec_dict(app.extensions["api"])
    ids = {"household_id": world.households["a1"].id, "cadre_id": world.cadres["a1"].id}
    tried = 0
    for path, method, operation in operations(spec):
        if method != "get":
            continue
        url = fill_path(path, operation, lambda param: str(
            ids.get(param["name"], 1) if param["schema"].get("type") == "integer"
            else "00000000-0000-4000-8000-000000000000"))
        response = admin.get(url + ("&" if "?" in url else "?") + "not_a_parameter=1")
        assert response.status_code == 400, (url, response.status_code)
        assert response.json["code"] == "unknown_parameter", (url, response.json)
        tried += 1
    assert tried > 40
