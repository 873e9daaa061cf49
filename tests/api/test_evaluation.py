"""The annual evaluation (年度考核, SPEC §6 and §1's three failure patterns) through HTTP,
over small histories counted by hand.

GET /api/v1/reports/evaluation?year=&format=json|csv is for county admins (a unit admin: its own
unit's cadres).

The county of the `history` fixture (its own, not the `world` fixture; each test runs in one
rolled-back transaction, so the evaluation sees only these cadres). Five general cadres, each
paired with one household of its own village from 2026-01-01 to 2026-10-31 (ten months).
Unit 农业局 holds the villages of 月底, 平常 and 临检; unit 水利局 those of 上门 and 断档.
Visits are county-local (Asia/Shanghai) and logged through the API by the cadre:

- 月底 (month end): a home visit at 07:00 on the 29th of every month (27 February), i.e. the
  last three days of each month; 07:00 local is 23:00 UTC the day before, so a report counting
  UTC days would not find them at month end. → bunched (10 of 10 at month end).
- 临检 (before inspections): its village is inspected on the 20th of every month; it visits on
  the 13th, 7 days before each. The inspections check an unpaired household of the village,
  except the one of 2026-10-20, which checks 临检's household: knows the cadre, dissatisfied.
  → bunched (10 of 10 before an inspection); inspections part (1.0 + 0.0) / 2 = 0.5.
- 上门 (demand-led): the household raises a demand itself (POST /demands by the county admin,
  no visit) at 10:00 on the 5th of every month; the cadre visits on the 9th, 4 days after.
  The demands of January–April are resolved after 2, 3, 4 and 6 days, the rest stay open.
  → demand_led (10 of 10 after a demand); demands 4 of 10 = 0.4, median 3.5 days.
- 断档 (long gap): visits on the 15th of January, February and March, then only phone calls on
  15 April and 15 May, then visits on 13 June and the 15th of July–October. 15 March → 13 June
  is 16 + 30 + 31 + 13 = 90 days. One task of its household finished (open → in_progress →
  done in May). → long_gaps (90 days); 8 of 10 months with a direct visit; tasks 1 of 1.
- 平常 (steady): a visit on the 15th of every month, and phone calls on the 29th (27 February);
  a demand raised on the 15 March visit (resolved 10 days later) and one the household raised
  itself on 10 August (open; the visit of 15 August follows it by 5 days). Its village is
  inspected on 23 March (8 days after a visit) and 14 June (the day before one), its household
  knowing the cadre both times, satisfied and basically satisfied. → no pattern (phone calls
  at month end would make it "bunched" if they counted); demands 1 of 2 = 0.5, median 10.0;
  inspections 1.0.

Longest gaps by hand: 月底 31 (e.g. 29 March → 29 April), 临检 31 (13 Jan → 13 Feb),
上门 31 (9 Jan → 9 Feb), 平常 31 (15 Jan → 15 Feb), 断档 90.

Scores with the default weights (visits 0.4, tasks 0.2, demands 0.2, inspections 0.2, penalty
0.1 per pattern), renormalised over the parts present, points rounded to 0.1:
    月底  visits 1.0 only                        100.0        − 10 = 90.0
    平常  visits 1.0, demands 0.5, insp 1.0       50.0 + 12.5 + 25.0 = 87.5
    断档  visits 0.8, tasks 1.0 (over 0.6)        53.3 + 33.3 = 86.6 − 10 = 76.6
    临检  visits 1.0, insp 0.5 (over 0.6)         66.7 + 16.7 = 83.4 − 10 = 73.4
    上门  visits 1.0, demands 0.4 (over 0.6)      66.7 + 13.3 = 80.0 − 10 = 70.0
County ranks in that order; within 农业局: 月底, 平常, 临检; within 水利局: 断档, 上门.

Dates: the evaluation of 2026 is read on 2027-01-15, once the year is over (the `january`
fixture sets the clock there), so it runs through 2026-12-31; times are county-local
(Asia/Shanghai, +08:00). The county is entered on 2026-01-01, the day its pairings start, and
the pairings are ended through the API on 2026-10-31. Every record of the histories is made
through the API with the clock set to the moment it happened (`CLOCK.at`): visits, demands
and inspections on their own day, a demand's transitions when it was resolved, the task when
it was created and when it moved; nothing is back-dated afterwards.
"""

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.evaluation import rules
from service.evaluation.routes import COLUMNS
from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
URL = f"{API}/reports/evaluation"
PROBLEM = "application/problem+json"
CST = ZoneInfo("Asia/Shanghai")
YEAR = 2026
MONTHS = range(1, 11)  # January–October
PAIRED_FROM, PAIRED_TO = date(2026, 1, 1), date(2026, 10, 31)
ROW_KEYS = {"cadre_id", "cadre", "unit_id", "unit", "months_paired",
            "months_with_direct_visit", "direct_visits", "tasks", "demands", "inspections",
            "patterns", "score", "parts", "rank_in_unit", "rank_in_county"}
NO_DEMANDS = {"total": 0, "resolved": 0, "resolution_rate": None, "median_days": None}
NO_TASKS = {"total": 0, "finished": 0, "completion": None}
NO_CHECKS = {"checks": 0, "knowledge_rate": None, "satisfaction_rate": None, "card_rate": None,
             "visit_confirmed_rate": None}


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """County-local time in 2026."""
    return datetime(YEAR, month, day, hour, minute, tzinfo=CST)


def month_end_day(month: int) -> int:
    return 27 if month == 2 else 29


# When the county is entered (its pairings start that day), and when 2026 is evaluated.
ENTERED = at(1, 1, 9)
READ_ON = datetime(YEAR + 1, 1, 15, 10, tzinfo=CST)


@pytest.fixture(autouse=True)
def january(clock):
    """These tests read the finished year 2026 from mid-January 2027."""
    clock.set(READ_ON)


# --- building the history --------------------------------------------------------------------


@dataclass
class History:
    units: dict = field(default_factory=dict)
    villages: dict = field(default_factory=dict)
    cadres: dict = field(default_factory=dict)
    households: dict = field(default_factory=dict)
    apis: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def log_visit(api, household, when: datetime, kind: str = "home_visit", **kw) -> dict:
    """A visit logged by the cadre at the moment it happened."""
    body = {"id": str(uuid.uuid4()), "household_id": household.id,
            "visited_at": when.isoformat(), "kind": kind, "diary": "走访记录", **kw}
    with CLOCK.at(when):
        response = api.post(f"{API}/visits", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def raise_demand(api, household, opened_at: datetime) -> str:
    """A demand the household raised itself (at the village office), entered then: no visit."""
    body = {"id": str(uuid.uuid4()), "household_id": household.id,
            "category": "housing_repair", "description": "房屋漏雨",
            "opened_at": opened_at.isoformat()}
    with CLOCK.at(opened_at):
        response = api.post(f"{API}/demands", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["visit_id"] is None
    return body["id"]


def resolve_demand(api, demand_id: str, when: datetime) -> None:
    """open → in_progress → resolved through the API, with the clock at `when`."""
    with CLOCK.at(when):
        for step in ({"to": "in_progress"}, {"to": "resolved", "resolution": "已修好"}):
            response = api.post(f"{API}/demands/{demand_id}/transition", json=step)
            assert response.status_code == 200, response.get_json()


def inspect(api, village, day: date, household, knows=True, satisfaction="satisfied",
            card=True, confirmed=True) -> dict:
    """An inspection entered on the day it was made."""
    with CLOCK.at(day):
        response = api.post(f"{API}/inspections", json={
            "village_id": village.id, "inspected_on": day.isoformat(),
            "household_checks": [{"household_id": household.id, "knows_cadre": knows,
                                  "has_contact_card": card, "visit_confirmed": confirmed,
                                  "satisfaction": satisfaction}]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def finish_task(api, household, created: datetime, moved: datetime) -> int:
    """A task created through the API at `created`, then open → in_progress → done at
    `moved`."""
    with CLOCK.at(created):
        response = api.post(f"{API}/tasks", json={
            "household_id": household.id, "category": "low_income", "description": "增收任务",
            "due_on": "2026-12-31"})
    assert response.status_code == 201, response.get_json()
    task_id = response.get_json()["id"]
    with CLOCK.at(moved):
        for to in ("in_progress", "done"):
            response = api.post(f"{API}/tasks/{task_id}/transition", json={"to": to})
            assert response.status_code == 200, response.get_json()
    return task_id


@pytest.fixture
def people(session, login_as):
    """The county's units, villages, cadres (paired Jan–Oct 2026) and accounts; no records.
    Entered on 2026-01-01; the county admin ends the pairings on 2026-10-31."""
    h = History()
    pairings = []
    with CLOCK.at(ENTERED):
        t = factories.township(session)
        h.units = {"农业局": factories.unit(session, name="县农业局"),
                   "水利局": factories.unit(session, name="县水利局")}
        holder = {"月底": "农业局", "平常": "农业局", "临检": "农业局", "上门": "水利局",
                  "断档": "水利局"}
        for key, unit_key in holder.items():
            village = factories.village(session, t, name=f"{key}村")
            factories.assign(session, h.units[unit_key], village, started_on=PAIRED_FROM)
            cadre = factories.cadre(session, h.units[unit_key], name=f"{key}干部")
            household = factories.household(session, village)
            pairings.append(factories.pair(session, cadre, household, started_on=PAIRED_FROM))
            h.villages[key], h.cadres[key], h.households[key] = village, cadre, household
        # An unpaired household of 临检's village, asked by most of its inspections.
        h.households["临检-邻户"] = factories.household(session, h.villages["临检"])
        h.users = {"county_admin": factories.user(session, "county_admin"),
                   "inspector": factories.user(session, "inspector"),
                   "unit_admin": factories.user(session, "unit_admin", unit_=h.units["农业局"])}
        for key, cadre in h.cadres.items():
            h.users[key] = factories.user(session, "cadre", cadre_=cadre)
        session.commit()
    h.apis = {key: login_as(user) for key, user in h.users.items()}
    with CLOCK.at(at(10, 31, 18)):
        for pairing in pairings:
            response = h.apis["county_admin"].post(f"{API}/pairings/{pairing.id}/end",
                                                   json={"reason": "年度轮换"})
            assert response.status_code == 200, response.get_json()
            assert response.get_json()["ended_on"] == PAIRED_TO.isoformat()
    return h


@pytest.fixture
def history(people) -> History:
    """The five histories of the module doc."""
    h, admin, inspector = people, people.apis["county_admin"], people.apis["inspector"]
    # 月底: the last days of each month, 07:00 local (23:00 UTC the day before).
    for m in MONTHS:
        log_visit(h.apis["月底"], h.households["月底"], at(m, month_end_day(m), 7))
    # 临检: inspected on the 20th, visited on the 13th.
    for m in MONTHS:
        log_visit(h.apis["临检"], h.households["临检"], at(m, 13))
    for m in range(1, 10):
        inspect(inspector, h.villages["临检"], date(YEAR, m, 20), h.households["临检-邻户"])
    inspect(inspector, h.villages["临检"], date(YEAR, 10, 20), h.households["临检"],
            knows=True, satisfaction="dissatisfied", card=False)
    # 上门: the household asks on the 5th, the cadre comes on the 9th.
    demands = [raise_demand(admin, h.households["上门"], at(m, 5)) for m in MONTHS]
    for m in MONTHS:
        log_visit(h.apis["上门"], h.households["上门"], at(m, 9), kind="heart_to_heart")
    for demand_id, m, days in zip(demands, (1, 2, 3, 4), (2, 3, 4, 6), strict=False):
        resolve_demand(admin, demand_id, at(m, 5) + timedelta(days=days))
    # 断档: a 90-day silence with only phone calls in it.
    for when in (at(1, 15), at(2, 15), at(3, 15), at(6, 13), *(at(m, 15) for m in (7, 8, 9, 10))):
        log_visit(h.apis["断档"], h.households["断档"], when)
    for m in (4, 5):
        log_visit(h.apis["断档"], h.households["断档"], at(m, 15), kind="phone")
    finish_task(admin, h.households["断档"], at(2, 1), at(5, 1))
    # 平常: mid-month visits; month-end phone calls; two demands; two inspections.
    for m in MONTHS:
        demands_heard = ([{"id": str(uuid.uuid4()), "category": "water_supply",
                           "description": "自来水不通"}] if m == 3 else [])
        visit = log_visit(h.apis["平常"], h.households["平常"], at(m, 15), kind="shared_labor",
                          demands=demands_heard)
        if m == 3:
            (heard,) = visit["demand_ids"]
        log_visit(h.apis["平常"], h.households["平常"], at(m, month_end_day(m), 20),
                  kind="phone")
    resolve_demand(admin, heard, at(3, 25))
    raise_demand(admin, h.households["平常"], at(8, 10))
    inspect(inspector, h.villages["平常"], date(YEAR, 3, 23), h.households["平常"],
            knows=True, satisfaction="satisfied")
    inspect(inspector, h.villages["平常"], date(YEAR, 6, 14), h.households["平常"],
            knows=True, satisfaction="basically_satisfied")
    return h


def evaluation(api, year: int = YEAR) -> dict:
    response = api.get(f"{URL}?year={year}")
    assert response.status_code == 200, response.get_json()
    assert response.content_type.startswith("application/json")
    return response.get_json()


def rows_by_name(body: dict) -> dict[str, dict]:
    rows = {r["cadre"].removesuffix("干部"): r for r in body["cadres"]}
    assert len(rows) == len(body["cadres"])
    return rows


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.content_type.startswith(PROBLEM)
    return response.get_json()


def part(value, weight, points) -> dict:
    return {"value": value, "weight": weight, "points": points}


# --- the whole report ------------------------------------------------------------------------


def test_the_report_covers_every_cadre_paired_in_the_year(history):
    body = evaluation(history.apis["county_admin"])
    assert set(body) == {"year", "through", "weights", "computed_at", "total", "page",
                         "per_page", "cadres"}
    assert (body["total"], body["page"], body["per_page"]) == (5, 1, 50)
    assert body["year"] == YEAR
    assert body["through"] == min(date(YEAR, 12, 31), CLOCK.today()).isoformat()
    assert body["weights"] == rules.DEFAULT_WEIGHTS
    rows = rows_by_name(body)
    assert set(rows) == {"月底", "临检", "上门", "断档", "平常"}
    for key, row in rows.items():
        assert set(row) == ROW_KEYS
        assert row["cadre_id"] == history.cadres[key].id
        unit = history.units["农业局" if key in ("月底", "平常", "临检") else "水利局"]
        assert (row["unit_id"], row["unit"]) == (unit.id, unit.name)


def test_months_paired_and_months_with_a_direct_visit(history):
    rows = rows_by_name(evaluation(history.apis["county_admin"]))
    got = {k: (r["months_paired"], r["months_with_direct_visit"], r["direct_visits"])
           for k, r in rows.items()}
    # Phone calls are logged but never counted: 断档's April and May calls, 平常's ten.
    assert got == {"月底": (10, 10, 10), "临检": (10, 10, 10), "上门": (10, 10, 10),
                   "断档": (10, 8, 8), "平常": (10, 10, 10)}


def test_exactly_the_expected_patterns_are_found(history):
    rows = rows_by_name(evaluation(history.apis["county_admin"]))
    found = {k: sorted(name for name, p in r["patterns"].items() if p["found"])
             for k, r in rows.items()}
    assert found == {"月底": ["bunched"], "临检": ["bunched"], "上门": ["demand_led"],
                     "断档": ["long_gaps"], "平常": []}


def test_the_measures_behind_each_pattern(history):
    rows = rows_by_name(evaluation(history.apis["county_admin"]))
    patterns = {k: r["patterns"] for k, r in rows.items()}
    assert patterns["月底"] == {
        "bunched": {"before_inspection": 0, "at_month_end": 10, "share": 1.0, "found": True},
        "demand_led": {"after_demand": 0, "share": 0.0, "found": False},
        "long_gaps": {"longest_gap_days": 31, "found": False}}
    assert patterns["临检"] == {
        "bunched": {"before_inspection": 10, "at_month_end": 0, "share": 1.0, "found": True},
        "demand_led": {"after_demand": 0, "share": 0.0, "found": False},
        "long_gaps": {"longest_gap_days": 31, "found": False}}
    assert patterns["上门"] == {
        "bunched": {"before_inspection": 0, "at_month_end": 0, "share": 0.0, "found": False},
        "demand_led": {"after_demand": 10, "share": 1.0, "found": True},
        "long_gaps": {"longest_gap_days": 31, "found": False}}
    assert patterns["断档"] == {
        "bunched": {"before_inspection": 0, "at_month_end": 0, "share": 0.0, "found": False},
        "demand_led": {"after_demand": 0, "share": 0.0, "found": False},
        "long_gaps": {"longest_gap_days": 90, "found": True}}
    # 平常: the demand heard on a visit is not the household coming to ask; the one it raised
    # itself on 10 August is followed by the visit of the 15th (1 of 10).
    assert patterns["平常"] == {
        "bunched": {"before_inspection": 0, "at_month_end": 0, "share": 0.0, "found": False},
        "demand_led": {"after_demand": 1, "share": 0.1, "found": False},
        "long_gaps": {"longest_gap_days": 31, "found": False}}


def test_tasks_demands_and_inspections(history):
    rows = rows_by_name(evaluation(history.apis["county_admin"]))
    assert rows["上门"]["demands"] == {"total": 10, "resolved": 4, "resolution_rate": 0.4,
                                       "median_days": 3.5}
    assert rows["平常"]["demands"] == {"total": 2, "resolved": 1, "resolution_rate": 0.5,
                                       "median_days": 10.0}
    for key in ("月底", "临检", "断档"):
        assert rows[key]["demands"] == NO_DEMANDS, key
    assert rows["断档"]["tasks"] == {"total": 1, "finished": 1, "completion": 1.0}
    for key in ("月底", "临检", "上门", "平常"):
        assert rows[key]["tasks"] == NO_TASKS, key
    assert rows["临检"]["inspections"] == {"checks": 1, "knowledge_rate": 1.0,
                                           "satisfaction_rate": 0.0, "card_rate": 0.0,
                                           "visit_confirmed_rate": 1.0}
    assert rows["平常"]["inspections"] == {"checks": 2, "knowledge_rate": 1.0,
                                           "satisfaction_rate": 1.0, "card_rate": 1.0,
                                           "visit_confirmed_rate": 1.0}
    for key in ("月底", "上门", "断档"):
        assert rows[key]["inspections"] == NO_CHECKS, key


def test_scores_show_every_part(history):
    rows = rows_by_name(evaluation(history.apis["county_admin"]))
    assert {k: r["score"] for k, r in rows.items()} == {
        "月底": 90.0, "平常": 87.5, "断档": 76.6, "临检": 73.4, "上门": 70.0}
    assert rows["月底"]["parts"] == {
        "visits": part(1.0, 0.4, 100.0), "tasks": part(None, 0.2, None),
        "demands": part(None, 0.2, None), "inspections": part(None, 0.2, None),
        "patterns": part(1, 0.1, -10.0)}
    assert rows["平常"]["parts"] == {
        "visits": part(1.0, 0.4, 50.0), "tasks": part(None, 0.2, None),
        "demands": part(0.5, 0.2, 12.5), "inspections": part(1.0, 0.2, 25.0),
        "patterns": part(0, 0.1, 0.0)}
    assert rows["断档"]["parts"] == {
        "visits": part(0.8, 0.4, 53.3), "tasks": part(1.0, 0.2, 33.3),
        "demands": part(None, 0.2, None), "inspections": part(None, 0.2, None),
        "patterns": part(1, 0.1, -10.0)}
    assert rows["临检"]["parts"] == {
        "visits": part(1.0, 0.4, 66.7), "tasks": part(None, 0.2, None),
        "demands": part(None, 0.2, None), "inspections": part(0.5, 0.2, 16.7),
        "patterns": part(1, 0.1, -10.0)}
    assert rows["上门"]["parts"] == {
        "visits": part(1.0, 0.4, 66.7), "tasks": part(None, 0.2, None),
        "demands": part(0.4, 0.2, 13.3), "inspections": part(None, 0.2, None),
        "patterns": part(1, 0.1, -10.0)}


def test_ranks_in_the_county_and_within_each_unit(history):
    body = evaluation(history.apis["county_admin"])
    assert [r["cadre"] for r in body["cadres"]] == [
        "月底干部", "平常干部", "断档干部", "临检干部", "上门干部"]
    assert [r["rank_in_county"] for r in body["cadres"]] == [1, 2, 3, 4, 5]
    rows = rows_by_name(body)
    assert {k: r["rank_in_unit"] for k, r in rows.items()} == {
        "月底": 1, "平常": 2, "临检": 3, "断档": 1, "上门": 2}


def test_the_weights_come_from_the_configuration(history, app, monkeypatch):
    weights = {**rules.DEFAULT_WEIGHTS, "pattern_penalty": 0.3}
    monkeypatch.setitem(app.config, "EVALUATION_WEIGHTS", weights)
    body = evaluation(history.apis["county_admin"])
    assert body["weights"] == weights
    rows = rows_by_name(body)
    # The base points are unchanged; each pattern now costs 30.
    assert {k: r["score"] for k, r in rows.items()} == {
        "平常": 87.5, "月底": 70.0, "断档": 56.6, "临检": 53.4, "上门": 50.0}
    assert [r["cadre"] for r in body["cadres"]] == [
        "平常干部", "月底干部", "断档干部", "临检干部", "上门干部"]
    assert rows["月底"]["parts"]["patterns"] == part(1, 0.3, -30.0)


def test_a_year_without_pairings_is_empty(history):
    body = evaluation(history.apis["county_admin"], 2025)
    assert body["cadres"] == [] and body["through"] == "2025-12-31"


# --- each history on its own: what a single change does ----------------------------------------


def test_phone_calls_at_month_end_do_not_make_a_cadre_bunched(people):
    """Only phone calls at month end, and direct visits mid-month: nothing found."""
    h = people
    for m in MONTHS:
        log_visit(h.apis["平常"], h.households["平常"], at(m, 15))
        for d in (28, 27, 26) if m == 2 else (29, 30, 31) if m in (1, 3, 5, 7, 8, 10) else (
                28, 29, 30):
            log_visit(h.apis["平常"], h.households["平常"], at(m, d), kind="phone")
    row = rows_by_name(evaluation(h.apis["county_admin"]))["平常"]
    assert row["direct_visits"] == 10
    assert row["patterns"]["bunched"] == {"before_inspection": 0, "at_month_end": 0,
                                          "share": 0.0, "found": False}


def test_a_cadre_that_never_visits_has_one_long_gap_of_the_whole_pairing(people):
    rows = rows_by_name(evaluation(people.apis["county_admin"]))
    # 2026-01-01 → 2026-10-31: 303 days; no visit, so neither other pattern (too few visits).
    for row in rows.values():
        assert (row["months_paired"], row["months_with_direct_visit"]) == (10, 0)
        assert row["patterns"]["long_gaps"] == {"longest_gap_days": 303, "found": True}
        assert not row["patterns"]["bunched"]["found"]
        assert not row["patterns"]["demand_led"]["found"]
        # visits 0 of 10 → 0 points, less 10 for the gap, floored at 0.
        assert row["score"] == 0.0
        assert row["parts"]["visits"] == part(0.0, 0.4, 0.0)


def test_demands_raised_on_a_visit_do_not_make_a_cadre_demand_led(people):
    """上门's pattern again, but each demand raised on the visit itself: not demand-led."""
    h = people
    for m in MONTHS:
        log_visit(h.apis["上门"], h.households["上门"], at(m, 9), demands=[
            {"id": str(uuid.uuid4()), "category": "housing_repair", "description": "房屋漏雨"}])
    row = rows_by_name(evaluation(h.apis["county_admin"]))["上门"]
    assert row["demands"]["total"] == 10
    assert row["patterns"]["demand_led"] == {"after_demand": 0, "share": 0.0, "found": False}


# --- CSV -------------------------------------------------------------------------------------


def test_csv_has_a_bom_a_chinese_header_and_a_row_per_cadre_in_rank_order(history):
    response = history.apis["county_admin"].get(f"{URL}?year={YEAR}&format=csv")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="evaluation-{YEAR}.csv"')
    raw = response.get_data()
    assert raw[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    assert rows[0][:5] == ["县内排名", "单位内排名", "干部", "单位", "得分"]
    assert [r[2] for r in rows[1:]] == ["月底干部", "平常干部", "断档干部", "临检干部",
                                        "上门干部"]
    by_name = {r[2]: r for r in rows[1:]}
    assert by_name["月底干部"] == ["1", "1", "月底干部", "县农业局", "90.0", "10", "10", "10",
                                 "", "", "", "", "", "是", "否", "31"]
    assert by_name["断档干部"] == ["3", "1", "断档干部", "县水利局", "76.6", "10", "8", "8",
                                 "1.0", "", "", "", "", "否", "否", "90"]
    assert by_name["上门干部"] == ["5", "2", "上门干部", "县水利局", "70.0", "10", "10", "10",
                                 "", "0.4", "3.5", "", "", "否", "是", "31"]
    assert by_name["临检干部"][11:14] == ["1.0", "0.0", "是"]
    assert by_name["平常干部"][9:16] == ["0.5", "10.0", "1.0", "1.0", "否", "否", "31"]


def test_csv_of_a_year_without_pairings_is_just_the_header(people):
    response = people.apis["county_admin"].get(f"{URL}?year=2025&format=csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows == [list(COLUMNS)]


# --- access and parameters --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["inspector", "月底"])
def test_only_admins_may_read_it(people, role):
    for fmt in ("json", "csv"):
        problem(people.apis[role].get(f"{URL}?year={YEAR}&format={fmt}"), 403)


def test_a_unit_admin_reads_its_own_units_cadres(people):
    """农业局's admin: 月底, 平常 and 临检, with their ranks in the county; not 水利局's."""
    own = people.apis["unit_admin"].get(f"{URL}?year={YEAR}")
    assert own.status_code == 200, own.get_json()
    county = people.apis["county_admin"].get(f"{URL}?year={YEAR}").get_json()["cadres"]
    assert own.get_json()["cadres"] == [r for r in county if r["unit"] == "县农业局"]
    assert {r["cadre"] for r in own.get_json()["cadres"]} == {"月底干部", "平常干部", "临检干部"}
    other = people.units["水利局"].id
    problem(people.apis["unit_admin"].get(f"{URL}?year={YEAR}&unit_id={other}"), 403)


def test_anonymous_is_401(people, anonymous):
    problem(anonymous.get(f"{URL}?year={YEAR}"), 401)


@pytest.mark.parametrize("query", ["", "year=", "year=abc", "year=2026.5", "year=1999",
                                   "year=3000", "year=2026&format=xml", "year=2026&format=html"])
def test_bad_parameters_are_422(people, query):
    problem(people.apis["county_admin"].get(f"{URL}?{query}"), 422)


def test_a_year_that_has_not_begun_is_422(people):
    problem(people.apis["county_admin"].get(f"{URL}?year={CLOCK.today().year + 1}"), 422)


# --- a page at a time, filtered, kept between readers (issue 17) -----------------------------


def test_pages_follow_the_county_rank_and_the_csv_has_every_row(history):
    admin = history.apis["county_admin"]
    whole = evaluation(admin)["cadres"]
    pages = [admin.get(f"{URL}?year={YEAR}&per_page=2&page={n}").get_json() for n in (1, 2, 3)]
    assert [p["total"] for p in pages] == [5, 5, 5]
    assert [len(p["cadres"]) for p in pages] == [2, 2, 1]
    assert [r["cadre_id"] for p in pages for r in p["cadres"]] == [r["cadre_id"] for r in whole]
    assert [r["rank_in_county"] for p in pages for r in p["cadres"]] == [1, 2, 3, 4, 5]
    beyond = admin.get(f"{URL}?year={YEAR}&per_page=2&page=4").get_json()
    assert beyond["cadres"] == [] and beyond["total"] == 5
    csv = admin.get(f"{URL}?year={YEAR}&format=csv&per_page=1").get_data(as_text=True)
    assert len(csv.strip().splitlines()) == 1 + 5


def test_filters_keep_a_units_or_a_townships_cadres_with_their_county_ranks(history):
    admin = history.apis["county_admin"]
    whole = {r["cadre_id"]: r for r in evaluation(admin)["cadres"]}
    unit = history.units["水利局"]
    mine = admin.get(f"{URL}?year={YEAR}&unit_id={unit.id}").get_json()
    assert mine["total"] == 2
    assert {r["cadre"] for r in mine["cadres"]} == {"上门干部", "断档干部"}
    assert all(r["rank_in_county"] == whole[r["cadre_id"]]["rank_in_county"]
               for r in mine["cadres"])
    township = history.villages["月底"].township_id
    assert admin.get(f"{URL}?year={YEAR}&township_id={township}").get_json()["total"] == 5
    other = admin.get(f"{URL}?year={YEAR}&township_id={township + 1000}").get_json()
    assert (other["total"], other["cadres"]) == (0, [])


def test_a_computed_evaluation_is_kept_while_nothing_changes_and_renewed_after_a_change(
        history, clock):
    """Figures are shown again while no audited change happened since they were computed;
    once one has, they are shown only while younger than EVALUATION_CACHE_SECONDS (300 by
    default), then computed anew."""
    admin, inspector = history.apis["county_admin"], history.apis["inspector"]
    first = evaluation(admin)
    clock.advance(seconds=3600)  # an hour later, nothing changed: the same figures
    assert evaluation(admin)["computed_at"] == first["computed_at"]

    def checks() -> int:
        return rows_by_name(evaluation(admin))["平常"]["inspections"]["checks"]

    before = rows_by_name(first)["平常"]["inspections"]["checks"]

    # An inspection of 2026 is entered: the hour-old figures are computed again at once.
    inspect(inspector, history.villages["平常"], date(YEAR, 10, 25), history.households["平常"],
            knows=False, satisfaction="dissatisfied")
    renewed = evaluation(admin)
    assert renewed["computed_at"] != first["computed_at"]
    assert checks() == before + 1
    # Another one: the figures, 100 s old, still stand; at 301 s they are computed again.
    inspect(inspector, history.villages["平常"], date(YEAR, 10, 26), history.households["平常"])
    clock.advance(seconds=100)
    assert evaluation(admin)["computed_at"] == renewed["computed_at"]
    assert checks() == before + 1
    clock.advance(seconds=201)
    assert evaluation(admin)["computed_at"] != renewed["computed_at"]
    assert checks() == before + 2


def test_with_the_cache_off_every_reader_gets_figures_computed_now(history, app, clock,
                                                                    monkeypatch):
    monkeypatch.setitem(app.config, "EVALUATION_CACHE_SECONDS", -1)
    admin = history.apis["county_admin"]
    first = evaluation(admin)
    clock.advance(seconds=5)
    again = evaluation(admin)
    assert again["computed_at"] != first["computed_at"]
    assert again["cadres"] == first["cadres"]
    unit = history.units["农业局"]
    assert admin.get(f"{URL}?year={YEAR}&unit_id={unit.id}&per_page=1").get_json()["total"] == 3
