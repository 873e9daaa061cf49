"""A visit from the paired cadre's phone, end to end.

Dates: the visits are dated yesterday morning by the clock (`yesterday_morning`), so the tests
pass whatever day NOW is. The `world` has stood as built since 2026-01-01 (conftest), so a sync
cursor taken now finds nothing of it new; nothing is back-dated.
"""

import uuid
from datetime import datetime, timedelta

from tests.clock import CLOCK


def yesterday_morning() -> datetime:
    """10:00 county time the day before the clock's today."""
    return (CLOCK.local() - timedelta(days=1)).replace(hour=10, minute=0, second=0,
                                                       microsecond=0)


def _visit(world, **kw):
    body = {"id": str(uuid.uuid4()), "household_id": world.households["a1"].id,
            "visited_at": yesterday_morning().isoformat(),
            "kind": "home_visit", "diary": "了解家中种植情况"}
    body.update(kw)
    return body


def test_paired_cadre_logs_a_visit_and_a_replay_stores_nothing_new(world, login_as):
    cadre = login_as(world.users["cadre"])
    body = _visit(world, demands=[{"id": str(uuid.uuid4()), "category": "water_supply",
                                   "description": "自来水不通"}])
    first = cadre.post("/api/v1/visits", json=body)
    assert first.status_code == 201, first.json
    assert first.json["direct"] is True and first.json["flags"] == []
    assert len(first.json["demand_ids"]) == 1
    again = cadre.post("/api/v1/visits", json=body)
    assert again.status_code == 200 and again.json["id"] == body["id"]
    changed = cadre.post("/api/v1/visits", json={**body, "diary": "别的内容"})
    assert changed.status_code == 409 and changed.json["code"] == "id_conflict"
    assert cadre.get("/api/v1/visits").json["total"] == 1


def test_batch_keeps_the_good_and_answers_each(world, login_as):
    cadre = login_as(world.users["cadre"])
    good = _visit(world, kind="phone")
    bad = _visit(world, household_id=world.households["b1"].id)
    broken = {"id": "not-a-uuid"}
    results = cadre.post("/api/v1/visits/batch", json={"visits": [good, bad, broken]}).json
    assert [r["status"] for r in results["results"]] == ["created", "rejected", "rejected"]
    assert results["results"][1]["problem"]["status"] == 403
    replay = cadre.post("/api/v1/visits/batch", json={"visits": [good]}).json
    assert replay["results"][0]["status"] == "duplicate"


def test_sync_down_gives_the_cadre_its_household_and_a_cursor(world, login_as):
    # The household and its pairing last changed when the world was built, on 2026-01-01.
    cadre = login_as(world.users["cadre"])
    body = cadre.get("/api/v1/sync").json
    assert [h["id"] for h in body["households"]] == [world.households["a1"].id]
    later = cadre.get(f"/api/v1/sync?since={body['cursor']}").json
    assert later["households"] == [] and later["cursor"]
