"""/metrics in one process (SPEC §13; tests/integration/test_operations.py runs it under
gunicorn): visits taken by outcome, single and in batches, and requests by route template."""

import uuid
from datetime import timedelta

from prometheus_client import REGISTRY


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def visit(world, clock, **extra) -> dict:
    at = (clock.now() - timedelta(hours=1)).isoformat()
    return {"id": str(uuid.uuid4()), "household_id": world.households["a1"].id,
            "visited_at": at, "kind": "home_visit", **extra}


def test_visits_are_counted_by_outcome(cadre, world, clock, client):
    before = {o: value("visits_taken_total", outcome=o)
              for o in ("created", "duplicate", "rejected")}
    first = visit(world, clock)
    assert cadre.post("/api/v1/visits", json=first).status_code == 201
    assert cadre.post("/api/v1/visits", json=first).status_code == 200  # the same again
    assert cadre.post("/api/v1/visits", json=visit(world, clock, kind="dance")).status_code == 422
    batch = [visit(world, clock), first, visit(world, clock, card_code="WRONGWRONGWRONG1")]
    results = cadre.post("/api/v1/visits/batch", json={"visits": batch}).get_json()["results"]
    assert [r["status"] for r in results] == ["created", "duplicate", "rejected"]
    after = {o: value("visits_taken_total", outcome=o) for o in before}
    assert {o: after[o] - before[o] for o in before} == {
        "created": 2, "duplicate": 2, "rejected": 2}
    body = client.get("/metrics").get_data(as_text=True)
    assert 'visits_taken_total{outcome="created"}' in body


def test_requests_are_counted_by_route_template(admin, world):
    route = "/api/v1/households/<id:household_id>"
    labels = {"route": route, "method": "GET", "status": "200"}
    before = value("http_requests_total", **labels)
    for household in world.households.values():
        assert admin.get(f"/api/v1/households/{household.id}").status_code == 200
    assert value("http_requests_total", **labels) - before == len(world.households)
    assert value("http_request_duration_seconds_count", route=route, method="GET") >= 3


def test_metrics_are_not_for_strangers(client):
    assert client.get("/metrics").status_code == 200  # this machine
    far = client.get("/metrics", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert far.status_code == 404 and far.mimetype == "application/problem+json"
    proxied = client.get("/metrics", headers={"Forwarded": "for=198.51.100.7"})
    assert proxied.status_code == 404
