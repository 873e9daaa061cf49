"""Batch sync of visits from an offline phone: POST /api/v1/visits/batch (SPEC §5).

`{"visits": [...]}` (1..500 items) answers 200 with `{"results": [{"id", "status", "problem"?}]}`
in input order; each item is `created`, `duplicate` (already stored under that id with the same
body) or `rejected` with a problem+json object. The good items are committed even when others
are bad, and resending the whole batch after a dropped connection doubles nothing.

The `world` fixture: unit A holds village a, unit B village b; cadres a1 (general), a2
(section_chief) in A, b1 in B; households a1, a2 in village a, b1 in village b; pairings
a1 → household a1 and b1 → household b1 started 2026-01-01. The cadre account is cadre a1.

Dates: visits are dated at fixed local daytime hours on days counted back from the clock's
today (`local`), so no flag fires unless a test wants one and the tests pass whatever day NOW
is; `late_entry` comes from a visit dated ten days back and received now. Nothing is
back-dated.
"""

import threading
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service.auth import issue_token
from service.demands.models import Demand
from service.ratelimit import reset_limits
from service.visits.models import Visit
from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
BATCH = f"{API}/visits/batch"
PROBLEM = "application/problem+json"
CST = ZoneInfo("Asia/Shanghai")


# --- helpers -------------------------------------------------------------------------------


def local(days_ago: int, hour: int, minute: int = 0) -> datetime:
    """A county-local instant `days_ago` days back at hour:minute."""
    day = CLOCK.local() - timedelta(days=days_ago)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def visit(household, at: datetime | None = None, **overrides) -> dict:
    """A valid visit body for the household under a fresh client UUID (yesterday 10:00)."""
    body = {"id": str(uuid.uuid4()), "household_id": household.id,
            "visited_at": (at or local(1, 10)).isoformat(), "kind": "home_visit",
            "diary": "了解家中种植情况, 商量增收办法"}
    body.update(overrides)
    return body


def spaced(household, count: int, start: datetime | None = None) -> list[dict]:
    """`count` visits to one household, 61 minutes apart going back from `start`."""
    start = start or local(1, 10)
    return [visit(household, at=start - timedelta(minutes=61 * i)) for i in range(count)]


def results_of(resp) -> list[dict]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    return resp.json["results"]


def statuses(results: list[dict]) -> list[str]:
    return [r["status"] for r in results]


def problem(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    assert resp.json["status"] == status and resp.json["code"] == code
    return resp.json


def stored_visits(session, cadre=None) -> int:
    session.expire_all()
    stmt = select(func.count()).select_from(Visit)
    if cadre is not None:
        stmt = stmt.where(Visit.cadre_id == cadre.id)
    return session.scalar(stmt)


def stored_ids(session) -> set[str]:
    session.expire_all()
    return set(session.scalars(select(Visit.id)))


def stored_demands(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Demand))


def assert_rejected(result: dict, item_id, status: int, code: str) -> dict:
    """A rejected item carries a problem+json-shaped problem with its status and code."""
    assert result["id"] == item_id
    assert result["status"] == "rejected", result
    found = result["problem"]
    assert found["status"] == status and found["code"] == code, found
    assert found["type"].endswith(code)
    assert found["title"] and found["detail"]
    return found


@pytest.fixture(autouse=True)
def _forget_wrong_card_counts(app):
    """Wrong card codes are counted per cadre id for an hour; on SQLite rolled-back cadre ids
    repeat between tests, so every test here starts, and leaves, with a clean count."""

    def reset():
        with app.app_context():
            reset_limits()

    reset()
    yield
    reset()


@pytest.fixture
def chief(world, session, login_as):
    """Cadre a2 (section chief) linked to two households of village a, and its Api."""
    a2 = world.cadres["a2"]
    second = factories.household(session, world.villages["a"], difficulty="harder")
    factories.pair(session, a2, world.households["a2"])
    factories.pair(session, a2, second)
    user = factories.user(session, "cadre", cadre_=a2)
    session.commit()
    return login_as(user), [world.households["a2"], second]


# --- one answer per item, in order ---------------------------------------------------------


def test_a_batch_answers_one_result_per_item_in_input_order(world, cadre, session):
    household = world.households["a1"]
    items = spaced(household, 5)

    results = results_of(cadre.post(BATCH, json={"visits": items}))

    assert [r["id"] for r in results] == [i["id"] for i in items]
    assert statuses(results) == ["created"] * 5
    assert all("problem" not in r for r in results)
    assert stored_ids(session) == {i["id"] for i in items}


def test_every_created_item_is_stored_as_sent_by_the_calling_cadre(world, cadre):
    item = visit(world.households["a1"], kind="stay_overnight", help_given="帮忙修缮屋顶",
                 location={"latitude": 36.1005, "longitude": 113.2004, "accuracy_m": 12.0})

    assert statuses(results_of(cadre.post(BATCH, json={"visits": [item]}))) == ["created"]

    stored = cadre.get(f"{API}/visits/{item['id']}")
    assert stored.status_code == 200, stored.get_data(as_text=True)
    got = stored.json
    assert got["cadre_id"] == world.cadres["a1"].id
    assert got["household_id"] == item["household_id"]
    assert datetime.fromisoformat(got["visited_at"]) == datetime.fromisoformat(
        item["visited_at"])
    assert (got["kind"], got["diary"], got["help_given"]) == (
        "stay_overnight", item["diary"], "帮忙修缮屋顶")
    assert got["location"] == item["location"]
    assert got["direct"] is True and got["flags"] == [] and got["received_at"]


def test_a_mixed_batch_stores_exactly_the_good_items_and_says_why_each_bad_one_failed(
        world, cadre, session):
    a1 = world.households["a1"]
    good_first = visit(a1, at=local(1, 9))
    not_a_uuid = visit(a1, at=local(1, 10), id="not-a-uuid")
    unpaired = visit(world.households["a2"], at=local(1, 11))  # nobody's household
    other_cadres = visit(world.households["b1"], at=local(1, 12))  # cadre b1's household
    future = visit(a1, at=CLOCK.local() + timedelta(days=1))
    before_pairing = visit(a1, at=datetime(2025, 12, 31, 10, tzinfo=CST))
    wrong_card = visit(a1, at=local(2, 15), card_code="WRONG0CODE000000")
    good_scanned = visit(a1, at=local(2, 10), card_code=a1.card_code, kind="phone")
    items = [good_first, not_a_uuid, unpaired, other_cadres, future, before_pairing,
             wrong_card, good_scanned]

    results = results_of(cadre.post(BATCH, json={"visits": items}))

    assert [r["id"] for r in results] == [i["id"] for i in items]
    assert statuses(results) == ["created", "rejected", "rejected", "rejected", "rejected",
                                 "rejected", "rejected", "created"]
    assert "id" in assert_rejected(results[1], "not-a-uuid", 422, "validation_failed")["errors"]
    assert_rejected(results[2], unpaired["id"], 403, "forbidden")
    assert_rejected(results[3], other_cadres["id"], 403, "forbidden")
    assert "visited_at" in assert_rejected(results[4], future["id"], 422,
                                           "validation_failed")["errors"]
    assert "visited_at" in assert_rejected(results[5], before_pairing["id"], 422,
                                           "validation_failed")["errors"]
    assert "card_code" in assert_rejected(results[6], wrong_card["id"], 422,
                                          "validation_failed")["errors"]
    assert stored_ids(session) == {good_first["id"], good_scanned["id"]}
    scanned = cadre.get(f"{API}/visits/{good_scanned['id']}").json
    assert scanned["card_scanned"] is True and scanned["direct"] is False
    assert cadre.get(f"{API}/visits/{good_first['id']}").json["card_scanned"] is False
    for bad in (unpaired, other_cadres, future, before_pairing, wrong_card):
        assert cadre.get(f"{API}/visits/{bad['id']}").status_code == 404


def test_items_failing_validation_are_rejected_one_by_one_without_sinking_the_batch(
        world, cadre, session):
    good = visit(world.households["a1"])
    missing_fields = {"id": str(uuid.uuid4())}
    unknown_kind = visit(world.households["a1"], at=local(2, 10), kind="report_heard")
    long_diary = visit(world.households["a1"], at=local(3, 10), diary="记" * 5001)

    results = results_of(cadre.post(BATCH, json={"visits": [missing_fields, good,
                                                            unknown_kind, long_diary]}))

    assert statuses(results) == ["rejected", "created", "rejected", "rejected"]
    errors = assert_rejected(results[0], missing_fields["id"], 422, "validation_failed")["errors"]
    assert {"household_id", "visited_at", "kind"} <= set(errors)
    assert "kind" in assert_rejected(results[2], unknown_kind["id"], 422,
                                     "validation_failed")["errors"]
    assert "diary" in assert_rejected(results[3], long_diary["id"], 422,
                                      "validation_failed")["errors"]
    assert stored_ids(session) == {good["id"]}


# --- safe to resend ------------------------------------------------------------------------


def test_resending_a_whole_batch_after_a_dropped_connection_doubles_nothing(
        world, cadre, session):
    a1 = world.households["a1"]
    items = spaced(a1, 6)
    items[2]["demands"] = [{"id": str(uuid.uuid4()), "category": "water_supply",
                            "description": "自来水管冻裂"}]
    first = results_of(cadre.post(BATCH, json={"visits": items}))
    assert statuses(first) == ["created"] * 6
    visits_before, demands_before = stored_visits(session), stored_demands(session)
    stored_before = {i["id"]: cadre.get(f"{API}/visits/{i['id']}").json for i in items}

    replay = results_of(cadre.post(BATCH, json={"visits": items}))

    assert [r["id"] for r in replay] == [i["id"] for i in items]
    assert statuses(replay) == ["duplicate"] * 6
    assert all("problem" not in r for r in replay)
    assert stored_visits(session) == visits_before == 6
    assert stored_demands(session) == demands_before == 1
    for item in items:  # the stored records are untouched (same received_at, same version)
        assert cadre.get(f"{API}/visits/{item['id']}").json == stored_before[item["id"]]


def test_resending_a_mixed_batch_keeps_the_good_once_and_rejects_the_bad_again(
        world, cadre, session):
    a1 = world.households["a1"]
    good = visit(a1, at=local(1, 10))
    unpaired = visit(world.households["a2"], at=local(1, 12))
    future = visit(a1, at=CLOCK.local() + timedelta(days=1))
    items = [good, unpaired, future]
    assert statuses(results_of(cadre.post(BATCH, json={"visits": items}))) == [
        "created", "rejected", "rejected"]

    replay = results_of(cadre.post(BATCH, json={"visits": items}))

    assert statuses(replay) == ["duplicate", "rejected", "rejected"]
    assert replay[1]["problem"]["status"] == 403 and replay[2]["problem"]["status"] == 422
    assert stored_ids(session) == {good["id"]}


def test_resending_a_batch_after_one_of_its_visits_was_corrected_answers_duplicate(
        world, cadre, session):
    """The phone may resend what it sent before the cadre corrected a visit: still no double,
    and the correction stands."""
    items = spaced(world.households["a1"], 2)
    assert statuses(results_of(cadre.post(BATCH, json={"visits": items}))) == ["created"] * 2
    fixed = cadre.patch(f"{API}/visits/{items[0]['id']}", json={"diary": "更正: 还谈了就业"})
    assert fixed.status_code == 200, fixed.get_data(as_text=True)

    replay = results_of(cadre.post(BATCH, json={"visits": items}))

    assert statuses(replay) == ["duplicate", "duplicate"]
    assert stored_visits(session) == 2
    assert cadre.get(f"{API}/visits/{items[0]['id']}").json["diary"] == "更正: 还谈了就业"


def test_a_batch_of_single_posts_already_stored_answers_duplicate(world, cadre, session):
    item = visit(world.households["a1"])
    assert cadre.post(f"{API}/visits", json=item).status_code == 201

    results = results_of(cadre.post(BATCH, json={"visits": [item]}))

    assert results == [{"id": item["id"], "status": "duplicate"}]
    assert stored_visits(session) == 1


def test_a_replay_with_one_item_changed_rejects_only_that_item_as_an_id_conflict(
        world, cadre, session):
    items = spaced(world.households["a1"], 4)
    assert statuses(results_of(cadre.post(BATCH, json={"visits": items}))) == ["created"] * 4
    changed = [dict(i) for i in items]
    changed[1]["diary"] = "改过的内容"

    results = results_of(cadre.post(BATCH, json={"visits": changed}))

    assert statuses(results) == ["duplicate", "rejected", "duplicate", "duplicate"]
    assert_rejected(results[1], items[1]["id"], 409, "id_conflict")
    assert stored_visits(session) == 4
    kept = cadre.get(f"{API}/visits/{items[1]['id']}").json
    assert kept["diary"] == items[1]["diary"]  # the first body stands
    assert kept["revisions"] == 0


def test_the_same_id_sent_by_another_cadre_is_a_conflict_not_a_duplicate(
        world, cadre, session, login_as):
    b1_user = factories.user(session, "cadre", cadre_=world.cadres["b1"])
    session.commit()
    item = visit(world.households["a1"])
    assert statuses(results_of(cadre.post(BATCH, json={"visits": [item]}))) == ["created"]
    stolen = dict(item, household_id=world.households["b1"].id)

    results = results_of(login_as(b1_user).post(BATCH, json={"visits": [stolen]}))

    assert results[0]["status"] == "rejected"
    assert results[0]["problem"]["status"] == 409
    assert results[0]["problem"]["code"] == "id_conflict"
    assert stored_visits(session) == 1
    assert cadre.get(f"{API}/visits/{item['id']}").json["cadre_id"] == world.cadres["a1"].id


def test_the_same_id_twice_in_one_batch_is_stored_once_and_the_second_is_a_duplicate(
        world, cadre, session):
    item = visit(world.households["a1"])
    other = visit(world.households["a1"], at=local(2, 10))

    results = results_of(cadre.post(BATCH, json={"visits": [item, other, dict(item)]}))

    assert [r["id"] for r in results] == [item["id"], other["id"], item["id"]]
    assert statuses(results) == ["created", "created", "duplicate"]
    assert stored_visits(session) == 2


def test_the_same_id_twice_in_one_batch_with_different_bodies_rejects_the_second(
        world, cadre, session):
    item = visit(world.households["a1"])
    clash = dict(item, diary="另一段日记")

    results = results_of(cadre.post(BATCH, json={"visits": [item, clash]}))

    assert statuses(results) == ["created", "rejected"]
    assert_rejected(results[1], item["id"], 409, "id_conflict")
    assert stored_visits(session) == 1
    assert cadre.get(f"{API}/visits/{item['id']}").json["diary"] == item["diary"]


# --- size ----------------------------------------------------------------------------------


def test_a_batch_of_500_visits_is_accepted_whole(chief, session):
    api, (first, second) = chief
    items = spaced(first, 250) + spaced(second, 250)

    results = results_of(api.post(BATCH, json={"visits": items}))

    assert len(results) == 500
    assert statuses(results) == ["created"] * 500
    assert [r["id"] for r in results] == [i["id"] for i in items]
    assert stored_ids(session) == {i["id"] for i in items}
    page = api.get(f"{API}/visits?per_page=1").json
    assert page["total"] == 500


def test_a_batch_of_501_visits_is_refused_naming_visits_and_stores_nothing(world, cadre,
                                                                           session):
    items = spaced(world.households["a1"], 501)

    refused = problem(cadre.post(BATCH, json={"visits": items}), 422, "validation_failed")

    assert "visits" in refused["errors"]
    assert stored_visits(session) == 0


@pytest.mark.parametrize("body", [{"visits": []}, {}, {"visits": None}, {"visits": "all"},
                                  {"visits": [["not", "an", "object"]]}],
                         ids=["empty list", "no visits", "null", "a string", "a list item"])
def test_a_batch_without_a_list_of_visit_objects_is_refused_naming_visits(cadre, session, body):
    refused = problem(cadre.post(BATCH, json=body), 422, "validation_failed")

    assert any(key == "visits" or key.startswith("visits.") for key in refused["errors"])
    assert stored_visits(session) == 0


def test_a_batch_that_is_not_json_is_a_client_error_not_a_crash(cadre, session):
    resp = cadre.post(BATCH, data="{visits: oops", headers={"Content-Type": "application/json"})

    assert resp.status_code in (400, 422), resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    assert stored_visits(session) == 0


# --- who may send ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["county_admin", "unit_admin", "inspector"])
def test_only_a_cadre_may_send_a_batch(world, login_as, session, role):
    items = [visit(world.households["a1"])]

    problem(login_as(world.users[role]).post(BATCH, json={"visits": items}), 403, "forbidden")

    assert stored_visits(session) == 0


def test_a_batch_without_a_token_is_refused(world, anonymous, session):
    problem(anonymous.post(BATCH, json={"visits": [visit(world.households["a1"])]}), 401,
            "unauthenticated")
    assert stored_visits(session) == 0


def test_a_batch_is_stored_under_the_calling_cadre_only(world, cadre, session):
    """A cadre cannot log visits for another cadre's household, even inside a batch."""
    mine, theirs = visit(world.households["a1"]), visit(world.households["b1"])

    results = results_of(cadre.post(BATCH, json={"visits": [mine, theirs]}))

    assert statuses(results) == ["created", "rejected"]
    assert results[1]["problem"]["status"] == 403
    assert stored_visits(session, world.cadres["a1"]) == 1
    assert stored_visits(session, world.cadres["b1"]) == 0


# --- demands and flags -----------------------------------------------------------------------


def test_demands_carried_by_batch_items_are_created_with_their_visit(world, cadre, session):
    a1 = world.households["a1"]
    water, roof, fees = (str(uuid.uuid4()) for _ in range(3))
    first = visit(a1, at=local(1, 10), demands=[
        {"id": water, "category": "water_supply", "description": "自来水不通"},
        {"id": roof, "category": "housing_repair", "description": "房屋漏雨"}])
    second = visit(a1, at=local(3, 10), demands=[
        {"id": fees, "category": "tuition", "description": "孩子学费困难"}])
    plain = visit(a1, at=local(4, 10))

    results = results_of(cadre.post(BATCH, json={"visits": [first, second, plain]}))

    assert statuses(results) == ["created"] * 3
    assert sorted(cadre.get(f"{API}/visits/{first['id']}").json["demand_ids"]) == sorted(
        [water, roof])
    assert cadre.get(f"{API}/visits/{second['id']}").json["demand_ids"] == [fees]
    assert cadre.get(f"{API}/visits/{plain['id']}").json["demand_ids"] == []
    for demand_id, parent, category in ((water, first, "water_supply"),
                                        (roof, first, "housing_repair"),
                                        (fees, second, "tuition")):
        got = cadre.get(f"{API}/demands/{demand_id}")
        assert got.status_code == 200, got.get_data(as_text=True)
        assert got.json["visit_id"] == parent["id"]
        assert got.json["household_id"] == a1.id
        assert got.json["category"] == category
        assert got.json["status"] == "open"
        assert datetime.fromisoformat(got.json["opened_at"]) == datetime.fromisoformat(
            parent["visited_at"])
    assert stored_demands(session) == 3


def test_a_demand_id_reused_by_a_second_visit_of_the_batch_rejects_that_visit(
        world, cadre, session):
    demand = {"id": str(uuid.uuid4()), "category": "sick_care", "description": "老人生病无人照看"}
    first = visit(world.households["a1"], at=local(1, 10), demands=[demand])
    second = visit(world.households["a1"], at=local(2, 10),
                   demands=[dict(demand, description="另一件事")])

    results = results_of(cadre.post(BATCH, json={"visits": [first, second]}))

    assert statuses(results) == ["created", "rejected"]
    assert_rejected(results[1], second["id"], 409, "id_conflict")
    assert stored_visits(session) == 1 and stored_demands(session) == 1
    assert cadre.get(f"{API}/demands/{demand['id']}").json["visit_id"] == first["id"]


def test_a_rejected_item_creates_none_of_its_demands(world, cadre, session):
    demand_id = str(uuid.uuid4())
    bad = visit(world.households["a1"], at=CLOCK.local() + timedelta(days=2), demands=[
        {"id": demand_id, "category": "road_repair", "description": "村路坍塌"}])

    results = results_of(cadre.post(BATCH, json={"visits": [bad]}))

    assert statuses(results) == ["rejected"]
    assert stored_demands(session) == 0
    assert cadre.get(f"{API}/demands/{demand_id}").status_code == 404


def test_two_items_of_one_batch_within_an_hour_flag_the_later_one_duplicate_suspect(
        world, cadre):
    a1 = world.households["a1"]
    earlier = visit(a1, at=local(1, 10, 0))
    later = visit(a1, at=local(1, 10, 30))
    apart = visit(a1, at=local(1, 14, 0))

    results = results_of(cadre.post(BATCH, json={"visits": [earlier, later, apart]}))

    assert statuses(results) == ["created"] * 3
    assert "duplicate_suspect" in cadre.get(f"{API}/visits/{later['id']}").json["flags"]
    assert cadre.get(f"{API}/visits/{apart['id']}").json["flags"] == []
    flagged = cadre.get(f"{API}/visits?flag=duplicate_suspect").json
    assert later["id"] in {v["id"] for v in flagged["items"]}
    assert apart["id"] not in {v["id"] for v in flagged["items"]}


def test_a_batch_item_within_an_hour_of_an_already_stored_visit_is_flagged(world, cadre):
    a1 = world.households["a1"]
    assert cadre.post(f"{API}/visits", json=visit(a1, at=local(1, 10))).status_code == 201
    close = visit(a1, at=local(1, 10, 40))

    assert statuses(results_of(cadre.post(BATCH, json={"visits": [close]}))) == ["created"]

    assert cadre.get(f"{API}/visits/{close['id']}").json["flags"] == ["duplicate_suspect"]


def test_the_ninth_direct_visit_of_a_day_in_one_batch_is_flagged_too_many_today(world,
                                                                               cadre):
    a1 = world.households["a1"]
    day = [visit(a1, at=local(2, 6, 30) + timedelta(minutes=90 * i)) for i in range(9)]
    call = visit(a1, at=local(2, 20, 30), kind="phone")  # a phone call is not direct

    results = results_of(cadre.post(BATCH, json={"visits": day + [call]}))

    assert statuses(results) == ["created"] * 10
    flags = [cadre.get(f"{API}/visits/{v['id']}").json["flags"] for v in day + [call]]
    assert flags[:8] == [[]] * 8
    assert flags[8] == ["too_many_today"]
    assert flags[9] == []


def test_batch_items_get_late_night_and_far_away_flags_but_are_kept(world, cadre, session):
    a1 = world.households["a1"]  # village a lies at 36.1, 113.2
    late = visit(a1, at=local(10, 10))
    night = visit(a1, at=local(2, 23, 15))
    far = visit(a1, at=local(3, 10), location={"latitude": 37.0, "longitude": 113.2,
                                               "accuracy_m": 20})
    near = visit(a1, at=local(4, 10), location={"latitude": 36.101, "longitude": 113.201,
                                                "accuracy_m": 20})

    results = results_of(cadre.post(BATCH, json={"visits": [late, night, far, near]}))

    assert statuses(results) == ["created"] * 4
    assert cadre.get(f"{API}/visits/{late['id']}").json["flags"] == ["late_entry"]
    assert cadre.get(f"{API}/visits/{night['id']}").json["flags"] == ["night_time"]
    assert cadre.get(f"{API}/visits/{far['id']}").json["flags"] == ["far_from_village"]
    assert cadre.get(f"{API}/visits/{near['id']}").json["flags"] == []
    assert stored_visits(session) == 4


def test_repeated_wrong_card_codes_in_batches_end_in_429_problems(world, cadre, session):
    a1 = world.households["a1"]
    wrong = [visit(a1, at=local(d, 10), card_code="WRONG0CODE000000") for d in range(1, 9)]

    results = results_of(cadre.post(BATCH, json={"visits": wrong}))

    problems = [r["problem"]["status"] for r in results]
    assert all(r["status"] == "rejected" for r in results)
    assert problems[0] == 422
    assert 429 in problems
    assert set(problems) == {422, 429}
    assert problems.index(429) > 0 and all(p == 429 for p in problems[problems.index(429):])
    assert stored_visits(session) == 0


# --- many phones at once, real commits -------------------------------------------------------

SENDERS = 8
BATCH_SIZE = 50


def test_the_same_batch_sent_at_once_from_eight_connections_is_stored_exactly_once(
        app, committed):
    s = committed
    unit, village = factories.unit(s), factories.village(s)
    factories.assign(s, unit, village)
    cadre_ = factories.cadre(s, unit)
    household = factories.household(s, village)
    factories.pair(s, cadre_, household, started_on=date(2026, 1, 1))
    user = factories.user(s, "cadre", cadre_=cadre_)
    s.commit()
    with app.test_request_context():
        token = issue_token(user)[0]
    items = spaced(household, BATCH_SIZE)
    barrier = threading.Barrier(SENDERS)
    answers: list = [None] * SENDERS

    def send(i):
        client = app.test_client()
        barrier.wait()
        resp = client.post(BATCH, json={"visits": items},
                           headers={"Authorization": f"Bearer {token}"})
        answers[i] = (resp.status_code, resp.json)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(SENDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert all(a is not None for a in answers), "a sender did not finish"
    assert [status for status, _ in answers] == [200] * SENDERS, answers
    created = Counter()
    for _, body in answers:
        results = body["results"]
        assert [r["id"] for r in results] == [i["id"] for i in items]
        assert set(statuses(results)) <= {"created", "duplicate"}, results
        created.update(r["id"] for r in results if r["status"] == "created")
    # Every visit was created by exactly one of the senders; the others saw it as a duplicate.
    assert created == Counter({i["id"]: 1 for i in items})
    s.expire_all()
    assert s.scalar(select(func.count()).select_from(Visit).where(
        Visit.cadre_id == cadre_.id)) == BATCH_SIZE
    assert set(s.scalars(select(Visit.id))) == {i["id"] for i in items}
