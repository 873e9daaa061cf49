"""Unannounced inspections (不打招呼督查, SPEC §2 Inspection, §6 bulletin) through HTTP.

Covered: record / list / read, the rates in each inspection's body, validation (422), who may
use the endpoints (inspector and county admin; unit admin and cadre 403; anonymous 401), the
knowledge rate (知晓率: share knowing their cadre) and satisfaction rate (满意率: satisfied +
basically satisfied) per village and per unit checked against hand counts, the month filter,
the bulletin picking up the unit rates, the cadre and unit stored with each check (the pairing
on the inspection day, kept when the pairing later ends), and the sample of villages and
households for the next inspection (same seed → same sample; only households with an active
pairing).

The `world` fixture: unit A holds village a, unit B holds village b (both since 2026-01-01);
cadres a1, a2 in A, b1 in B; households a1, a2 in village a, b1 in village b; pairings
a1 → household a1 and b1 → household b1 from 2026-01-01. Household a2 has no cadre.

Dates: September and October 2026 are complete past months, seen from 2026-11-23 (the
`november` fixture sets the clock there; county time, Asia/Shanghai); "today" is read from the
clock where a test needs it. The world stands as built since 2026-01-01 (conftest), and the
cadres and households a test adds "since 2026-01-01" are made with the clock set to that day
(`CLOCK.at`); an inspection of a past day is typed in now, as a paper form would be.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service.inspections.models import HouseholdCheck, Inspection
from service.pairings.models import Pairing
from tests import factories
from tests.clock import CLOCK, WORLD_BUILT

API = "/api/v1"
URL = f"{API}/inspections"
RATES = f"{URL}/rates"
SAMPLE = f"{URL}/sample"
PROBLEM = "application/problem+json"
CST = ZoneInfo("Asia/Shanghai")
CHECK_OUT_KEYS = {"household_id", "cadre_id", "unit_id", "knows_cadre", "has_contact_card",
                  "visit_confirmed", "satisfaction", "note"}
NOVEMBER = datetime(2026, 11, 23, 10, tzinfo=CST)  # when these tests run
INSPECTION_KEYS = {"id", "village_id", "inspected_on", "inspector_id", "notes", "created_at",
                   "household_checks", "checks", "knowledge_rate", "satisfaction_rate",
                   "card_rate", "visit_confirmed_rate"}


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def november(clock):
    """These tests look back at September and October from late November 2026."""
    clock.set(NOVEMBER)


def check(household, knows=True, card=True, confirmed=True, satisfaction="satisfied",
          **kw) -> dict:
    return {"household_id": household.id, "knows_cadre": knows, "has_contact_card": card,
            "visit_confirmed": confirmed, "satisfaction": satisfaction, **kw}


def body(village, day: str | date, checks: list[dict], **kw) -> dict:
    return {"village_id": village.id, "inspected_on": str(day), "household_checks": checks,
            **kw}


def record(api, village, day, checks, **kw) -> dict:
    response = api.post(URL, json=body(village, day, checks, **kw))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.content_type.startswith(PROBLEM)
    return response.get_json()


def stored(session) -> tuple[int, int]:
    session.expire_all()
    return (session.scalar(select(func.count()).select_from(Inspection)),
            session.scalar(select(func.count()).select_from(HouseholdCheck)))


def pairing_of(session, cadre, household) -> Pairing:
    session.expire_all()
    return session.scalar(select(Pairing).where(Pairing.cadre_id == cadre.id,
                                                Pairing.household_id == household.id))


def rates_of(api, by: str, month: str | None = None) -> dict[int, dict]:
    url = f"{RATES}?by={by}" + (f"&month={month}" if month else "")
    response = api.get(url)
    assert response.status_code == 200, response.get_json()
    body_ = response.get_json()
    assert body_["by"] == by and body_["month"] == month
    return {row[f"{by}_id"]: {k: v for k, v in row.items() if k != f"{by}_id"}
            for row in body_["items"]}


@pytest.fixture
def village_a_of_four(world, session):
    """Village a with four households: a1 (cadre a1), a2 (no cadre), a3 and a4 (cadres a3 and
    a4 of unit A, paired since 2026-01-01 and entered then)."""
    with CLOCK.at(WORLD_BUILT):
        a3 = factories.cadre(session, world.units["a"])
        a4 = factories.cadre(session, world.units["a"])
        ha3 = factories.household(session, world.villages["a"])
        ha4 = factories.household(session, world.villages["a"])
        factories.pair(session, a3, ha3)
        factories.pair(session, a4, ha4)
        session.commit()
    world.cadres.update({"a3": a3, "a4": a4})
    world.households.update({"a3": ha3, "a4": ha4})
    return world


# --- record, read, list --------------------------------------------------------------------


def test_an_inspector_records_an_inspection_with_its_checks_and_rates(world, inspector):
    ha1, ha2 = world.households["a1"], world.households["a2"]
    response = inspector.post(URL, json=body(world.villages["a"], "2026-10-20", [
        check(ha1, knows=True, card=False, confirmed=True, satisfaction="basically_satisfied",
              note="认得干部, 连心卡丢了"),
        check(ha2, knows=False, card=False, confirmed=False, satisfaction="dissatisfied")],
        notes="上午随机入户"))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert response.headers["Location"] == f"{URL}/{created['id']}"
    assert set(created) == INSPECTION_KEYS
    assert created["village_id"] == world.villages["a"].id
    assert created["inspected_on"] == "2026-10-20"
    assert created["inspector_id"] == world.users["inspector"].id
    assert created["notes"] == "上午随机入户"
    first, second = created["household_checks"]
    assert set(first) == CHECK_OUT_KEYS
    # The cadre and unit paired with the household that day; household a2 has none.
    assert first == {"household_id": ha1.id, "cadre_id": world.cadres["a1"].id,
                     "unit_id": world.units["a"].id, "knows_cadre": True,
                     "has_contact_card": False, "visit_confirmed": True,
                     "satisfaction": "basically_satisfied", "note": "认得干部, 连心卡丢了"}
    assert second == {"household_id": ha2.id, "cadre_id": None, "unit_id": None,
                      "knows_cadre": False, "has_contact_card": False,
                      "visit_confirmed": False, "satisfaction": "dissatisfied", "note": None}
    # Its own rates: 1 of 2 know, 1 of 2 (basically) satisfied, 0 of 2 cards, 1 of 2 confirm.
    assert (created["checks"], created["knowledge_rate"], created["satisfaction_rate"],
            created["card_rate"], created["visit_confirmed_rate"]) == (2, 0.5, 0.5, 0.0, 0.5)

    again = inspector.get(f"{URL}/{created['id']}")
    assert again.status_code == 200
    assert again.get_json() == created
    listed = inspector.get(URL).get_json()
    assert listed["total"] == 1 and listed["items"] == [created]


def test_a_county_admin_records_and_reads_inspections_too(world, admin):
    created = record(admin, world.villages["b"], "2026-10-02",
                     [check(world.households["b1"])])
    assert created["inspector_id"] == world.users["county_admin"].id
    assert created["household_checks"][0]["cadre_id"] == world.cadres["b1"].id
    assert created["household_checks"][0]["unit_id"] == world.units["b"].id
    assert (created["knowledge_rate"], created["satisfaction_rate"]) == (1.0, 1.0)
    assert admin.get(f"{URL}/{created['id']}").get_json() == created


def test_an_inspection_dated_today_is_accepted(world, inspector):
    created = record(inspector, world.villages["a"], CLOCK.today(),
                     [check(world.households["a1"])])
    assert created["inspected_on"] == CLOCK.today().isoformat()


def test_an_unknown_inspection_is_404(world, inspector):
    problem(inspector.get(f"{URL}/999999"), 404)


def test_list_is_newest_first_and_filters_by_village_unit_inspector_and_month(
        world, inspector, admin):
    va, vb = world.villages["a"], world.villages["b"]
    ha1, ha2, hb1 = (world.households[k] for k in ("a1", "a2", "b1"))
    sep_a = record(inspector, va, "2026-09-10", [check(ha1)])["id"]
    oct_a_unpaired = record(inspector, va, "2026-10-05", [check(ha2)])["id"]
    oct_b = record(admin, vb, "2026-10-25", [check(hb1)])["id"]
    oct_a = record(inspector, va, "2026-10-15", [check(ha1), check(ha2)])["id"]

    def ids(query: str = "") -> list[int]:
        response = inspector.get(f"{URL}{query}")
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        assert page["total"] == len(page["items"])
        return [i["id"] for i in page["items"]]

    assert ids() == [oct_b, oct_a, oct_a_unpaired, sep_a]
    assert ids(f"?village_id={va.id}") == [oct_a, oct_a_unpaired, sep_a]
    assert ids(f"?unit_id={world.units['a'].id}") == [oct_a, sep_a]
    assert ids(f"?unit_id={world.units['b'].id}") == [oct_b]
    assert ids(f"?inspector_id={world.users['county_admin'].id}") == [oct_b]
    assert ids("?month=2026-10") == [oct_b, oct_a, oct_a_unpaired]
    assert ids("?month=2026-09") == [sep_a]
    assert ids("?month=2026-08") == []
    assert ids(f"?month=2026-10&village_id={va.id}") == [oct_a, oct_a_unpaired]
    problem(inspector.get(f"{URL}?month=2026-13"), 422)


# --- validation ----------------------------------------------------------------------------


def test_a_household_of_another_village_is_422_and_nothing_is_stored(world, inspector,
                                                                     session):
    response = inspector.post(URL, json=body(world.villages["a"], "2026-10-20", [
        check(world.households["a1"]), check(world.households["b1"])]))
    errors = problem(response, 422)["errors"]
    assert "household_checks" in errors
    assert any(str(world.households["b1"].id) in m for m in errors["household_checks"])
    assert stored(session) == (0, 0)


def test_a_household_twice_is_422(world, inspector, session):
    ha1 = world.households["a1"]
    response = inspector.post(URL, json=body(world.villages["a"], "2026-10-20", [
        check(ha1, satisfaction="satisfied"), check(ha1, satisfaction="dissatisfied")]))
    assert "household_checks" in problem(response, 422)["errors"]
    assert stored(session) == (0, 0)


def test_a_future_date_is_422_and_today_is_not(world, inspector, session):
    tomorrow = CLOCK.today() + timedelta(days=1)
    for day in (tomorrow, date(2999, 1, 1)):
        response = inspector.post(URL, json=body(world.villages["a"], day,
                                                 [check(world.households["a1"])]))
        assert "inspected_on" in problem(response, 422)["errors"]
    assert stored(session) == (0, 0)


@pytest.mark.parametrize("change", [
    {"village_id": 999_999},
    {"household_checks": []},
    {"household_checks": [{"household_id": 999_999, "knows_cadre": True,
                           "has_contact_card": True, "visit_confirmed": True,
                           "satisfaction": "satisfied"}]},
    {"inspected_on": "2026-10-32"},
    {"inspected_on": "20/10/2026"},
    {"village_id": None},
    {"unexpected": 1},
], ids=["unknown-village", "no-checks", "unknown-household", "bad-day", "bad-format",
        "null-village", "unknown-field"])
def test_bad_inspections_are_422(world, inspector, session, change):
    data = body(world.villages["a"], "2026-10-20", [check(world.households["a1"])])
    data.update(change)
    problem(inspector.post(URL, json=data), 422)
    assert stored(session) == (0, 0)


@pytest.mark.parametrize("change", [
    {"satisfaction": "very_satisfied"}, {"satisfaction": None}, {"knows_cadre": "maybe"},
    {"has_contact_card": None}, {"visit_confirmed": 2}, {"note": "x" * 501},
    {"extra": True},
])
def test_bad_household_checks_are_422(world, inspector, session, change):
    item = check(world.households["a1"])
    item.update(change)
    problem(inspector.post(URL, json=body(world.villages["a"], "2026-10-20", [item])), 422)
    assert stored(session) == (0, 0)


@pytest.mark.parametrize("missing", ["knows_cadre", "has_contact_card", "visit_confirmed",
                                     "satisfaction", "household_id"])
def test_every_answer_of_a_check_is_required(world, inspector, missing):
    item = check(world.households["a1"])
    del item[missing]
    errors = problem(inspector.post(URL, json=body(world.villages["a"], "2026-10-20",
                                                   [item])), 422)["errors"]
    assert any(missing in key for key in errors), errors


@pytest.mark.parametrize("missing", ["village_id", "inspected_on", "household_checks"])
def test_the_village_day_and_checks_are_required(world, inspector, missing):
    data = body(world.villages["a"], "2026-10-20", [check(world.households["a1"])])
    del data[missing]
    assert missing in problem(inspector.post(URL, json=data), 422)["errors"]


# --- who may use the endpoints -------------------------------------------------------------


@pytest.fixture
def an_inspection(world, inspector) -> int:
    return record(inspector, world.villages["a"], "2026-10-20",
                  [check(world.households["a1"])])["id"]


def _endpoints(inspection_id: int) -> list[tuple[str, str]]:
    return [("get", URL), ("get", f"{URL}/{inspection_id}"), ("get", f"{RATES}?by=village"),
            ("get", f"{RATES}?by=unit"), ("get", f"{SAMPLE}?seed=1"), ("post", URL)]


@pytest.mark.parametrize("role", ["unit_admin", "cadre"])
def test_unit_admins_and_cadres_are_refused(world, login_as, session, an_inspection, role):
    api = login_as(world.users[role])
    for method, url in _endpoints(an_inspection):
        kw = {"json": body(world.villages["a"], "2026-10-21",
                           [check(world.households["a1"])])} if method == "post" else {}
        problem(getattr(api, method)(url, **kw), 403)
    assert stored(session) == (1, 1)


def test_anonymous_callers_are_401(world, anonymous, session, an_inspection):
    for method, url in _endpoints(an_inspection):
        kw = {"json": body(world.villages["a"], "2026-10-21",
                           [check(world.households["a1"])])} if method == "post" else {}
        problem(getattr(anonymous, method)(url, **kw), 401)
    assert stored(session) == (1, 1)


@pytest.mark.parametrize("role", ["inspector", "county_admin"])
def test_inspectors_and_county_admins_may_use_every_endpoint(world, login_as, an_inspection,
                                                             role):
    api = login_as(world.users[role])
    for method, url in _endpoints(an_inspection):
        if method == "post":
            response = api.post(url, json=body(world.villages["b"], "2026-10-21",
                                               [check(world.households["b1"])]))
            assert response.status_code == 201, response.get_json()
        else:
            response = api.get(url)
            assert response.status_code == 200, (url, response.get_json())


# --- rates per village and per unit ---------------------------------------------------------


def test_rates_per_village_and_unit_equal_hand_counts(village_a_of_four, inspector, admin):
    world = village_a_of_four
    va, vb = world.villages["a"], world.villages["b"]
    ha1, ha2, ha3, ha4, hb1 = (world.households[k] for k in ("a1", "a2", "a3", "a4", "b1"))
    # Village a, two inspections, four households:
    #   a1 (unit A) knows, satisfied, card, confirms
    #   a2 (no cadre) knows, basically satisfied, no card, confirms
    #   a3 (unit A) knows, basically satisfied, card, does not confirm
    #   a4 (unit A) does not know, dissatisfied, no card, does not confirm
    # → village a: know 3/4 = 0.75, satisfied 3/4 = 0.75, card 2/4, confirm 2/4.
    # → unit A (a1, a3, a4; a2 has no cadre): know 2/3, satisfied 2/3, card 2/3, confirm 1/3.
    first = record(inspector, va, "2026-10-08", [
        check(ha1, True, True, True, "satisfied"),
        check(ha2, True, False, True, "basically_satisfied")])
    second = record(admin, va, "2026-10-22", [
        check(ha3, True, True, False, "basically_satisfied"),
        check(ha4, False, False, False, "dissatisfied")])
    # Village b: b1 asked twice, once in each month-half: knows once; never satisfied.
    record(inspector, vb, "2026-10-09", [check(hb1, True, True, True, "dissatisfied")])
    record(inspector, vb, "2026-10-30", [check(hb1, False, True, False, "dissatisfied")])

    assert (first["knowledge_rate"], first["satisfaction_rate"]) == (1.0, 1.0)
    assert (second["knowledge_rate"], second["satisfaction_rate"]) == (0.5, 0.5)

    by_village = rates_of(inspector, "village")
    assert by_village == {
        va.id: {"checks": 4, "knowledge_rate": 0.75, "satisfaction_rate": 0.75,
                "card_rate": 0.5, "visit_confirmed_rate": 0.5},
        vb.id: {"checks": 2, "knowledge_rate": 0.5, "satisfaction_rate": 0.0,
                "card_rate": 1.0, "visit_confirmed_rate": 0.5}}
    by_unit = rates_of(inspector, "unit")
    assert by_unit == {
        world.units["a"].id: {"checks": 3, "knowledge_rate": 0.6667,
                              "satisfaction_rate": 0.6667, "card_rate": 0.6667,
                              "visit_confirmed_rate": 0.3333},
        world.units["b"].id: {"checks": 2, "knowledge_rate": 0.5, "satisfaction_rate": 0.0,
                              "card_rate": 1.0, "visit_confirmed_rate": 0.5}}
    # by=village is the default.
    default = inspector.get(RATES).get_json()
    assert default["by"] == "village" and len(default["items"]) == 2


def test_rates_follow_the_month_filter(world, inspector):
    va = world.villages["a"]
    ha1, ha2 = world.households["a1"], world.households["a2"]
    record(inspector, va, "2026-09-30", [check(ha1, False, satisfaction="dissatisfied"),
                                         check(ha2, False, satisfaction="dissatisfied")])
    record(inspector, va, "2026-10-01", [check(ha1, True, satisfaction="satisfied"),
                                         check(ha2, False, satisfaction="basically_satisfied")])
    record(inspector, va, "2026-10-31", [check(ha1, True, satisfaction="dissatisfied")])

    october = rates_of(inspector, "village", "2026-10")
    # October: a1 knows twice, a2 not: 2/3; satisfied + basically satisfied: 2/3.
    assert october == {va.id: {"checks": 3, "knowledge_rate": 0.6667,
                               "satisfaction_rate": 0.6667, "card_rate": 1.0,
                               "visit_confirmed_rate": 1.0}}
    assert rates_of(inspector, "village", "2026-09")[va.id]["knowledge_rate"] == 0.0
    assert rates_of(inspector, "village", "2026-09")[va.id]["checks"] == 2
    assert rates_of(inspector, "village", "2026-08") == {}
    # All months: 2 of 5 know; 2 of 5 satisfied.
    everything = rates_of(inspector, "village")
    assert (everything[va.id]["checks"], everything[va.id]["knowledge_rate"],
            everything[va.id]["satisfaction_rate"]) == (5, 0.4, 0.4)
    # Per unit, October: only a1 counts (a2 has no cadre): knows on both days (2 of 2),
    # satisfied on Oct 1 and dissatisfied on Oct 31 (1 of 2).
    assert rates_of(inspector, "unit", "2026-10") == {world.units["a"].id: {
        "checks": 2, "knowledge_rate": 1.0, "satisfaction_rate": 0.5, "card_rate": 1.0,
        "visit_confirmed_rate": 1.0}}


@pytest.mark.parametrize("query", ["by=township", "month=2026-13", "month=2026-1",
                                   "month=october"])
def test_bad_rate_queries_are_422(world, inspector, query):
    problem(inspector.get(f"{RATES}?{query}"), 422)


# --- the bulletin --------------------------------------------------------------------------


def test_the_bulletin_carries_each_units_rates_for_the_month(village_a_of_four, inspector):
    world = village_a_of_four
    va, vb = world.villages["a"], world.villages["b"]
    ha1, ha3, ha4, hb1 = (world.households[k] for k in ("a1", "a3", "a4", "b1"))
    # October: unit A's households a1, a3, a4 (a4 twice); a2 has no cadre; unit B's b1.
    record(inspector, va, "2026-10-12", [
        check(ha1, True, satisfaction="satisfied"),
        check(ha3, True, satisfaction="basically_satisfied"),
        check(ha4, False, satisfaction="basically_satisfied"),
        check(world.households["a2"], False, satisfaction="dissatisfied")])
    record(inspector, va, "2026-10-28", [check(ha4, True, satisfaction="dissatisfied")])
    record(inspector, vb, "2026-10-03", [check(hb1, True, satisfaction="dissatisfied")])
    # September, which the October bulletin must not count.
    record(inspector, vb, "2026-09-29", [check(hb1, False, satisfaction="satisfied")])

    response = inspector.get(f"{API}/reports/bulletin?month=2026-10")
    assert response.status_code == 200, response.get_json()
    bulletin = response.get_json()
    assert bulletin["inspections_counted"] is True
    units = {u["unit_id"]: u for u in bulletin["units"]}
    # Unit A: a1 yes/sat, a3 yes/basic, a4 no/basic, a4 yes/dissat → know 3/4, sat 3/4.
    assert (units[world.units["a"].id]["knowledge_rate"],
            units[world.units["a"].id]["satisfaction_rate"]) == (0.75, 0.75)
    assert (units[world.units["b"].id]["knowledge_rate"],
            units[world.units["b"].id]["satisfaction_rate"]) == (1.0, 0.0)
    # The same numbers as the rates endpoint.
    by_unit = rates_of(inspector, "unit", "2026-10")
    for unit_id, row in units.items():
        assert (row["knowledge_rate"], row["satisfaction_rate"]) == (
            by_unit[unit_id]["knowledge_rate"], by_unit[unit_id]["satisfaction_rate"])

    september = {u["unit_id"]: u for u in inspector.get(
        f"{API}/reports/bulletin?month=2026-09").get_json()["units"]}
    assert september[world.units["b"].id]["knowledge_rate"] == 0.0
    assert september[world.units["b"].id]["satisfaction_rate"] == 1.0
    assert september[world.units["a"].id]["knowledge_rate"] is None


def test_a_bulletin_month_without_inspections_has_no_rates(world, inspector):
    record(inspector, world.villages["a"], "2026-10-12", [check(world.households["a1"])])
    bulletin = inspector.get(f"{API}/reports/bulletin?month=2026-08").get_json()
    assert bulletin["inspections_counted"] is False
    assert all(u["knowledge_rate"] is None and u["satisfaction_rate"] is None
               for u in bulletin["units"])


def test_an_inspection_of_households_without_a_cadre_is_still_counted_in_the_bulletin(
        world, inspector):
    record(inspector, world.villages["a"], "2026-10-12", [check(world.households["a2"])])
    bulletin = inspector.get(f"{API}/reports/bulletin?month=2026-10").get_json()
    assert all(u["knowledge_rate"] is None for u in bulletin["units"])
    assert bulletin["inspections_counted"] is True


def test_a_unit_not_checked_in_the_month_has_null_rates_in_the_bulletin(world, inspector):
    record(inspector, world.villages["a"], "2026-10-12",
           [check(world.households["a1"], False, satisfaction="dissatisfied")])
    units = {u["unit_id"]: u for u in inspector.get(
        f"{API}/reports/bulletin?month=2026-10").get_json()["units"]}
    assert (units[world.units["a"].id]["knowledge_rate"],
            units[world.units["a"].id]["satisfaction_rate"]) == (0.0, 0.0)
    assert (units[world.units["b"].id]["knowledge_rate"],
            units[world.units["b"].id]["satisfaction_rate"]) == (None, None)


# --- the cadre and unit stored with each check ------------------------------------------------


def test_the_stored_cadre_and_unit_survive_the_pairing_ending_later(world, session, admin,
                                                                    inspector):
    ha1 = world.households["a1"]
    a1, unit_a = world.cadres["a1"], world.units["a"]
    created = record(inspector, world.villages["a"], "2026-10-20",
                     [check(ha1, True, satisfaction="satisfied")])

    # Household a1 goes to a new cadre of unit A: the old pairing ends today.
    pairing = pairing_of(session, a1, ha1)
    response = admin.post(f"{API}/pairings/{pairing.id}/end", json={"reason": "工作调整"})
    assert response.status_code == 200, response.get_json()
    successor = factories.cadre(session, unit_a)
    factories.pair(session, successor, ha1, started_on=CLOCK.today())
    session.commit()

    (kept,) = inspector.get(f"{URL}/{created['id']}").get_json()["household_checks"]
    assert (kept["cadre_id"], kept["unit_id"]) == (a1.id, unit_a.id)
    # An inspection of an October day recorded now still names the cadre of that day ...
    late = record(inspector, world.villages["a"], "2026-10-25",
                  [check(ha1, False, satisfaction="dissatisfied")])
    assert late["household_checks"][0]["cadre_id"] == a1.id
    # ... one of today the new cadre.
    today = record(inspector, world.villages["a"], CLOCK.today(), [check(ha1)])
    assert today["household_checks"][0]["cadre_id"] == successor.id
    assert today["household_checks"][0]["unit_id"] == unit_a.id
    # October's unit rates still count both October answers for unit A.
    assert rates_of(inspector, "unit", "2026-10")[unit_a.id]["checks"] == 2


def test_a_household_without_a_cadre_that_day_has_none_stored(world, session, inspector):
    """Household b1's pairing is moved to start in November (as if recorded so): an October
    inspection finds it without a cadre and counts for no unit."""
    pairing = pairing_of(session, world.cadres["b1"], world.households["b1"])
    pairing.started_on = date(2026, 11, 1)
    session.commit()
    created = record(inspector, world.villages["b"], "2026-10-20",
                     [check(world.households["b1"])])
    assert (created["household_checks"][0]["cadre_id"],
            created["household_checks"][0]["unit_id"]) == (None, None)
    assert rates_of(inspector, "unit") == {}
    assert list(rates_of(inspector, "village")) == [world.villages["b"].id]


def test_the_stored_unit_is_the_cadres_unit_on_the_inspection_day(world, session, admin,
                                                                  inspector):
    ha1, a1 = world.households["a1"], world.cadres["a1"]
    # Cadre a1 links household a1 until 2026-10-31, then moves to unit B (the API lets a
    # cadre without active pairings move).
    pairing = pairing_of(session, a1, ha1)
    response = admin.post(f"{API}/pairings/{pairing.id}/end",
                          json={"reason": "调动", "ended_on": "2026-10-31"})
    assert response.status_code == 200, response.get_json()
    response = admin.patch(f"{API}/cadres/{a1.id}", json={"unit_id": world.units["b"].id})
    assert response.status_code == 200, response.get_json()
    # The inspector's paper form of 2026-10-20 is typed in afterwards.
    created = record(inspector, world.villages["a"], "2026-10-20", [check(ha1)])
    assert created["household_checks"][0]["cadre_id"] == a1.id
    assert created["household_checks"][0]["unit_id"] == world.units["a"].id


# --- the sample ------------------------------------------------------------------------------


@pytest.fixture
def county_to_sample(world, session):
    """Besides the world (village a: a1 paired, a2 not; village b: b1 paired):
    village c (unit A) with c1, c2, c3 paired, c4 never paired, c5 whose pairing ended;
    village d (unit B) with one household whose pairing ended; village e with no household.
    Candidates: a → {a1}; b → {b1}; c → {c1, c2, c3}."""
    vc, vd = factories.village(session, world.township), factories.village(session,
                                                                            world.township)
    factories.village(session, world.township)
    factories.assign(session, world.units["a"], vc)
    factories.assign(session, world.units["b"], vd)
    cs = [factories.household(session, vc) for _ in range(5)]
    for h in cs[:3]:
        factories.pair(session, factories.cadre(session, world.units["a"]), h)
    ended = factories.pair(session, factories.cadre(session, world.units["a"]), cs[4])
    ended.ended_on, ended.end_reason = date(2026, 6, 30), "工作调整"
    hd = factories.household(session, vd)
    gone = factories.pair(session, factories.cadre(session, world.units["b"]), hd)
    gone.ended_on, gone.end_reason = date(2026, 6, 30), "工作调整"
    session.commit()
    return {world.villages["a"].id: [world.households["a1"].id],
            world.villages["b"].id: [world.households["b1"].id],
            vc.id: sorted(h.id for h in cs[:3])}


def sample(api, query: str) -> dict:
    response = api.get(f"{SAMPLE}?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_sample_large_enough_takes_every_household_with_an_active_pairing(
        world, county_to_sample, inspector, session):
    drawn = sample(inspector, "size=50&per_village=50&seed=7")
    assert (drawn["seed"], drawn["size"], drawn["per_village"]) == (7, 50, 50)
    assert {v["village_id"]: v["household_ids"] for v in drawn["villages"]} == county_to_sample
    names = {v["village_id"]: v["village"] for v in drawn["villages"]}
    assert names[world.villages["a"].id] == world.villages["a"].name


def test_the_same_seed_gives_the_same_sample(world, county_to_sample, inspector, admin):
    for seed in (0, 1, 42, 2**31 - 1):
        first = sample(inspector, f"size=2&per_village=2&seed={seed}")
        assert sample(inspector, f"size=2&per_village=2&seed={seed}") == first
        assert sample(admin, f"size=2&per_village=2&seed={seed}") == first
        assert first["seed"] == seed


def test_a_sample_without_a_seed_returns_the_seed_that_repeats_it(world, county_to_sample,
                                                                  inspector):
    drawn = sample(inspector, "size=2&per_village=1")
    assert isinstance(drawn["seed"], int) and 0 <= drawn["seed"] < 2**31
    assert sample(inspector, f"size=2&per_village=1&seed={drawn['seed']}") == drawn


def test_every_draw_stays_within_the_size_and_the_candidates(world, county_to_sample,
                                                             inspector):
    seen = set()
    for seed in range(30):
        drawn = sample(inspector, f"size=2&per_village=2&seed={seed}")
        villages = [v["village_id"] for v in drawn["villages"]]
        assert len(villages) == 2 and len(set(villages)) == 2
        assert villages == sorted(villages)
        for v in drawn["villages"]:
            candidates = county_to_sample[v["village_id"]]
            assert len(v["household_ids"]) == min(2, len(candidates))
            assert set(v["household_ids"]) <= set(candidates)
            assert v["household_ids"] == sorted(v["household_ids"])
        seen.add(tuple((v["village_id"], tuple(v["household_ids"]))
                       for v in drawn["villages"]))
    # Thirty seeds over three villages (three ways to take two of village c): not one draw.
    assert len(seen) > 1


def test_the_default_sample_is_five_villages_of_up_to_five_households(world, county_to_sample,
                                                                      inspector):
    drawn = sample(inspector, "seed=3")
    assert (drawn["size"], drawn["per_village"]) == (5, 5)
    # Only three villages have candidates.
    assert {v["village_id"]: v["household_ids"] for v in drawn["villages"]} == county_to_sample


def test_a_household_whose_pairing_ends_leaves_the_sample(world, session, inspector, admin):
    pairing = pairing_of(session, world.cadres["b1"], world.households["b1"])
    before = sample(inspector, "size=10&per_village=10&seed=5")
    assert [v["village_id"] for v in before["villages"]] == sorted(
        [world.villages["a"].id, world.villages["b"].id])
    response = admin.post(f"{API}/pairings/{pairing.id}/end", json={"reason": "工作调整"})
    assert response.status_code == 200, response.get_json()
    after = sample(inspector, "size=10&per_village=10&seed=5")
    assert {v["village_id"]: v["household_ids"] for v in after["villages"]} == {
        world.villages["a"].id: [world.households["a1"].id]}


@pytest.mark.parametrize("query", ["size=0", "size=391", "per_village=0", "per_village=101",
                                   "seed=-1", "seed=2147483648", "size=2.5", "seed=abc"])
def test_bad_sample_queries_are_422(world, inspector, query):
    problem(inspector.get(f"{SAMPLE}?{query}"), 422)
