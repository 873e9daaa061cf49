def test_health_answers_without_a_token(anonymous):
    assert anonymous.get("/healthz").json == {"status": "ok"}


def test_ready_checks_the_database(anonymous):
    assert anonymous.get("/readyz").status_code == 200


def test_admin_lists_households_with_envelope(admin, world):
    body = admin.get("/api/v1/households").json
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 50
    assert {h["id"] for h in body["items"]} == {h.id for h in world.households.values()}
