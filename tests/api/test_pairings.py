"""Pairings (联户) and village assignments (包村) through HTTP, and the rules R1–R4, R6 (SPEC §3).

The `world` fixture: unit A holds village a, unit B holds village b; cadres a1 (general) and a2
(section_chief) in A, b1 (general) in B; households a1 (easier) and a2 (harder) in village a,
b1 (easier) in village b; pairings a1→household a1 and b1→household b1. The unit admin belongs
to unit A and the cadre account is cadre a1.

Dates: "today" is the suite clock's (tests/clock.py), so most tests pass whatever NOW is; a test
that names particular dates of 2026 (a start on 2026-02-03, an end on 2026-05-31, the months
2026-01 to 2026-04) first sets the clock to a fixed day after them (LATER).
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.assignments.models import VillageAssignment
from service.pairings.models import Pairing
from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
PAIRINGS = f"{API}/pairings"
ASSIGNMENTS = f"{API}/village-assignments"
PROBLEM = "application/problem+json"
LATER = "2026-07-01"  # "now" for the tests that name dates in the first half of 2026


# --- helpers -----------------------------------------------------------------------------


def problem(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.json
    assert body["status"] == status and body["code"] == code
    return body


def created(resp, collection: str = PAIRINGS) -> dict:
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.headers["Location"] == f"{collection}/{resp.json['id']}"
    return resp.json


def ok(resp) -> dict:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.json


def listing(api, url: str = PAIRINGS, **query) -> dict:
    body = ok(api.get(url, query_string=query))
    assert body["total"] == len(body["items"])
    return body


def ids(api, url: str = PAIRINGS, **query) -> set[int]:
    return {item["id"] for item in listing(api, url, **query)["items"]}


def total(api, url: str = PAIRINGS, **query) -> int:
    return listing(api, url, **query)["total"]


def pairing_of(admin, cadre) -> dict:
    """The one active pairing of a cadre."""
    items = listing(admin, cadre_id=cadre.id, active="true")["items"]
    assert len(items) == 1
    return items[0]


def new_household(session, world, village: str = "a", difficulty: str = "easier"):
    h = factories.household(session, world.villages[village], difficulty=difficulty)
    session.commit()
    return h


def new_cadre(session, world, unit: str = "a", rank: str = "general"):
    c = factories.cadre(session, world.units[unit], rank=rank)
    session.commit()
    return c


def new_village(session, world, held_by: str | None = None):
    v = factories.village(session, world.township)
    if held_by:
        factories.assign(session, world.units[held_by], v)
    session.commit()
    return v


def pair(api, cadre, household, **extra):
    return api.post(PAIRINGS, json={"cadre_id": cadre.id, "household_id": household.id, **extra})


def assignment_of(admin, village) -> dict:
    items = listing(admin, ASSIGNMENTS, village_id=village.id, active="true")["items"]
    assert len(items) == 1
    return items[0]


@pytest.fixture
def cadre_api(world, login_as):
    return login_as(world.users["cadre"])


# --- R1 quota ----------------------------------------------------------------------------


def test_general_cadres_second_household_is_refused_as_quota_exceeded(admin, session, world):
    household = new_household(session, world)
    before = total(admin)
    body = problem(pair(admin, world.cadres["a1"], household), 409, "quota_exceeded")
    assert body["quota"] == 1
    assert total(admin) == before
    assert total(admin, household_id=household.id) == 0


def test_section_chiefs_third_household_is_refused_as_quota_exceeded(admin, session, world):
    chief = world.cadres["a2"]
    created(pair(admin, chief, world.households["a2"]))
    created(pair(admin, chief, new_household(session, world, difficulty="harder")))
    third = new_household(session, world, difficulty="harder")
    before = total(admin)
    body = problem(pair(admin, chief, third), 409, "quota_exceeded")
    assert body["quota"] == 2
    assert total(admin) == before
    assert total(admin, cadre_id=chief.id, active="true") == 2


def test_section_chief_may_take_a_second_household_within_quota(admin, session, world):
    chief = world.cadres["a2"]
    created(pair(admin, chief, world.households["a2"]))
    second = new_household(session, world, difficulty="harder")
    body = created(pair(admin, chief, second))
    assert body["cadre_id"] == chief.id and body["household_id"] == second.id
    assert body["active"] is True
    assert total(admin, cadre_id=chief.id, active="true") == 2


def test_a_general_cadre_may_take_its_one_household(admin, session, world):
    fresh = new_cadre(session, world)
    household = new_household(session, world)
    body = created(pair(admin, fresh, household))
    assert body == {
        "id": body["id"], "cadre_id": fresh.id, "cadre_name": fresh.name,
        "cadre_rank": "general", "unit_id": world.units["a"].id,
        "unit_name": world.units["a"].name,
        "household_id": household.id, "household_head_name": household.head_name,
        "village_id": world.villages["a"].id, "village_name": world.villages["a"].name,
        "difficulty": "easier",
        "started_on": CLOCK.today().isoformat(), "ended_on": None, "end_reason": None,
        "override_reason": None, "active": True,
    }
    assert ok(admin.get(f"{PAIRINGS}/{body['id']}")) == body


# --- R2 one cadre per household ----------------------------------------------------------


def test_pairing_an_already_paired_household_is_refused(admin, session, world):
    other = new_cadre(session, world)
    before = total(admin)
    body = problem(pair(admin, other, world.households["a1"]), 409,
                   "household_already_paired")
    assert body["household_id"] == world.households["a1"].id
    assert total(admin) == before
    assert pairing_of(admin, world.cadres["a1"])["household_id"] == world.households["a1"].id
    assert total(admin, cadre_id=other.id) == 0


def test_an_unpaired_household_may_be_paired(admin, session, world):
    other = new_cadre(session, world, rank="section_chief")
    body = created(pair(admin, other, world.households["a2"]))
    assert body["household_id"] == world.households["a2"].id
    assert body["household_head_name"] == world.households["a2"].head_name
    assert body["cadre_name"] == other.name and body["cadre_rank"] == "section_chief"
    assert body["difficulty"] == "harder" and body["active"] is True


# --- R3 the unit holds the village -------------------------------------------------------


def test_pairing_a_household_in_a_village_the_unit_does_not_hold_is_refused(
        admin, session, world):
    household_in_b = new_household(session, world, village="b", difficulty="harder")
    before = total(admin)
    body = problem(pair(admin, world.cadres["a2"], household_in_b), 409,
                   "village_not_held_by_unit")
    assert body["unit_id"] == world.units["a"].id
    assert body["village_id"] == world.villages["b"].id
    assert total(admin) == before


def test_a_cadre_of_the_holding_unit_may_pair_a_household_there(admin, session, world):
    household_in_b = new_household(session, world, village="b", difficulty="harder")
    chief_b = new_cadre(session, world, unit="b", rank="section_chief")
    body = created(pair(admin, chief_b, household_in_b))
    assert body["unit_id"] == world.units["b"].id
    assert body["village_id"] == world.villages["b"].id


# --- R4 difficulty matching --------------------------------------------------------------


@pytest.mark.parametrize(("rank", "difficulty"), [
    ("general", "harder"), ("general", "hardest"),
    ("county_level", "easier"), ("county_level", "harder"),
    ("section_chief", "hardest"), ("section_chief", "easier"),
    ("deputy_section_chief", "hardest"), ("deputy_section_chief", "easier"),
])
def test_rank_and_difficulty_mismatch_is_refused(admin, session, world, rank, difficulty):
    fresh = new_cadre(session, world, rank=rank)
    household = new_household(session, world, difficulty=difficulty)
    before = total(admin)
    body = problem(pair(admin, fresh, household), 409, "difficulty_mismatch")
    assert body["rank"] == rank and body["difficulty"] == difficulty
    assert total(admin) == before


@pytest.mark.parametrize(("rank", "difficulty"), [
    ("county_level", "hardest"), ("section_chief", "harder"),
    ("deputy_section_chief", "harder"), ("general", "easier"),
])
def test_rank_and_matching_difficulty_is_accepted(admin, session, world, rank, difficulty):
    fresh = new_cadre(session, world, rank=rank)
    household = new_household(session, world, difficulty=difficulty)
    body = created(pair(admin, fresh, household))
    assert body["cadre_rank"] == rank and body["difficulty"] == difficulty
    assert body["cadre_name"] == fresh.name and body["unit_id"] == world.units["a"].id
    assert body["household_head_name"] == household.head_name
    assert body["village_id"] == world.villages["a"].id
    assert body["active"] is True and body["override_reason"] is None


def test_county_admin_overrides_difficulty_with_a_reason_that_is_kept(admin, session, world):
    fresh = new_cadre(session, world)
    reason = "该户与干部为邻居，县委同意"
    body = created(pair(admin, fresh, world.households["a2"], override_reason=reason))
    assert body["override_reason"] == reason and body["difficulty"] == "harder"
    assert ok(admin.get(f"{PAIRINGS}/{body['id']}"))["override_reason"] == reason
    overridden = listing(admin, overridden="true")["items"]
    assert [p["id"] for p in overridden] == [body["id"]]
    assert overridden[0]["override_reason"] == reason
    assert body["id"] not in ids(admin, overridden="false")


def test_unit_admin_may_not_override_difficulty(admin, unit_admin, session, world):
    fresh = new_cadre(session, world)
    before = total(admin)
    problem(pair(unit_admin, fresh, world.households["a2"], override_reason="我们同意"),
            403, "forbidden")
    assert total(admin) == before


def test_a_needless_override_reason_is_not_stored_on_a_matching_pairing(admin, session, world):
    fresh = new_cadre(session, world)
    household = new_household(session, world)
    body = created(pair(admin, fresh, household, override_reason="以防万一"))
    assert body["override_reason"] is None
    assert ok(admin.get(f"{PAIRINGS}/{body['id']}"))["override_reason"] is None
    assert body["id"] not in ids(admin, overridden="true")


# --- who may create ----------------------------------------------------------------------


def test_unit_admin_pairs_its_own_units_cadres(unit_admin, session, world):
    fresh = new_cadre(session, world)
    body = created(pair(unit_admin, fresh, new_household(session, world)))
    assert body["unit_id"] == world.units["a"].id


def test_unit_admin_may_not_pair_another_units_cadre(admin, unit_admin, session, world):
    cadre_b = new_cadre(session, world, unit="b")
    household_b = new_household(session, world, village="b")
    before = total(admin)
    problem(pair(unit_admin, cadre_b, household_b), 422, "validation_failed")
    assert total(admin) == before
    created(pair(admin, cadre_b, household_b))


@pytest.mark.parametrize("role", ["cadre", "inspector"])
def test_cadres_and_inspectors_may_not_create_pairings(admin, login_as, session, world, role):
    fresh = new_cadre(session, world)
    household = new_household(session, world)
    before = total(admin)
    problem(pair(login_as(world.users[role]), fresh, household), 403, "forbidden")
    assert total(admin) == before


def test_started_on_in_the_future_is_refused(admin, session, world):
    fresh = new_cadre(session, world)
    before = total(admin)
    body = problem(pair(admin, fresh, new_household(session, world),
                        started_on=(CLOCK.today() + timedelta(days=1)).isoformat()),
                   422, "validation_failed")
    assert "started_on" in body["errors"]
    assert total(admin) == before


def test_started_on_in_the_past_is_kept(admin, session, world, clock):
    clock.set(LATER)
    fresh = new_cadre(session, world)
    body = created(pair(admin, fresh, new_household(session, world), started_on="2026-02-03"))
    assert body["started_on"] == "2026-02-03"


def test_unknown_cadre_or_household_is_a_validation_error(admin, world):
    body = problem(admin.post(PAIRINGS, json={"cadre_id": 999999,
                                              "household_id": world.households["a2"].id}),
                   422, "validation_failed")
    assert "cadre_id" in body["errors"]
    body = problem(admin.post(PAIRINGS, json={"cadre_id": world.cadres["a2"].id,
                                              "household_id": 999999}),
                   422, "validation_failed")
    assert "household_id" in body["errors"]


# --- ending a pairing --------------------------------------------------------------------


def test_ending_a_pairing_keeps_it_in_history_with_its_reason(admin, world):
    pairing = pairing_of(admin, world.cadres["a1"])
    body = ok(admin.post(f"{PAIRINGS}/{pairing['id']}/end", json={"reason": "干部调离"}))
    assert body["id"] == pairing["id"]
    assert body["ended_on"] == CLOCK.today().isoformat()
    assert body["end_reason"] == "干部调离"
    assert body["active"] is False
    assert ok(admin.get(f"{PAIRINGS}/{pairing['id']}")) == body
    assert pairing["id"] in ids(admin, active="false")
    assert pairing["id"] not in ids(admin, active="true")
    assert pairing["id"] in ids(admin)


def test_ending_a_pairing_on_a_given_date(admin, world, clock):
    clock.set(LATER)
    pairing = pairing_of(admin, world.cadres["a1"])
    body = ok(admin.post(f"{PAIRINGS}/{pairing['id']}/end",
                         json={"reason": "户已脱贫", "ended_on": "2026-05-31"}))
    assert body["ended_on"] == "2026-05-31" and body["active"] is False


def test_ending_a_pairing_twice_is_refused(admin, world, clock):
    clock.set(LATER)
    pairing = pairing_of(admin, world.cadres["a1"])
    ok(admin.post(f"{PAIRINGS}/{pairing['id']}/end", json={"reason": "干部调离",
                                                            "ended_on": "2026-06-01"}))
    problem(admin.post(f"{PAIRINGS}/{pairing['id']}/end", json={"reason": "再次结束"}),
            409, "pairing_already_ended")
    again = ok(admin.get(f"{PAIRINGS}/{pairing['id']}"))
    assert again["ended_on"] == "2026-06-01" and again["end_reason"] == "干部调离"


@pytest.mark.parametrize("ended_on", ["2025-12-31", "future"])
def test_ending_outside_the_pairings_lifetime_is_refused(admin, world, ended_on):
    if ended_on == "future":
        ended_on = (CLOCK.today() + timedelta(days=1)).isoformat()
    pairing = pairing_of(admin, world.cadres["a1"])  # started 2026-01-01
    body = problem(admin.post(f"{PAIRINGS}/{pairing['id']}/end",
                              json={"reason": "干部调离", "ended_on": ended_on}),
                   422, "validation_failed")
    assert "ended_on" in body["errors"]
    assert ok(admin.get(f"{PAIRINGS}/{pairing['id']}"))["active"] is True


def test_ending_needs_a_reason(admin, world):
    pairing = pairing_of(admin, world.cadres["a1"])
    body = problem(admin.post(f"{PAIRINGS}/{pairing['id']}/end", json={}), 422,
                   "validation_failed")
    assert "reason" in body["errors"]
    assert ok(admin.get(f"{PAIRINGS}/{pairing['id']}"))["active"] is True


def test_after_ending_the_household_and_the_cadres_slot_are_free_again(admin, session, world):
    a1 = world.cadres["a1"]
    pairing = pairing_of(admin, a1)
    other_household = new_household(session, world)
    problem(pair(admin, a1, other_household), 409, "quota_exceeded")
    ok(admin.post(f"{PAIRINGS}/{pairing['id']}/end", json={"reason": "调整联户"}))
    successor = new_cadre(session, world)
    created(pair(admin, successor, world.households["a1"]))
    created(pair(admin, a1, other_household))
    assert total(admin, household_id=world.households["a1"].id) == 2
    assert total(admin, household_id=world.households["a1"].id, active="true") == 1


def test_unit_admin_cannot_end_another_units_pairing(admin, unit_admin, world):
    pairing = pairing_of(admin, world.cadres["b1"])
    problem(unit_admin.post(f"{PAIRINGS}/{pairing['id']}/end", json={"reason": "越权"}),
            404, "not_found")
    assert ok(admin.get(f"{PAIRINGS}/{pairing['id']}"))["active"] is True


def test_unit_admin_ends_its_own_units_pairing(admin, unit_admin, world):
    pairing = pairing_of(admin, world.cadres["a1"])
    body = ok(unit_admin.post(f"{PAIRINGS}/{pairing['id']}/end", json={"reason": "调整"}))
    assert body["active"] is False


@pytest.mark.parametrize("role", ["cadre", "inspector"])
def test_cadres_and_inspectors_cannot_end_pairings(admin, login_as, world, role):
    pairing = pairing_of(admin, world.cadres["a1"])
    problem(login_as(world.users[role]).post(f"{PAIRINGS}/{pairing['id']}/end",
                                             json={"reason": "x"}), 403, "forbidden")
    assert ok(admin.get(f"{PAIRINGS}/{pairing['id']}"))["active"] is True


# --- filters and scope -------------------------------------------------------------------


def test_list_filters_by_cadre_household_unit_village_and_active(admin, session, world):
    a1, b1 = pairing_of(admin, world.cadres["a1"]), pairing_of(admin, world.cadres["b1"])
    chief = created(pair(admin, world.cadres["a2"], world.households["a2"]))
    ok(admin.post(f"{PAIRINGS}/{chief['id']}/end", json={"reason": "调整"}))
    assert ids(admin) == {a1["id"], b1["id"], chief["id"]}
    assert ids(admin, cadre_id=world.cadres["a1"].id) == {a1["id"]}
    assert ids(admin, household_id=world.households["b1"].id) == {b1["id"]}
    assert ids(admin, unit_id=world.units["a"].id) == {a1["id"], chief["id"]}
    assert ids(admin, unit_id=world.units["b"].id) == {b1["id"]}
    assert ids(admin, village_id=world.villages["a"].id) == {a1["id"], chief["id"]}
    assert ids(admin, village_id=world.villages["b"].id) == {b1["id"]}
    assert ids(admin, active="true") == {a1["id"], b1["id"]}
    assert ids(admin, active="false") == {chief["id"]}
    assert ids(admin, unit_id=world.units["a"].id, active="true") == {a1["id"]}


def test_month_filter_lists_pairings_active_at_any_time_in_the_month(admin, world, clock):
    clock.set(LATER)
    chief = created(pair(admin, world.cadres["a2"], world.households["a2"],
                         started_on="2026-01-01"))
    ok(admin.post(f"{PAIRINGS}/{chief['id']}/end",
                  json={"reason": "调整", "ended_on": "2026-03-10"}))
    for month in ("2026-01", "2026-02", "2026-03"):
        assert chief["id"] in ids(admin, month=month), month
    for month in ("2026-04", "2025-12"):
        assert chief["id"] not in ids(admin, month=month), month
    # Still-active pairings started 2026-01-01 are in every later month.
    assert pairing_of(admin, world.cadres["a1"])["id"] in ids(admin, month="2026-04")
    assert ids(admin, month="2025-12") == set()


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026-1", "26-01", "2026-01-01"])
def test_a_malformed_month_is_a_validation_error(admin, world, month):
    body = problem(admin.get(PAIRINGS, query_string={"month": month}), 422, "validation_failed")
    assert "month" in body["errors"]


def test_unit_admin_lists_only_its_units_pairings(admin, unit_admin, world):
    a1 = pairing_of(admin, world.cadres["a1"])
    assert ids(unit_admin) == {a1["id"]}
    assert ids(unit_admin, unit_id=world.units["b"].id) == set()
    assert ids(unit_admin, cadre_id=world.cadres["b1"].id) == set()


def test_cadre_lists_only_its_own_pairings(admin, cadre_api, world):
    a1 = pairing_of(admin, world.cadres["a1"])
    created(pair(admin, world.cadres["a2"], world.households["a2"]))
    assert ids(cadre_api) == {a1["id"]}
    assert ids(cadre_api, cadre_id=world.cadres["a2"].id) == set()


def test_inspector_reads_every_pairing(admin, inspector, world):
    assert ids(inspector) == ids(admin)
    assert total(inspector) == 2


def test_reading_a_pairing_outside_scope_is_404(admin, unit_admin, cadre_api, world):
    b1 = pairing_of(admin, world.cadres["b1"])
    chief = created(pair(admin, world.cadres["a2"], world.households["a2"]))
    problem(unit_admin.get(f"{PAIRINGS}/{b1['id']}"), 404, "not_found")
    problem(cadre_api.get(f"{PAIRINGS}/{chief['id']}"), 404, "not_found")
    problem(admin.get(f"{PAIRINGS}/999999"), 404, "not_found")
    assert ok(unit_admin.get(f"{PAIRINGS}/{chief['id']}"))["id"] == chief["id"]
    own = pairing_of(admin, world.cadres["a1"])
    assert ok(cadre_api.get(f"{PAIRINGS}/{own['id']}"))["id"] == own["id"]


# --- village assignments -----------------------------------------------------------------


def test_assignment_list_shows_unit_village_and_team_leader(admin, world):
    listed = assignment_of(admin, world.villages["a"])
    assert listed["unit_id"] == world.units["a"].id
    assert listed["unit_name"] == world.units["a"].name
    assert listed["village_name"] == world.villages["a"].name
    assert listed["active"] is True and listed["ended_on"] is None
    assert listed["team_leader"] is None
    head = world.cadres["a2"]
    ok(admin.patch(f"{API}/units/{world.units['a'].id}", json={"head_cadre_id": head.id}))
    assert assignment_of(admin, world.villages["a"])["team_leader"] == {
        "cadre_id": head.id, "name": head.name}
    assert assignment_of(admin, world.villages["b"])["team_leader"] is None


def test_assigning_a_free_village_creates_an_assignment(admin, session, world):
    village = new_village(session, world)
    body = created(admin.post(ASSIGNMENTS, json={"unit_id": world.units["b"].id,
                                                 "village_id": village.id}), ASSIGNMENTS)
    assert body["unit_id"] == world.units["b"].id and body["village_id"] == village.id
    assert body["active"] is True and body["started_on"] == CLOCK.today().isoformat()


def test_assigning_a_held_village_is_refused(admin, world):
    before = total(admin, ASSIGNMENTS)
    problem(admin.post(ASSIGNMENTS, json={"unit_id": world.units["b"].id,
                                          "village_id": world.villages["a"].id}),
            409, "village_already_assigned")
    assert total(admin, ASSIGNMENTS) == before
    assert assignment_of(admin, world.villages["a"])["unit_id"] == world.units["a"].id


def test_only_the_county_admin_assigns_villages(login_as, admin, session, world):
    village = new_village(session, world)
    for role in ("unit_admin", "cadre", "inspector"):
        problem(login_as(world.users[role]).post(ASSIGNMENTS, json={
            "unit_id": world.units["a"].id, "village_id": village.id}), 403, "forbidden")
    assert total(admin, ASSIGNMENTS, village_id=village.id) == 0


def test_ending_an_assignment_frees_the_village_and_keeps_history(admin, session, world):
    village = new_village(session, world, held_by="a")
    assignment = assignment_of(admin, village)
    body = ok(admin.post(f"{ASSIGNMENTS}/{assignment['id']}/end", json={"reason": "任务完成"}))
    assert body["active"] is False and body["ended_on"] == CLOCK.today().isoformat()
    assert body["end_reason"] == "任务完成"
    moved = created(admin.post(ASSIGNMENTS, json={"unit_id": world.units["b"].id,
                                                  "village_id": village.id}), ASSIGNMENTS)
    assert assignment_of(admin, village)["id"] == moved["id"]
    assert ids(admin, ASSIGNMENTS, village_id=village.id) == {assignment["id"], moved["id"]}
    assert assignment["id"] in ids(admin, ASSIGNMENTS, active="false")
    assert assignment["id"] not in ids(admin, ASSIGNMENTS, active="true")


def test_ending_an_assignment_with_active_pairings_is_refused(admin, world):
    assignment = assignment_of(admin, world.villages["a"])
    pairing = pairing_of(admin, world.cadres["a1"])
    body = problem(admin.post(f"{ASSIGNMENTS}/{assignment['id']}/end",
                              json={"reason": "撤村"}), 409, "active_pairings_remain")
    assert body["pairing_ids"] == [pairing["id"]]
    assert assignment_of(admin, world.villages["a"])["id"] == assignment["id"]
    assert ok(admin.get(f"{PAIRINGS}/{pairing['id']}"))["active"] is True


def test_ending_an_assignment_with_end_pairings_ends_them_too(admin, world):
    assignment = assignment_of(admin, world.villages["a"])
    pairing = pairing_of(admin, world.cadres["a1"])
    b1 = pairing_of(admin, world.cadres["b1"])
    body = ok(admin.post(f"{ASSIGNMENTS}/{assignment['id']}/end",
                         json={"reason": "单位调整", "end_pairings": True}))
    assert body["active"] is False
    ended = ok(admin.get(f"{PAIRINGS}/{pairing['id']}"))
    assert ended["active"] is False and ended["ended_on"] == CLOCK.today().isoformat()
    assert "包村结束" in ended["end_reason"] and "单位调整" in ended["end_reason"]
    assert ok(admin.get(f"{PAIRINGS}/{b1['id']}"))["active"] is True


def test_ending_an_assignment_twice_is_refused(admin, session, world):
    village = new_village(session, world, held_by="a")
    assignment = assignment_of(admin, village)
    ok(admin.post(f"{ASSIGNMENTS}/{assignment['id']}/end", json={"reason": "任务完成"}))
    problem(admin.post(f"{ASSIGNMENTS}/{assignment['id']}/end", json={"reason": "again"}),
            409, "assignment_already_ended")


def test_no_new_pairing_in_a_village_after_its_assignment_ended(admin, world):
    assignment = assignment_of(admin, world.villages["a"])
    ok(admin.post(f"{ASSIGNMENTS}/{assignment['id']}/end",
                  json={"reason": "单位调整", "end_pairings": True}))
    before = total(admin)
    problem(pair(admin, world.cadres["a2"], world.households["a2"]), 409,
            "village_not_held_by_unit")
    assert total(admin) == before


# --- edits of cadres and households that would break R1/R3 -------------------------------


def test_demoting_a_section_chief_with_two_households_to_general_is_refused(
        admin, session, world):
    chief = world.cadres["a2"]
    created(pair(admin, chief, world.households["a2"]))
    created(pair(admin, chief, new_household(session, world, difficulty="harder")))
    body = problem(admin.patch(f"{API}/cadres/{chief.id}", json={"rank": "general"}),
                   409, "quota_exceeded")
    assert body["quota"] == 1 and body["active"] == 2
    assert ok(admin.get(f"{API}/cadres/{chief.id}"))["rank"] == "section_chief"


def test_moving_a_cadre_with_active_pairings_to_another_unit_is_refused(admin, world):
    a1 = world.cadres["a1"]
    problem(admin.patch(f"{API}/cadres/{a1.id}", json={"unit_id": world.units["b"].id}),
            409, "active_pairings_remain")
    assert ok(admin.get(f"{API}/cadres/{a1.id}"))["unit_id"] == world.units["a"].id
    # A cadre without active pairings may move.
    moved = ok(admin.patch(f"{API}/cadres/{world.cadres['a2'].id}",
                           json={"unit_id": world.units["b"].id}))
    assert moved["unit_id"] == world.units["b"].id


def test_moving_a_paired_household_out_of_the_units_villages_is_refused(admin, session, world):
    url = f"{API}/households/{world.households['a1'].id}"
    problem(admin.patch(url, json={"village_id": world.villages["b"].id}), 409,
            "village_not_held_by_unit")
    assert ok(admin.get(url))["village_id"] == world.villages["a"].id
    # Within the unit's villages the move is fine, and an unpaired household moves anywhere.
    other_a = new_village(session, world, held_by="a")
    assert ok(admin.patch(url, json={"village_id": other_a.id}))["village_id"] == other_a.id
    unpaired = f"{API}/households/{world.households['a2'].id}"
    moved = ok(admin.patch(unpaired, json={"village_id": world.villages["b"].id}))
    assert moved["village_id"] == world.villages["b"].id


# --- the database itself refuses (R1–R3 under concurrency) -------------------------------


def _insert(session, cadre, household, **kw) -> None:
    session.add(Pairing(cadre_id=cadre.id, household_id=household.id,
                        started_on=kw.pop("started_on", date(2026, 1, 1)), **kw))
    session.flush()


def _active_rows(session, **where) -> int:
    stmt = select(Pairing).where(Pairing.ended_on.is_(None))
    for key, value in where.items():
        stmt = stmt.where(getattr(Pairing, key) == value)
    return len(session.scalars(stmt).all())


def test_database_refuses_a_general_cadres_second_active_pairing(session, world):
    household = factories.household(session, world.villages["a"])
    with pytest.raises(IntegrityError) as refused:
        _insert(session, world.cadres["a1"], household)
    assert "quota_exceeded" in str(refused.value.orig)
    session.rollback()
    assert _active_rows(session, cadre_id=world.cadres["a1"].id) == 1


def test_database_refuses_a_section_chiefs_third_active_pairing(session, world):
    chief = world.cadres["a2"]
    _insert(session, chief, world.households["a2"])
    _insert(session, chief, factories.household(session, world.villages["a"], difficulty="harder"))
    third = factories.household(session, world.villages["a"], difficulty="harder")
    with pytest.raises(IntegrityError) as refused:
        _insert(session, chief, third)
    assert "quota_exceeded" in str(refused.value.orig)
    session.rollback()


def test_database_refuses_a_second_active_pairing_of_one_household(session, world):
    with pytest.raises(IntegrityError):
        _insert(session, world.cadres["a2"], world.households["a1"])
    session.rollback()
    assert _active_rows(session, household_id=world.households["a1"].id) == 1


def test_database_refuses_a_pairing_in_a_village_the_unit_does_not_hold(session, world):
    household_in_b = factories.household(session, world.villages["b"], difficulty="harder")
    session.commit()
    with pytest.raises(IntegrityError) as refused:
        _insert(session, world.cadres["a2"], household_in_b)
    assert "village_not_held_by_unit" in str(refused.value.orig)
    session.rollback()
    assert _active_rows(session, household_id=household_in_b.id) == 0


def test_database_accepts_ended_pairings_beyond_quota(session, world):
    household = factories.household(session, world.villages["a"])
    _insert(session, world.cadres["a1"], household, ended_on=date(2026, 2, 1),
            end_reason="历史记录")
    session.commit()
    assert _active_rows(session, cadre_id=world.cadres["a1"].id) == 1
    assert len(session.scalars(select(Pairing).where(
        Pairing.cadre_id == world.cadres["a1"].id)).all()) == 2


def test_database_refuses_reopening_an_ended_pairing_beyond_quota(session, world):
    household = factories.household(session, world.villages["a"])
    _insert(session, world.cadres["a1"], household, ended_on=date(2026, 2, 1))
    session.commit()
    old = session.scalars(select(Pairing).where(Pairing.household_id == household.id)).one()
    old.ended_on = None
    with pytest.raises(IntegrityError) as refused:
        session.flush()
    assert "quota_exceeded" in str(refused.value.orig)
    session.rollback()


def test_database_still_holds_the_village_rule_for_assignments(session, world):
    """R6 in the database: a second active assignment of one village."""
    session.add(VillageAssignment(unit_id=world.units["b"].id, village_id=world.villages["a"].id,
                                  started_on=date(2026, 1, 1)))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
