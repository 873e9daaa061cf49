"""Personal data never reaches the logs, not even when a write fails."""

import logging

from tests.factories import valid_id_number


def test_household_writes_and_failures_log_no_personal_data(admin, world, caplog):
    caplog.set_level(logging.DEBUG)
    id_number, phone = valid_id_number(), "13712345678"
    body = {"village_id": world.villages["a"].id, "head_name": "隐私户", "id_number": id_number,
            "phone": phone, "members": 2, "difficulty": "easier", "income_per_capita": 2345.5}
    assert admin.post("/api/v1/households", json=body).status_code == 201
    assert admin.post("/api/v1/households", json=body).status_code == 409  # duplicate ID
    assert admin.get("/api/v1/households?q=隐私户").status_code == 200
    for secret in (id_number, phone, "2345.5", "隐私户"):
        assert secret not in caplog.text


def test_json_log_lines_name_the_request_and_user_and_nothing_private(admin, world, caplog):
    """The same writes as production logs them (LOG_FORMAT=json): each record formatted by
    the service's JSON formatter; the request line names the route template and the user,
    never the household's data."""
    import json

    from service.observability import configure_logging

    configure_logging("json")
    formatter = next(h for h in logging.getLogger("service").handlers
                     if getattr(h, "_service_handler", False)).formatter
    caplog.set_level(logging.DEBUG)
    id_number, phone = valid_id_number(), "13712345679"
    body = {"village_id": world.villages["a"].id, "head_name": "隐私二户", "id_number": id_number,
            "phone": phone, "members": 2, "difficulty": "easier", "income_per_capita": 2345.5}
    created = admin.post("/api/v1/households", json=body, headers={"X-Request-ID": "clerk-42"})
    assert created.status_code == 201
    assert admin.post("/api/v1/households", json=body).status_code == 409
    assert admin.get(f"/api/v1/households/{created.get_json()['id']}").status_code == 200
    lines = [formatter.format(record) for record in caplog.records]
    for secret in (id_number, phone, "2345.5", "隐私二户"):
        assert all(secret not in line for line in lines)
    requests = [json.loads(line) for line in lines if '"route"' in line]
    first = requests[0]
    assert first["request_id"] == "clerk-42" and first["status"] == 201
    assert first["route"] == "/api/v1/households" and first["method"] == "POST"
    assert first["user_id"] == world.users["county_admin"].id
    assert requests[2]["route"] == "/api/v1/households/<id:household_id>"
    configure_logging("text")
