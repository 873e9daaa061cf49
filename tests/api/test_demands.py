"""Demands (诉求) through HTTP: client UUIDs, idempotent replays, scope, transitions, overdue.

SPEC §5 (and issue 4): every demand carries a client-generated UUID `id`; the same `id` with
the same body returns the stored record (200) and creates nothing, the same `id` with another
body is 409 `id_conflict`. A cadre raises demands for the households it is paired with; a
demand moves open → in_progress → resolved (with a resolution) → confirmed, and is overdue when
still unresolved more than DEMAND_OVERDUE_DAYS (default 15) after it was raised.

The `world` fixture: unit A holds village a, unit B holds village b; cadres a1 (general) and a2
(section_chief) in A, b1 in B; households a1, a2 in village a, b1 in village b; pairings
a1 → household a1 and b1 → household b1. The unit admin belongs to unit A and the cadre account
is cadre a1.

Dates: nothing here is about a particular day; the tests read the clock (`CLOCK.now()`,
`CLOCK.local()`) and pass whatever day NOW is. Stamps the server sets (received_at,
in_progress_at, resolved_at, confirmed_at) are checked against clock readings taken around the
request. The overdue demands were raised days before today on a phone and arrive now: the phone
says when in `opened_at` (that is what overdue counts from), and the server stamps received_at
with the clock; nothing is back-dated.
"""

import json
import threading
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from service.auth import issue_token
from service.demands.models import Demand, DemandTransition
from service.labels.table import label
from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
DEMANDS = f"{API}/demands"
PROBLEM = "application/problem+json"
CHINA = timezone(timedelta(hours=8))
CATEGORIES = ("fake_seeds", "harvest_help", "housing_repair", "winter_heating", "tuition",
              "dispute_mediation", "sick_care", "left_behind_children", "unpaid_wages",
              "road_repair", "water_supply", "other")


# --- helpers -----------------------------------------------------------------------------


def body_for(household, **overrides) -> dict:
    """A valid demand for the household, under a fresh client UUID."""
    body = {"id": str(uuid.uuid4()), "household_id": household.id,
            "category": "housing_repair", "description": "房屋漏雨, 需要帮助修缮屋顶"}
    body.update(overrides)
    return body


def problem(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    assert resp.json["status"] == status and resp.json["code"] == code
    return resp.json


def ok(resp) -> dict:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.json


def created(resp) -> dict:
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.headers["Location"] == f"{DEMANDS}/{resp.json['id']}"
    return resp.json


def when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def iso(moment: datetime) -> str:
    return moment.isoformat()


TIMES = ("opened_at", "received_at", "in_progress_at", "resolved_at", "confirmed_at",
         "updated_at")


def instants(demand: dict) -> dict:
    """A demand with its times as instants: the same moment may be written with any offset."""
    return {k: when(v) if k in TIMES else v for k, v in demand.items()}


def stored_count(session, demand_id: str | None = None) -> int:
    stmt = select(func.count()).select_from(Demand)
    if demand_id is not None:
        stmt = stmt.where(Demand.id == demand_id)
    return session.scalar(stmt)


def listed(api, **query) -> set[str]:
    page = ok(api.get(DEMANDS, query_string={"per_page": 500, **query}))
    assert page["total"] == len(page["items"])
    return {item["id"] for item in page["items"]}


def move(api, demand_id: str, to: str, **extra):
    return api.post(f"{DEMANDS}/{demand_id}/transition", json={"to": to, **extra})


@pytest.fixture
def raise_demand():
    """raise_demand(api, household, **fields) -> the stored demand (201 asserted)."""

    def make(api, household, **overrides):
        return created(api.post(DEMANDS, json=body_for(household, **overrides)))

    return make


def advance(api, demand_id: str, *statuses: str) -> dict:
    """Walk a demand through `statuses`, giving the text each step needs."""
    body = None
    for to in statuses:
        extra = {"resolution": "已修好屋顶"} if to == "resolved" else {}
        if to == "in_progress":
            extra["note"] = "开始办理"
        body = ok(move(api, demand_id, to, **extra))
    return body


# --- creating ----------------------------------------------------------------------------


def test_a_cadre_records_a_demand_of_its_paired_household_under_the_client_uuid(
        world, cadre, session):
    body = body_for(world.households["a1"])
    before = CLOCK.now()

    resp = cadre.post(DEMANDS, json=body)

    after = CLOCK.now()
    demand = created(resp)
    assert demand["id"] == body["id"]
    assert resp.headers["Location"] == f"{DEMANDS}/{body['id']}"
    assert demand["status"] == "open"
    assert demand["cadre_id"] == world.cadres["a1"].id
    assert demand["household_id"] == world.households["a1"].id
    assert (demand["category"], demand["description"]) == (body["category"],
                                                          body["description"])
    assert before <= when(demand["received_at"]) <= after
    assert before <= when(demand["opened_at"]) <= after  # default: when the server got it
    assert demand["in_progress_at"] is None and demand["resolved_at"] is None
    assert demand["confirmed_at"] is None and demand["resolution"] is None
    assert demand["overdue"] is False
    assert instants(ok(cadre.get(resp.headers["Location"]))) == instants(demand)
    assert stored_count(session, body["id"]) == 1


def test_a_demand_raised_days_ago_on_an_offline_phone_keeps_its_opened_at(world, cadre):
    raised = (CLOCK.local() - timedelta(days=3)).replace(microsecond=0)
    before = CLOCK.now()

    demand = created(cadre.post(DEMANDS, json=body_for(world.households["a1"],
                                                       opened_at=iso(raised))))

    assert when(demand["opened_at"]) == raised
    assert when(demand["received_at"]) >= before  # received now, not when raised


def test_a_demand_dated_in_the_future_is_refused_and_not_stored(world, cadre, session):
    body = body_for(world.households["a1"],
                    opened_at=iso(CLOCK.local() + timedelta(hours=1)))

    refused = problem(cadre.post(DEMANDS, json=body), 422, "validation_failed")

    assert "opened_at" in refused["errors"]
    assert stored_count(session, body["id"]) == 0


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_of_the_twelve_doc_003_categories_is_accepted(world, cadre, category):
    demand = created(cadre.post(DEMANDS, json=body_for(world.households["a1"],
                                                       category=category)))
    assert demand["category"] == category


def test_a_description_of_exactly_2000_characters_is_accepted(world, cadre):
    text = "诉" * 2000
    demand = created(cadre.post(DEMANDS, json=body_for(world.households["a1"],
                                                       description=text)))
    assert demand["description"] == text


@pytest.mark.parametrize(("field", "value"), [
    pytest.param("category", "pothole", id="category outside doc 003"),
    pytest.param("category", "Housing_Repair", id="category in the wrong case"),
    pytest.param("description", "诉" * 2001, id="description over 2000 characters"),
    pytest.param("description", "", id="empty description"),
    pytest.param("id", "not-a-uuid", id="id that is not a uuid"),
    pytest.param("id", 42, id="id that is a number"),
    pytest.param("opened_at", "2026-01-02T08:00:00", id="opened_at without an offset"),
    pytest.param("household_id", "a1", id="household_id that is not an id"),
])
def test_an_invalid_field_is_refused_with_422_naming_it_and_nothing_is_stored(
        world, cadre, session, field, value):
    body = body_for(world.households["a1"], **{field: value})

    refused = problem(cadre.post(DEMANDS, json=body), 422, "validation_failed")

    assert field in refused["errors"], refused
    assert stored_count(session) == 0


def test_a_demand_without_an_id_is_refused(world, cadre, session):
    body = body_for(world.households["a1"])
    del body["id"]

    refused = problem(cadre.post(DEMANDS, json=body), 422, "validation_failed")

    assert "id" in refused["errors"]
    assert stored_count(session) == 0


def test_a_demand_for_a_household_that_does_not_exist_is_422(world, admin, session):
    body = body_for(world.households["a1"], household_id=999_999)

    refused = problem(admin.post(DEMANDS, json=body), 422, "validation_failed")

    assert "household_id" in refused["errors"]
    assert stored_count(session) == 0


# --- idempotency on the client's UUID ----------------------------------------------------


def test_sending_the_same_id_and_body_again_returns_the_stored_demand_and_creates_nothing(
        world, cadre, session):
    body = body_for(world.households["a1"])
    first = created(cadre.post(DEMANDS, json=body))

    again = cadre.post(DEMANDS, json=body)

    assert again.status_code == 200, again.get_data(as_text=True)
    assert instants(again.json) == instants(first)
    assert stored_count(session) == 1


def test_a_replay_with_the_keys_in_another_order_is_still_the_same_body(world, cadre, session):
    body = body_for(world.households["a1"],
                    opened_at=iso((CLOCK.local() - timedelta(days=1)).replace(
                        microsecond=0)))
    first = created(cadre.post(DEMANDS, json=body))
    reordered = json.dumps(dict(reversed(list(body.items()))), ensure_ascii=False, indent=2)

    again = cadre.post(DEMANDS, data=reordered.encode(), content_type="application/json")

    assert instants(ok(again)) == instants(first)
    assert stored_count(session) == 1


def test_the_same_uuid_spelt_in_capitals_is_the_same_demand(world, cadre, session):
    body = body_for(world.households["a1"])
    first = created(cadre.post(DEMANDS, json=body))

    again = cadre.post(DEMANDS, json={**body, "id": body["id"].upper()})

    assert instants(ok(again)) == instants(first)
    assert stored_count(session) == 1


def test_a_replay_after_the_demand_moved_returns_it_as_it_is_now(world, cadre, session):
    body = body_for(world.households["a1"])
    created(cadre.post(DEMANDS, json=body))
    moved = advance(cadre, body["id"], "in_progress")

    again = ok(cadre.post(DEMANDS, json=body))

    assert again["status"] == "in_progress"
    assert instants(again) == instants(moved)
    assert stored_count(session) == 1


@pytest.mark.parametrize("change", [
    pytest.param({"description": "另一件事: 冬季取暖用煤不够"}, id="other description"),
    pytest.param({"category": "winter_heating"}, id="other category"),
    pytest.param({"household_id": "a2"}, id="other household"),
    pytest.param({"opened_at": "2026-01-05T09:00:00+08:00"}, id="an opened_at added"),
])
def test_the_same_id_with_a_different_body_is_409_and_leaves_the_stored_one_unchanged(
        world, cadre, admin, session, change):
    body = body_for(world.households["a1"])
    first = created(cadre.post(DEMANDS, json=body))
    if change.get("household_id") == "a2":
        change = {"household_id": world.households["a2"].id}

    refused = problem(cadre.post(DEMANDS, json={**body, **change}), 409, "id_conflict")

    assert body["id"] in refused["detail"]
    assert instants(ok(admin.get(f"{DEMANDS}/{body['id']}"))) == instants(first)
    assert stored_count(session) == 1


@pytest.mark.parametrize("other", ["county_admin", "unit_admin"])
def test_the_same_id_and_body_sent_by_another_user_is_409(world, cadre, login_as, admin,
                                                          session, other):
    body = body_for(world.households["a1"])
    first = created(cadre.post(DEMANDS, json=body))

    problem(login_as(world.users[other]).post(DEMANDS, json=body), 409, "id_conflict")

    assert instants(ok(admin.get(f"{DEMANDS}/{body['id']}"))) == instants(first)
    assert stored_count(session) == 1


# --- the same id racing in from a retrying phone -----------------------------------------

RETRIES = 10


def test_the_same_id_sent_ten_times_at_once_is_created_once(app, committed):
    world = factories.small_world(committed)
    with app.test_request_context():
        token, _ = issue_token(world.users["cadre"])
    body = body_for(world.households["a1"])
    barrier = threading.Barrier(RETRIES)
    results: list = [None] * RETRIES

    def send(i):
        client = app.test_client()
        barrier.wait()
        resp = client.post(DEMANDS, json=body, headers={"Authorization": f"Bearer {token}"})
        results[i] = (resp.status_code, resp.json)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(RETRIES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 200: RETRIES - 1}, results
    assert {answer["id"] for _, answer in results} == {body["id"]}
    assert committed.scalar(select(func.count()).select_from(Demand)) == 1


# --- scope -------------------------------------------------------------------------------


@pytest.mark.parametrize("household", ["a2", "b1"])
def test_a_cadre_cannot_raise_a_demand_for_a_household_it_is_not_paired_with(
        world, cadre, session, household):
    body = body_for(world.households[household])

    problem(cadre.post(DEMANDS, json=body), 422, "validation_failed")

    assert stored_count(session) == 0


def test_a_cadre_whose_pairing_ended_can_no_longer_raise_demands_for_that_household(
        world, cadre, admin, session):
    pairing = admin.get(f"{API}/pairings", query_string={
        "household_id": world.households["a1"].id, "active": "true"}).json["items"][0]
    ok(admin.post(f"{API}/pairings/{pairing['id']}/end", json={"reason": "工作调整"}))

    problem(cadre.post(DEMANDS, json=body_for(world.households["a1"])), 422, "validation_failed")

    assert stored_count(session) == 0


@pytest.mark.parametrize("household", ["a1", "a2"])
def test_the_unit_admin_raises_demands_for_households_in_its_units_villages(
        world, unit_admin, household):
    demand = created(unit_admin.post(DEMANDS, json=body_for(world.households[household])))
    assert demand["household_id"] == world.households[household].id
    assert demand["cadre_id"] is None  # an admin account is no cadre


def test_the_unit_admin_cannot_raise_a_demand_in_another_units_village(
        world, unit_admin, session):
    problem(unit_admin.post(DEMANDS, json=body_for(world.households["b1"])), 422,
            "validation_failed")
    assert stored_count(session) == 0


@pytest.mark.parametrize("household", ["a1", "a2", "b1"])
def test_the_county_admin_raises_demands_anywhere(world, admin, household):
    created(admin.post(DEMANDS, json=body_for(world.households[household])))


def test_the_inspector_cannot_raise_a_demand(world, inspector, session):
    problem(inspector.post(DEMANDS, json=body_for(world.households["a1"])), 403, "forbidden")
    assert stored_count(session) == 0


@pytest.fixture
def spread(world, cadre, unit_admin, admin, raise_demand) -> dict[str, str]:
    """One demand per household: a1 by the cadre, a2 by the unit admin, b1 by the county."""
    return {
        "a1": raise_demand(cadre, world.households["a1"])["id"],
        "a2": raise_demand(unit_admin, world.households["a2"])["id"],
        "b1": raise_demand(admin, world.households["b1"])["id"],
    }


@pytest.mark.parametrize(("role", "visible"), [
    ("cadre", {"a1"}),
    ("unit_admin", {"a1", "a2"}),
    ("inspector", {"a1", "a2", "b1"}),
    ("county_admin", {"a1", "a2", "b1"}),
])
def test_each_role_lists_only_the_demands_in_its_scope(world, spread, login_as, role, visible):
    assert listed(login_as(world.users[role])) == {spread[h] for h in visible}


@pytest.mark.parametrize(("role", "query"), [
    ("cadre", {"unit_id": "b"}),
    ("cadre", {"village_id": "b"}),
    ("cadre", {"household_id": "b1"}),
    ("cadre", {"cadre_id": "b1"}),
    ("unit_admin", {"unit_id": "b"}),
    ("unit_admin", {"household_id": "b1"}),
])
def test_a_filter_naming_something_outside_scope_does_not_widen_the_list(
        world, spread, login_as, role, query):
    (key, name), = query.items()
    records = {"unit_id": world.units, "village_id": world.villages,
               "household_id": world.households, "cadre_id": world.cadres}[key]
    assert listed(login_as(world.users[role]), **{key: records[name].id}) == set()


@pytest.mark.parametrize(("role", "hidden"), [
    ("cadre", "a2"), ("cadre", "b1"), ("unit_admin", "b1")])
def test_a_demand_outside_scope_reads_as_missing(world, spread, login_as, role, hidden):
    api = login_as(world.users[role])
    out_of_scope = problem(api.get(f"{DEMANDS}/{spread[hidden]}"), 404, "not_found")
    missing = problem(api.get(f"{DEMANDS}/{uuid.uuid4()}"), 404, "not_found")
    assert out_of_scope["title"] == missing["title"]


@pytest.mark.parametrize(("role", "hidden"), [
    ("cadre", "a2"), ("cadre", "b1"), ("unit_admin", "b1")])
def test_a_demand_outside_scope_cannot_be_edited_or_moved(world, spread, login_as, admin,
                                                           role, hidden):
    api = login_as(world.users[role])
    url = f"{DEMANDS}/{spread[hidden]}"
    before = ok(admin.get(url))

    problem(api.patch(url, json={"description": "改写"}), 404, "not_found")
    problem(move(api, spread[hidden], "in_progress"), 404, "not_found")

    assert ok(admin.get(url)) == before


@pytest.mark.parametrize("role", ["cadre", "unit_admin", "inspector", "county_admin"])
def test_each_role_reads_a_demand_in_its_scope(world, spread, login_as, role):
    demand = ok(login_as(world.users[role]).get(f"{DEMANDS}/{spread['a1']}"))
    assert demand["id"] == spread["a1"]


# --- transitions -------------------------------------------------------------------------


@pytest.fixture
def demand(world, cadre, raise_demand) -> str:
    """An open demand of household a1, raised by its cadre."""
    return raise_demand(cadre, world.households["a1"])["id"]


def test_starting_work_moves_an_open_demand_to_in_progress_and_stamps_it(cadre, demand):
    before = CLOCK.now()

    moved = ok(move(cadre, demand, "in_progress"))

    assert moved["status"] == "in_progress"
    assert before <= when(moved["in_progress_at"]) <= CLOCK.now()
    assert moved["resolved_at"] is None
    assert instants(ok(cadre.get(f"{DEMANDS}/{demand}"))) == instants(moved)


def test_resolving_without_a_resolution_is_refused(cadre, admin, demand):
    advance(cadre, demand, "in_progress")
    before = ok(admin.get(f"{DEMANDS}/{demand}"))

    problem(move(cadre, demand, "resolved"), 409, "invalid_transition")
    problem(move(cadre, demand, "resolved", resolution="   "), 409, "invalid_transition")
    problem(move(cadre, demand, "resolved", resolution=None), 409, "invalid_transition")

    assert ok(admin.get(f"{DEMANDS}/{demand}")) == before


def test_resolving_with_a_resolution_stamps_resolved_at_and_keeps_the_text(cadre, demand):
    advance(cadre, demand, "in_progress")
    before = CLOCK.now()

    resolved = ok(move(cadre, demand, "resolved", resolution="联系村委会, 已修好屋顶"))

    assert resolved["status"] == "resolved"
    assert resolved["resolution"] == "联系村委会, 已修好屋顶"
    assert before <= when(resolved["resolved_at"]) <= CLOCK.now()
    assert resolved["in_progress_at"] is not None
    assert instants(ok(cadre.get(f"{DEMANDS}/{demand}"))) == instants(resolved)


@pytest.mark.parametrize("role", ["unit_admin", "county_admin", "inspector"])
def test_the_households_confirmation_is_recorded_by_an_admin_or_inspector(
        world, cadre, login_as, demand, role):
    advance(cadre, demand, "in_progress", "resolved")
    before = CLOCK.now()

    confirmed = ok(move(login_as(world.users[role]), demand, "confirmed"))

    assert confirmed["status"] == "confirmed"
    assert before <= when(confirmed["confirmed_at"]) <= CLOCK.now()
    assert confirmed["resolution"] == "已修好屋顶"
    assert ok(cadre.get(f"{DEMANDS}/{demand}"))["status"] == "confirmed"


def test_the_cadre_cannot_confirm_its_own_resolution(cadre, admin, demand):
    advance(cadre, demand, "in_progress", "resolved")
    before = ok(admin.get(f"{DEMANDS}/{demand}"))

    problem(move(cadre, demand, "confirmed"), 403, "forbidden")

    assert ok(admin.get(f"{DEMANDS}/{demand}")) == before


def test_an_unsatisfied_household_reopens_a_resolved_demand_with_a_note(
        world, cadre, unit_admin, demand, session):
    resolved = advance(cadre, demand, "in_progress", "resolved")

    reopened = ok(move(unit_admin, demand, "in_progress", note="农户反映屋顶仍然漏雨"))

    assert reopened["status"] == "in_progress"
    assert reopened["resolved_at"] is None
    assert when(reopened["in_progress_at"]) >= when(resolved["in_progress_at"])
    assert instants(ok(cadre.get(f"{DEMANDS}/{demand}"))) == instants(reopened)
    last = session.scalars(select(DemandTransition).where(
        DemandTransition.demand_id == demand).order_by(DemandTransition.id.desc())).first()
    assert (last.from_status, last.to_status, last.note, last.user_id) == (
        "resolved", "in_progress", "农户反映屋顶仍然漏雨", world.users["unit_admin"].id)


@pytest.mark.parametrize("note", [None, "", "   "])
def test_reopening_a_resolved_demand_without_a_note_is_refused(cadre, admin, demand, note):
    advance(cadre, demand, "in_progress", "resolved")
    before = ok(admin.get(f"{DEMANDS}/{demand}"))

    extra = {} if note is None else {"note": note}
    problem(move(admin, demand, "in_progress", **extra), 409, "invalid_transition")

    assert ok(admin.get(f"{DEMANDS}/{demand}")) == before


def test_every_transition_is_kept_with_who_and_the_note(world, cadre, admin, demand, session):
    advance(cadre, demand, "in_progress", "resolved")
    ok(move(admin, demand, "confirmed", note="农户满意"))

    kept = session.scalars(select(DemandTransition).where(
        DemandTransition.demand_id == demand).order_by(DemandTransition.id)).all()

    assert [(t.from_status, t.to_status, t.user_id) for t in kept] == [
        ("open", "in_progress", world.users["cadre"].id),
        ("in_progress", "resolved", world.users["cadre"].id),
        ("resolved", "confirmed", world.users["county_admin"].id)]
    assert kept[-1].note == "农户满意"
    assert all(t.at is not None for t in kept)


# (reached by, then the refused move); the county admin tries, so no role limit is in the way.
REFUSED = [
    ((), "resolved"),
    ((), "confirmed"),
    ((), "open"),
    (("in_progress",), "open"),
    (("in_progress",), "confirmed"),
    (("in_progress",), "in_progress"),
    (("in_progress", "resolved"), "open"),
    (("in_progress", "resolved"), "resolved"),
    (("in_progress", "resolved", "confirmed"), "open"),
    (("in_progress", "resolved", "confirmed"), "in_progress"),
    (("in_progress", "resolved", "confirmed"), "resolved"),
    (("in_progress", "resolved", "confirmed"), "confirmed"),
]


@pytest.mark.parametrize(("path", "to"), [
    pytest.param(path, to, id=f"{path[-1] if path else 'open'} -> {to}") for path, to in REFUSED])
def test_a_move_outside_the_life_cycle_is_refused_and_changes_nothing(
        cadre, admin, demand, session, path, to):
    advance(admin, demand, *path)
    before = ok(admin.get(f"{DEMANDS}/{demand}"))
    kept = session.scalar(select(func.count()).select_from(DemandTransition))

    refused = problem(move(admin, demand, to, resolution="已解决", note="理由"), 409,
                      "invalid_transition")

    assert label("demand_status", to) in refused["detail"]
    assert ok(admin.get(f"{DEMANDS}/{demand}")) == before
    assert session.scalar(select(func.count()).select_from(DemandTransition)) == kept


def test_the_inspector_does_not_start_work_on_a_demand(inspector, admin, demand):
    before = ok(admin.get(f"{DEMANDS}/{demand}"))

    problem(move(inspector, demand, "in_progress"), 403, "forbidden")

    assert ok(admin.get(f"{DEMANDS}/{demand}")) == before


def test_the_inspector_does_not_resolve_a_demand(inspector, cadre, admin, demand):
    advance(cadre, demand, "in_progress")
    before = ok(admin.get(f"{DEMANDS}/{demand}"))

    problem(move(inspector, demand, "resolved", resolution="已解决"), 403, "forbidden")

    assert ok(admin.get(f"{DEMANDS}/{demand}")) == before


def test_a_transition_to_an_unknown_status_is_422(cadre, demand):
    refused = problem(move(cadre, demand, "closed"), 422, "validation_failed")
    assert "to" in refused["errors"]


# --- editing -----------------------------------------------------------------------------


def test_an_open_demand_can_be_reworded(cadre, admin, demand):
    changed = ok(cadre.patch(f"{DEMANDS}/{demand}",
                             json={"description": "屋顶漏雨, 墙体开裂", "category": "other"}))

    assert (changed["description"], changed["category"]) == ("屋顶漏雨, 墙体开裂", "other")
    stored = ok(admin.get(f"{DEMANDS}/{demand}"))
    assert (stored["description"], stored["category"]) == ("屋顶漏雨, 墙体开裂", "other")
    assert stored["status"] == "open"


@pytest.mark.parametrize("path", [("in_progress",), ("in_progress", "resolved"),
                                  ("in_progress", "resolved", "confirmed")])
def test_a_demand_being_worked_on_can_no_longer_be_edited(cadre, admin, demand, path):
    advance(admin, demand, *path)
    before = ok(admin.get(f"{DEMANDS}/{demand}"))

    problem(admin.patch(f"{DEMANDS}/{demand}", json={"description": "改写"}), 409,
            "demand_not_editable")

    assert ok(admin.get(f"{DEMANDS}/{demand}")) == before


@pytest.mark.parametrize("change", [{"category": "pothole"}, {"description": "诉" * 2001},
                                    {"status": "confirmed"}, {"household_id": 1}])
def test_an_invalid_edit_is_422_and_changes_nothing(cadre, admin, demand, change):
    before = ok(admin.get(f"{DEMANDS}/{demand}"))

    problem(cadre.patch(f"{DEMANDS}/{demand}", json=change), 422, "validation_failed")

    assert ok(admin.get(f"{DEMANDS}/{demand}")) == before


def test_an_edit_based_on_a_stale_copy_is_refused_with_412(cadre, admin, demand):
    etag = cadre.get(f"{DEMANDS}/{demand}").headers["ETag"]
    ok(cadre.patch(f"{DEMANDS}/{demand}", json={"description": "第一次修改"},
                   headers={"If-Match": etag}))

    problem(admin.patch(f"{DEMANDS}/{demand}", json={"description": "第二次修改"},
                        headers={"If-Match": etag}), 412, "precondition_failed")

    assert ok(admin.get(f"{DEMANDS}/{demand}"))["description"] == "第一次修改"


def test_the_inspector_cannot_edit_a_demand(inspector, admin, demand):
    before = ok(admin.get(f"{DEMANDS}/{demand}"))

    problem(inspector.patch(f"{DEMANDS}/{demand}", json={"description": "改写"}), 403,
            "forbidden")

    assert ok(admin.get(f"{DEMANDS}/{demand}")) == before


# --- overdue -----------------------------------------------------------------------------


@pytest.fixture
def aged(world, cadre, admin, raise_demand) -> dict[str, str]:
    """Demands of household a1 raised 16 and 14 days ago (open), and 30 days ago (resolved)."""
    now = CLOCK.local()

    def raised(days_ago: int) -> str:
        return raise_demand(cadre, world.households["a1"],
                            opened_at=iso(now - timedelta(days=days_ago)))["id"]

    demands = {"16_days": raised(16), "14_days": raised(14), "resolved": raised(30)}
    advance(cadre, demands["resolved"], "in_progress", "resolved")
    return demands


def test_an_open_demand_older_than_fifteen_days_is_overdue(cadre, aged):
    assert ok(cadre.get(f"{DEMANDS}/{aged['16_days']}"))["overdue"] is True
    assert ok(cadre.get(f"{DEMANDS}/{aged['14_days']}"))["overdue"] is False
    assert ok(cadre.get(f"{DEMANDS}/{aged['resolved']}"))["overdue"] is False


def test_an_overdue_demand_says_by_how_many_days(cadre, aged):
    """Raised 16 days ago with 15 allowed: one day overdue; the others are not overdue."""
    assert ok(cadre.get(f"{DEMANDS}/{aged['16_days']}"))["days_overdue"] == 1
    assert ok(cadre.get(f"{DEMANDS}/{aged['14_days']}"))["days_overdue"] is None
    assert ok(cadre.get(f"{DEMANDS}/{aged['resolved']}"))["days_overdue"] is None
    listed = {d["id"]: d["days_overdue"] for d in ok(cadre.get(DEMANDS))["items"]}
    assert listed[aged["16_days"]] == 1 and listed[aged["14_days"]] is None


def test_the_overdue_filter_lists_exactly_the_overdue_demands(cadre, aged):
    assert listed(cadre, overdue="true") == {aged["16_days"]}
    assert listed(cadre, overdue="false") == {aged["14_days"], aged["resolved"]}
    page = ok(cadre.get(DEMANDS, query_string={"per_page": 500}))
    assert {d["id"] for d in page["items"] if d["overdue"]} == {aged["16_days"]}


def test_the_overdue_threshold_follows_the_configuration(app, cadre, aged, monkeypatch):
    # monkeypatch restores DEMAND_OVERDUE_DAYS when the test ends, whatever happens.
    monkeypatch.setitem(app.config, "DEMAND_OVERDUE_DAYS", 30)

    assert ok(cadre.get(f"{DEMANDS}/{aged['16_days']}"))["overdue"] is False
    assert listed(cadre, overdue="true") == set()

    monkeypatch.setitem(app.config, "DEMAND_OVERDUE_DAYS", 10)

    assert ok(cadre.get(f"{DEMANDS}/{aged['14_days']}"))["overdue"] is True
    assert listed(cadre, overdue="true") == {aged["16_days"], aged["14_days"]}


def test_the_default_overdue_threshold_is_fifteen_days(app):
    assert app.config["DEMAND_OVERDUE_DAYS"] == 15


# --- filters -----------------------------------------------------------------------------


@pytest.fixture
def filed(world, session, login_as, cadre, unit_admin, admin, raise_demand) -> dict[str, str]:
    """a1: the cadre's housing repair (open); a2: the unit admin's tuition (in progress);
    b1: cadre b1's water supply (open)."""
    cadre_b1 = login_as(factories.user(session, "cadre", cadre_=world.cadres["b1"]))
    session.commit()
    demands = {
        "a1": raise_demand(cadre, world.households["a1"], category="housing_repair")["id"],
        "a2": raise_demand(unit_admin, world.households["a2"], category="tuition")["id"],
        "b1": raise_demand(cadre_b1, world.households["b1"], category="water_supply")["id"],
    }
    advance(admin, demands["a2"], "in_progress")
    return demands


@pytest.mark.parametrize(("query", "expected"), [
    ({"household_id": ("households", "a1")}, {"a1"}),
    ({"household_id": ("households", "a2")}, {"a2"}),
    ({"village_id": ("villages", "a")}, {"a1", "a2"}),
    ({"village_id": ("villages", "b")}, {"b1"}),
    ({"unit_id": ("units", "a")}, {"a1", "a2"}),
    ({"unit_id": ("units", "b")}, {"b1"}),
    ({"cadre_id": ("cadres", "a1")}, {"a1"}),
    ({"cadre_id": ("cadres", "b1")}, {"b1"}),
    ({"status": "open"}, {"a1", "b1"}),
    ({"status": "in_progress"}, {"a2"}),
    ({"status": "confirmed"}, set()),
    ({"category": "tuition"}, {"a2"}),
    ({"category": "water_supply"}, {"b1"}),
    ({"category": "sick_care"}, set()),
    ({"village_id": ("villages", "a"), "status": "open"}, {"a1"}),
    ({"unit_id": ("units", "a"), "category": "water_supply"}, set()),
])
def test_each_filter_narrows_the_list(world, admin, filed, query, expected):
    args = {}
    for key, value in query.items():
        if isinstance(value, tuple):
            collection, name = value
            value = getattr(world, collection)[name].id
        args[key] = value
    assert listed(admin, **args) == {filed[name] for name in expected}


@pytest.mark.parametrize("query", [{"status": "closed"}, {"category": "pothole"},
                                   {"overdue": "maybe"}, {"unit_id": "A"}])
def test_an_invalid_filter_value_is_422(admin, query):
    problem(admin.get(DEMANDS, query_string=query), 422, "validation_failed")
