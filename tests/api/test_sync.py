"""Sync down to a cadre's phone: GET /api/v1/sync?since=CURSOR (SPEC §5).

The first sync (no `since`) gives the calling cadre its actively paired households, masked as the
cadre role requires (id_number masked, card_code null), the tasks of those households that are
not closed, the demands of those households that are open or in_progress, and a `cursor`. A
later sync with that cursor gives only what changed since, lists the households whose pairing
ended since in `removed_household_ids`, and never carries another cadre's data.

The `world` fixture: unit A holds village a, unit B village b; cadres a1 (general), a2
(section_chief) in A, b1 in B; households a1, a2 in village a, b1 in village b; pairings
a1 → household a1 and b1 → household b1 started 2026-01-01. The `scene` fixture below gives
cadre a2 two households (a2 and a3), a household a4 it used to link, and tasks and demands in
every status on all of them.

Dates: nothing here is about a particular day; the tests read the clock (`CLOCK`, the `clock`
fixture) and pass whatever day NOW is. The scene is made at NOW; its demands were raised three
days earlier, and are stored with the clock set then. A test of a later sync lets two days pass
after the scene (`two_days_pass`: far more than the OVERLAP a sync looks back), takes its cursor
then and makes its changes after it, so nothing is back-dated. Every pairing started on
2026-01-01.
"""

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service.demands.models import Demand
from service.pairings.models import Pairing
from service.tasks.models import Task
from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
SYNC = f"{API}/sync"
PROBLEM = "application/problem+json"
CST = ZoneInfo("Asia/Shanghai")


# --- helpers -------------------------------------------------------------------------------


def sync(api, since: str | None = None) -> tuple[dict, str]:
    """One sync; returns the body and its text (raw and with every escape decoded)."""
    resp = api.get(SYNC, query_string={"since": since} if since is not None else {})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    body = resp.json
    assert isinstance(body["cursor"], str) and body["cursor"]
    text = resp.get_data(as_text=True) + json.dumps(body, ensure_ascii=False)
    return body, text


def ids(items: list[dict]) -> list:
    return [item["id"] for item in items]


def problem(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    assert resp.json["status"] == status and resp.json["code"] == code
    return resp.json


def masked(id_number: str) -> str:
    """The cadre's view of an id number: region prefix and last four, the rest hidden."""
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def _task(session, household, status="open", closed=False) -> Task:
    task = Task(household_id=household.id, category="low_income",
                description=f"{household.head_name}增收任务", due_on=date(2026, 12, 31),
                status=status, source="manual",
                closed_on=CLOCK.today() if closed else None,
                closed_reason="需求已撤销" if closed else None)
    session.add(task)
    session.flush()
    return task


def _demand(session, household, user, status="open") -> Demand:
    """A demand raised three days ago and taken to `status` then: it is stored with the clock
    set to that moment, so its received_at and updated_at are that moment too."""
    with CLOCK.at(CLOCK.local() - timedelta(days=3)):
        opened = CLOCK.now()
        demand = Demand(id=str(uuid.uuid4()), household_id=household.id, cadre_id=None,
                        created_by=user.id, category="water_supply",
                        description=f"{household.head_name}家自来水不通", status=status,
                        opened_at=opened, body_hash="0" * 64,
                        in_progress_at=opened if status != "open" else None,
                        resolved_at=opened if status in ("resolved", "confirmed") else None,
                        confirmed_at=opened if status == "confirmed" else None,
                        resolution="已通水" if status in ("resolved", "confirmed") else None)
        session.add(demand)
        session.flush()
    return demand


@dataclass
class Scene:
    api: object  # cadre a2's Api
    households: dict
    pairings: dict
    tasks: dict
    demands: dict


@pytest.fixture
def scene(world, session, login_as) -> Scene:
    va = world.villages["a"]
    a2 = world.cadres["a2"]
    a3 = factories.household(session, va, difficulty="harder", head_name="张三丰")
    a4 = factories.household(session, va, difficulty="harder", head_name="李四海")
    households = {**world.households, "a3": a3, "a4": a4}
    # a4 first, ended: the quota (R1) counts active pairings only.
    ended = Pairing(cadre_id=a2.id, household_id=a4.id, started_on=date(2026, 1, 1),
                    ended_on=date(2026, 6, 1), end_reason="调整联户")
    session.add(ended)
    session.flush()
    pairings = {
        "a4": ended,
        "a2": factories.pair(session, a2, households["a2"]),
        "a3": factories.pair(session, a2, a3),
    }
    for name in ("a1", "b1"):
        pairings[name] = session.scalar(select(Pairing).where(
            Pairing.household_id == households[name].id))
    creator = world.users["county_admin"]
    tasks = {
        "a2_open": _task(session, households["a2"]),
        "a2_in_progress": _task(session, households["a2"], "in_progress"),
        "a2_done": _task(session, households["a2"], "done"),
        "a2_verified": _task(session, households["a2"], "verified"),
        "a2_closed": _task(session, households["a2"], closed=True),
        "a3_open": _task(session, a3),
        "a4_open": _task(session, a4),
        "a1_open": _task(session, households["a1"]),
        "b1_open": _task(session, households["b1"]),
    }
    demands = {
        "a2_open": _demand(session, households["a2"], creator),
        "a2_in_progress": _demand(session, households["a2"], creator, "in_progress"),
        "a2_resolved": _demand(session, households["a2"], creator, "resolved"),
        "a2_confirmed": _demand(session, households["a2"], creator, "confirmed"),
        "a3_open": _demand(session, a3, creator),
        "a4_open": _demand(session, a4, creator),
        "a1_open": _demand(session, households["a1"], creator),
        "b1_open": _demand(session, households["b1"], creator),
    }
    user = factories.user(session, "cadre", cadre_=a2)
    session.commit()
    return Scene(login_as(user), households, pairings, tasks, demands)


def two_days_pass() -> None:
    """The clock moves on two days: everything that exists now last changed two days before
    the cursor a test takes next, far more than the OVERLAP a sync looks back, so a sync taken
    then must find nothing new until something changes."""
    CLOCK.advance(days=2)


@pytest.fixture
def admin_api(world, login_as):
    return login_as(world.users["county_admin"])


def _ok(resp) -> dict:
    assert resp.status_code in (200, 201), resp.get_data(as_text=True)
    return resp.json


def end_pairing(admin_api, pairing, **extra) -> dict:
    return _ok(admin_api.post(f"{API}/pairings/{pairing.id}/end",
                              json={"reason": "岗位调整", **extra}))


# --- first sync ------------------------------------------------------------------------------


def test_a_first_sync_gives_exactly_the_cadres_active_households(scene):
    body, _ = sync(scene.api)

    assert sorted(ids(body["households"])) == sorted(
        [scene.households["a2"].id, scene.households["a3"].id])
    assert body["removed_household_ids"] == []


def test_a_first_sync_masks_the_households_as_the_cadre_role_requires(scene):
    body, text = sync(scene.api)

    for item in body["households"]:
        household = next(h for h in scene.households.values() if h.id == item["id"])
        assert item["id_number"] == masked(household.id_number)
        assert item["card_code"] is None
        assert "id_number" in item["masked"] and "card_code" in item["masked"]
        assert household.id_number not in text
        assert household.card_code not in text
        assert item["head_name"] == household.head_name
        assert item["village_id"] == household.village_id


def test_a_first_sync_gives_the_tasks_of_the_cadres_households_that_are_not_closed(scene):
    body, _ = sync(scene.api)

    expected = {scene.tasks[name].id for name in ("a2_open", "a2_in_progress", "a2_done",
                                                  "a2_verified", "a3_open")}
    assert sorted(ids(body["tasks"])) == sorted(expected)
    by_id = {t["id"]: t for t in body["tasks"]}
    assert by_id[scene.tasks["a2_in_progress"].id]["status"] == "in_progress"
    assert by_id[scene.tasks["a2_done"].id]["status"] == "done"
    assert all(t["closed_on"] is None for t in body["tasks"])


def test_a_first_sync_gives_the_open_and_in_progress_demands_of_the_cadres_households(scene):
    body, text = sync(scene.api)

    expected = {scene.demands[name].id for name in ("a2_open", "a2_in_progress", "a3_open")}
    assert sorted(ids(body["demands"])) == sorted(expected)
    assert {d["status"] for d in body["demands"]} == {"open", "in_progress"}
    for name in ("a2_resolved", "a2_confirmed"):
        assert scene.demands[name].id not in text


def test_a_first_sync_carries_nothing_of_any_other_cadres_households(scene):
    body, text = sync(scene.api)

    mine = {scene.households["a2"].id, scene.households["a3"].id}
    assert {t["household_id"] for t in body["tasks"]} <= mine
    assert {d["household_id"] for d in body["demands"]} <= mine
    # b1 is cadre b1's (unit B), a1 is cadre a1's (same unit), a4 was cadre a2's until June.
    for name in ("b1", "a1", "a4"):
        other = scene.households[name]
        assert other.id not in ids(body["households"])
        assert f'"{other.head_name}"' not in text
        assert other.id_number not in text
        assert masked(other.id_number) not in text
        assert other.card_code not in text
        assert scene.tasks[f"{name}_open"].id not in ids(body["tasks"])
        assert scene.demands[f"{name}_open"].id not in text


def test_a_cadre_without_households_syncs_an_empty_list(world, session, login_as):
    idle = factories.cadre(session, world.units["a"])
    user = factories.user(session, "cadre", cadre_=idle)
    session.commit()

    body, _ = sync(login_as(user))

    assert (body["households"], body["tasks"], body["demands"],
            body["removed_household_ids"]) == ([], [], [], [])


def test_the_cadre_of_another_unit_syncs_only_its_own_household(scene, world, session,
                                                                login_as):
    b1_user = factories.user(session, "cadre", cadre_=world.cadres["b1"])
    session.commit()

    body, text = sync(login_as(b1_user))

    assert ids(body["households"]) == [scene.households["b1"].id]
    assert ids(body["tasks"]) == [scene.tasks["b1_open"].id]
    assert ids(body["demands"]) == [scene.demands["b1_open"].id]
    for name in ("a1", "a2", "a3", "a4"):
        assert scene.households[name].id_number not in text
        assert f'"{scene.households[name].head_name}"' not in text


# --- later syncs -----------------------------------------------------------------------------


def test_a_sync_with_a_fresh_cursor_finds_nothing_new(scene):
    two_days_pass()
    cursor = sync(scene.api)[0]["cursor"]

    body, _ = sync(scene.api, cursor)

    assert (body["households"], body["tasks"], body["demands"],
            body["removed_household_ids"]) == ([], [], [], [])
    assert body["cursor"]


def test_a_later_sync_gives_only_the_household_that_changed_since_the_cursor(
        scene, admin_api):
    two_days_pass()
    cursor = sync(scene.api)[0]["cursor"]
    a3 = scene.households["a3"]
    _ok(admin_api.patch(f"{API}/households/{a3.id}", json={"members": 6}))
    # Changes to other cadres' households do not reach this cadre.
    _ok(admin_api.patch(f"{API}/households/{scene.households['b1'].id}", json={"members": 7}))
    _ok(admin_api.patch(f"{API}/households/{scene.households['a1'].id}", json={"members": 8}))

    body, text = sync(scene.api, cursor)

    assert ids(body["households"]) == [a3.id]
    assert body["households"][0]["members"] == 6
    assert body["households"][0]["id_number"] == masked(a3.id_number)
    assert body["households"][0]["card_code"] is None
    assert (body["tasks"], body["demands"], body["removed_household_ids"]) == ([], [], [])
    assert scene.households["b1"].id_number not in text
    assert body["cursor"] != cursor


def test_a_later_sync_gives_only_the_task_that_moved_since_the_cursor(scene):
    two_days_pass()
    cursor = sync(scene.api)[0]["cursor"]
    task = scene.tasks["a3_open"]
    _ok(scene.api.post(f"{API}/tasks/{task.id}/transition", json={"to": "in_progress",
                                                                  "note": "开始落实"}))

    body, _ = sync(scene.api, cursor)

    assert ids(body["tasks"]) == [task.id]
    assert body["tasks"][0]["status"] == "in_progress"
    assert (body["households"], body["demands"]) == ([], [])


def test_a_demand_resolved_since_the_cursor_comes_back_with_its_new_status(scene):
    two_days_pass()
    cursor = sync(scene.api)[0]["cursor"]
    demand = scene.demands["a2_open"]
    _ok(scene.api.post(f"{API}/demands/{demand.id}/transition", json={"to": "in_progress"}))
    _ok(scene.api.post(f"{API}/demands/{demand.id}/transition",
                       json={"to": "resolved", "resolution": "已接通自来水"}))

    body, _ = sync(scene.api, cursor)

    assert ids(body["demands"]) == [demand.id]
    got = body["demands"][0]
    assert got["status"] == "resolved"
    assert got["resolution"] == "已接通自来水"
    assert got["resolved_at"] is not None
    assert (body["households"], body["tasks"]) == ([], [])
    # A first sync no longer lists it: it is not open any more.
    assert demand.id not in ids(sync(scene.api)[0]["demands"])


def test_a_demand_raised_since_the_cursor_comes_back(scene):
    two_days_pass()
    cursor = sync(scene.api)[0]["cursor"]
    new = {"id": str(uuid.uuid4()), "household_id": scene.households["a2"].id,
           "category": "road_repair", "description": "进村路塌了一段"}
    _ok(scene.api.post(f"{API}/demands", json=new))

    body, _ = sync(scene.api, cursor)

    assert ids(body["demands"]) == [new["id"]]
    assert body["demands"][0]["status"] == "open"


def test_a_household_whose_pairing_ended_since_the_cursor_is_listed_as_removed(
        scene, admin_api):
    two_days_pass()
    cursor = sync(scene.api)[0]["cursor"]
    a3 = scene.households["a3"]
    end_pairing(admin_api, scene.pairings["a3"])
    end_pairing(admin_api, scene.pairings["b1"])  # another cadre's: not this phone's business

    body, text = sync(scene.api, cursor)

    assert body["removed_household_ids"] == [a3.id]
    assert a3.id not in ids(body["households"])
    assert scene.households["b1"].id not in body["removed_household_ids"]
    first, _ = sync(scene.api)
    assert ids(first["households"]) == [scene.households["a2"].id]
    assert scene.tasks["a3_open"].id not in ids(first["tasks"])
    assert scene.demands["a3_open"].id not in ids(first["demands"])


def test_a_removed_households_later_changes_never_reach_the_cadre(scene, admin_api):
    two_days_pass()
    cursor = sync(scene.api)[0]["cursor"]
    a3 = scene.households["a3"]
    end_pairing(admin_api, scene.pairings["a3"])
    _ok(admin_api.patch(f"{API}/households/{a3.id}", json={"members": 9}))
    _ok(admin_api.post(f"{API}/demands/{scene.demands['a3_open'].id}/transition",
                       json={"to": "in_progress"}))

    body, _ = sync(scene.api, cursor)

    assert a3.id not in ids(body["households"])
    assert scene.demands["a3_open"].id not in ids(body["demands"])
    assert body["removed_household_ids"] == [a3.id]


def test_a_pairing_ended_since_the_cursor_with_an_earlier_end_date_is_still_listed_as_removed(
        scene, admin_api):
    """The end is recorded after the phone's last sync but dated a few days back (paperwork
    catching up): the phone still holds the household and must be told to drop it."""
    two_days_pass()
    cursor = sync(scene.api)[0]["cursor"]
    a3 = scene.households["a3"]
    end_pairing(admin_api, scene.pairings["a3"],
                ended_on=(CLOCK.today() - timedelta(days=3)).isoformat())

    body, _ = sync(scene.api, cursor)

    assert body["removed_household_ids"] == [a3.id]


def test_a_household_paired_since_the_cursor_comes_with_its_open_tasks_and_demands(
        scene, admin_api):
    """A household handed to the cadre after its last sync is new to the phone: its open tasks
    and demands are news too, however long ago they last changed."""
    two_days_pass()
    cursor = sync(scene.api)[0]["cursor"]
    end_pairing(admin_api, scene.pairings["a3"])
    a4 = scene.households["a4"]  # linked again, with an open task and an open demand
    _ok(admin_api.post(f"{API}/pairings", json={"cadre_id": scene.pairings["a2"].cadre_id,
                                                "household_id": a4.id}))

    body, _ = sync(scene.api, cursor)

    assert ids(body["households"]) == [a4.id]
    assert body["households"][0]["id_number"] == masked(a4.id_number)
    assert (ids(body["tasks"]), ids(body["demands"])) == (
        [scene.tasks["a4_open"].id], [scene.demands["a4_open"].id])


def test_a_household_paired_since_the_cursor_with_an_earlier_start_date_comes_back(
        scene, world, session, admin_api):
    """The pairing is recorded after the phone's last sync but dated a few days back."""
    a5 = factories.household(session, world.villages["a"], difficulty="harder")
    session.commit()
    two_days_pass()
    cursor = sync(scene.api)[0]["cursor"]
    end_pairing(admin_api, scene.pairings["a3"])
    started = (CLOCK.today() - timedelta(days=5)).isoformat()
    _ok(admin_api.post(f"{API}/pairings", json={"cadre_id": world.cadres["a2"].id,
                                                "household_id": a5.id,
                                                "started_on": started}))

    body, _ = sync(scene.api, cursor)

    assert a5.id in ids(body["households"])


# --- who may sync, and bad cursors -----------------------------------------------------------


@pytest.mark.parametrize("role", ["county_admin", "unit_admin", "inspector"])
def test_only_a_cadre_may_sync(world, login_as, role):
    problem(login_as(world.users[role]).get(SYNC), 403, "forbidden")


def test_a_sync_without_a_token_is_refused(anonymous):
    problem(anonymous.get(SYNC), 401, "unauthenticated")


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize("cursor", [
    "garbage", "!!!!", "abc", _b64("v2:2026-01-01T00:00:00+00:00"), _b64("v1:yesterday"),
    _b64("v1:2026-01-01T00:00:00"), _b64("hello"), "x" * 65, "%00%ff",
], ids=["word", "punctuation", "bad padding", "other version", "not a time", "naive time",
        "no version", "too long", "bytes"])
def test_a_garbage_cursor_is_refused_naming_since(world, login_as, cursor):
    cadre = login_as(world.users["cadre"])

    refused = problem(cadre.get(SYNC, query_string={"since": cursor}), 422, "validation_failed")

    assert "since" in refused["errors"]
