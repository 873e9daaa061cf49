"""GET /api/v1/audit?request_id= (SPEC §11): every change one request made (a household and the
tasks its needs generated) found by the X-Request-ID the service answered, in the caller's
scope as the rest of the trail."""

import pytest

from tests import factories

API = "/api/v1"
AUDIT = f"{API}/audit"


def ok(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


def test_the_events_of_one_request_are_found_by_its_id(world, admin, unit_admin):
    village = world.villages["a"]
    created = admin.post(f"{API}/households", headers={"X-Request-ID": "req-77"}, json={
        "village_id": village.id, "head_name": "新登记户", "id_number": factories.valid_id_number(),
        "members": 2, "difficulty": "easier", "needs": ["low_income", "skills_training"],
        "income_per_capita": 2500})
    household = ok(created, 201)
    assert created.headers["X-Request-ID"] == "req-77"
    ok(admin.patch(f"{API}/villages/{world.villages['b'].id}", json={"name": "新名村"},
                   headers={"X-Request-ID": "req-78"}))

    page = ok(admin.get(AUDIT, query_string={"request_id": "req-77"}))
    kinds = sorted((e["record_type"], e["action"]) for e in page["items"])
    assert kinds == [("household", "create"), ("task", "create"), ("task", "create")]
    assert {e["request_id"] for e in page["items"]} == {"req-77"}
    assert str(household["id"]) in {e["record_id"] for e in page["items"]}
    # With the other filters, and in the caller's scope: unit B's village is not unit A's.
    assert ok(admin.get(AUDIT, query_string={"request_id": "req-77",
                                             "record_type": "household"}))["total"] == 1
    assert ok(admin.get(AUDIT, query_string={"request_id": "req-78"}))["total"] == 1
    assert ok(unit_admin.get(AUDIT, query_string={"request_id": "req-78"}))["total"] == 0
    assert ok(unit_admin.get(AUDIT, query_string={"request_id": "req-77"}))["total"] == 3
    assert ok(admin.get(AUDIT, query_string={"request_id": "req-79"}))["total"] == 0


@pytest.mark.parametrize("value", ["a b", "x" * 65, "req/1"])
def test_a_request_id_no_request_can_have_is_422(admin, value):
    response = admin.get(AUDIT, query_string={"request_id": value})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["code"] == "validation_failed"
    assert "request_id" in response.json["errors"]
