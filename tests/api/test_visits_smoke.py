"""A visit from the paired cadre's phone, end to end."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from service.households.models import Household
from service.pairings.models import Pairing
from tests.clock import CLOCK

CST = ZoneInfo("Asia/Shanghai")
YESTERDAY_MORNING = (CLOCK.local() - timedelta(days=1)).replace(hour=10, minute=0)


def _visit(world, **kw):
    body = {"id": str(uuid.uuid4()), "household_id": world.households["a1"].id,
            "visited_at": YESTERDAY_MORNING.isoformat(),
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


def test_sync_down_gives_the_cadre_its_household_and_a_cursor(world, login_as, session):
    long_ago = datetime(2026, 1, 2, tzinfo=CST)
    session.execute(update(Household).values(updated_at=long_ago))
    session.execute(update(Pairing).values(started_on=long_ago.date(), updated_at=long_ago))
    session.commit()
    cadre = login_as(world.users["cadre"])
    body = cadre.get("/api/v1/sync").json
    assert [h["id"] for h in body["households"]] == [world.households["a1"].id]
    later = cadre.get(f"/api/v1/sync?since={body['cursor']}").json
    assert later["households"] == [] and later["cursor"]
