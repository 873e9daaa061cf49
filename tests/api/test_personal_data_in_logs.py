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
