"""The situation bulletin (情况通报, SPEC §6) over a month built by hand, counted by hand.

The county of `county` below (its own, not the `world` fixture; every test runs in one
rolled-back transaction, so the bulletin sees only these units):

    县农业局 holds village 1: cadres 王一 (general) → household h1, 王二 (general) → h2,
        王三 (section chief) → h3 and h4, 王四 (general, no household).
    县水利局 holds village 2: cadres 李一 → h5, 李二 → h6.
    县档案馆 holds no village: cadre 赵一, no household.

Last month (the last complete one; 2026-10 when this was written):
    王一 visited h1 twice; 王二 only phoned h2 (and visited it the month before, and just
    before and just after the month, county-local); 王三 stayed overnight at h3, never at h4;
    李一 worked with h5; 李二 talked with h6 and phoned it.
    Demands of 县农业局's households: D1 opened on the 3rd, resolved 2.5 days later; D2 opened
    on the 10th, resolved 10 days later; D3 opened on the 12th, still open; D4 opened in the
    month before, resolved on the 4th; D5 opened on the 28th, resolved next month; D6 opened
    at 23:30 on the last evening; D7 opened at 00:30 on the first of the next month.
    Demands of 县水利局's households: E1 (1.5 days) and E2 (2.5 days), both resolved.

By hand: 县农业局 4 cadres, 4 pairings, 2 visited (h1, h3), share 0.5, 王二 named; demands
opened 5 (D1 D2 D3 D5 D6), resolved in the month 3 (D1 D2 D4), of the month's 5 resolved by its
end 2 (rate 0.4), median days of 2.5, 10 and D4's. 县水利局 2 cadres, 2 pairings, both visited,
share 1.0, nobody named; demands 2 and 2, rate 1.0, median 2.0. 县档案馆 1 cadre, no pairings.
Ranked: 县水利局, 县农业局, 县档案馆 (no pairings: last).

Dates: the months are the suite clock's (tests/months.py: LAST and PREV before NOW's month),
so the tests pass whatever NOW is. The bulletin is read at NOW, or at noon on the first of
NOW's month when NOW is earlier than that (the `after_the_month` fixture), since D5 is resolved
and D7 opened that morning. The counties are built on 2026-01-01, the day their assignments and
pairings start (the factories' default). Each demand is raised and moved through the API with
the clock set to the moment it was opened and to each of its transitions (`CLOCK.at`); the
visits are logged at the reading moment, as late diary entries for the days they happened.
"""

import csv
import io
import statistics
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.reports import render
from tests import factories
from tests.clock import CLOCK, NOW
from tests.months import LAST_FIRST, PREV_FIRST, THIS_FIRST, first_of

API = "/api/v1"
BULLETIN = f"{API}/reports/bulletin"
PROBLEM = "application/problem+json"
CST = ZoneInfo("Asia/Shanghai")

THIS, LAST = THIS_FIRST.strftime("%Y-%m"), LAST_FIRST.strftime("%Y-%m")
NEXT = first_of(THIS_FIRST + timedelta(days=31)).strftime("%Y-%m")


def at(first: date, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """County-local time on `day` of the month beginning `first`."""
    return datetime.combine(first + timedelta(days=day - 1), time(hour, minute), CST)


def last(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return at(LAST_FIRST, day, hour, minute)


LAST_EVENING = datetime.combine(THIS_FIRST, time(), CST) - timedelta(minutes=30)
NEXT_MORNING = datetime.combine(THIS_FIRST, time(), CST) + timedelta(minutes=30)
EVE_OF_MONTH = datetime.combine(LAST_FIRST, time(), CST) - timedelta(minutes=30)
D4_OPENED = at(PREV_FIRST, 25)
D4_DAYS = (last(4) - D4_OPENED).total_seconds() / 86400
# When the bulletin is read: after everything above, D5's resolution (11:30 on the first of this
# month) included, and in NOW's month.
READ_AT = max(NOW, datetime.combine(THIS_FIRST, time(12), CST))
# When the counties below are built: the day their assignments and pairings start.
COUNTY_BUILT = datetime(2026, 1, 1, 9, tzinfo=CST)


@pytest.fixture(autouse=True)
def after_the_month(clock):
    clock.set(READ_AT)


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.content_type.startswith(PROBLEM)
    if code is not None:
        assert response.json["code"] == code
    return response.json


@dataclass
class County:
    units: dict = field(default_factory=dict)
    villages: dict = field(default_factory=dict)
    cadres: dict = field(default_factory=dict)
    households: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def visit(login_as, county, cadre: str, household: str, when: datetime, kind="home_visit"):
    """The paired cadre logs a visit through the API (kind decides `direct`, R8)."""
    api = login_as(county.users[cadre])
    response = api.post(f"{API}/visits", json={
        "id": str(uuid.uuid4()), "household_id": county.households[household].id,
        "visited_at": when.isoformat(), "kind": kind, "diary": "走访记录"})
    assert response.status_code == 201, response.json
    assert response.json["direct"] is (kind != "phone")


def demand(login_as, county, household: str, opened: datetime,
           *moves: tuple[str, datetime]) -> str:
    """A demand raised through the API at `opened` by the county admin, then moved along
    [(to_status, at), ...] with the clock set to each `at`."""
    api = login_as(county.users["county_admin"])
    demand_id = str(uuid.uuid4())
    with CLOCK.at(opened):
        response = api.post(f"{API}/demands", json={
            "id": demand_id, "household_id": county.households[household].id,
            "category": "water_supply", "description": "自来水不通",
            "opened_at": opened.isoformat()})
    assert response.status_code == 201, response.json
    status = "open"
    for to, when in moves:
        step = {"to": to}
        if to == "resolved":
            step["resolution"] = "已通水"
        elif status == "resolved":
            step["note"] = "群众不满意"
        with CLOCK.at(when):
            response = api.post(f"{API}/demands/{demand_id}/transition", json=step)
        assert response.status_code == 200, response.json
        status = to
    return demand_id


def resolved(opened: datetime, days: float) -> tuple[tuple[str, datetime], ...]:
    return (("in_progress", opened + timedelta(hours=1)),
            ("resolved", opened + timedelta(days=days)))


@pytest.fixture
def county(session, login_as):
    with CLOCK.at(COUNTY_BUILT):
        return _build_county(session)


def _build_county(session) -> County:
    s, c = session, County()
    t = factories.township(s)
    c.villages = {"1": factories.village(s, t), "2": factories.village(s, t)}
    c.units = {"agri": factories.unit(s, name="县农业局"),
               "water": factories.unit(s, name="县水利局"),
               "archive": factories.unit(s, name="县档案馆")}
    factories.assign(s, c.units["agri"], c.villages["1"])
    factories.assign(s, c.units["water"], c.villages["2"])
    for key, unit, name, rank in [
            ("w1", "agri", "王一", "general"), ("w2", "agri", "王二", "general"),
            ("w3", "agri", "王三", "section_chief"), ("w4", "agri", "王四", "general"),
            ("l1", "water", "李一", "general"), ("l2", "water", "李二", "general"),
            ("z1", "archive", "赵一", "general")]:
        c.cadres[key] = factories.cadre(s, c.units[unit], rank=rank, name=name)
    for key, village, cadre, difficulty in [
            ("h1", "1", "w1", "easier"), ("h2", "1", "w2", "easier"),
            ("h3", "1", "w3", "harder"), ("h4", "1", "w3", "harder"),
            ("h5", "2", "l1", "easier"), ("h6", "2", "l2", "easier")]:
        c.households[key] = factories.household(s, c.villages[village], difficulty=difficulty)
        factories.pair(s, c.cadres[cadre], c.households[key])
    c.users = {role: factories.user(s, role) for role in ("county_admin", "inspector")}
    c.users["unit_admin"] = factories.user(s, "unit_admin", unit_=c.units["agri"])
    for key in ("w1", "w2", "w3", "l1", "l2"):
        c.users[key] = factories.user(s, "cadre", cadre_=c.cadres[key])
    s.commit()
    return c


@pytest.fixture
def month(county, login_as):
    """Last month's visits and demands, as in the module docstring."""
    v = lambda *a, **k: visit(login_as, county, *a, **k)  # noqa: E731
    v("w1", "h1", last(3))
    v("w1", "h1", last(9), kind="reception")
    v("w2", "h2", last(5), kind="phone")
    v("w2", "h2", at(PREV_FIRST, 20))  # the month before
    v("w2", "h2", EVE_OF_MONTH)  # 23:30 the evening before the month began
    v("w2", "h2", NEXT_MORNING)  # 00:30 the morning after it ended
    v("w3", "h3", last(15), kind="stay_overnight")
    v("l1", "h5", last(7), kind="shared_labor")
    v("l2", "h6", last(8), kind="heart_to_heart")
    v("l2", "h6", last(9), kind="phone")

    d = lambda *a: demand(login_as, county, *a)  # noqa: E731
    d("h1", last(3), *resolved(last(3), 2.5))  # D1
    d("h1", last(10, 8), *resolved(last(10, 8), 10))  # D2
    d("h1", last(12))  # D3
    d("h2", D4_OPENED, ("in_progress", D4_OPENED + timedelta(hours=1)),
      ("resolved", last(4)))  # D4
    d("h3", last(28), ("in_progress", last(29)),
      ("resolved", NEXT_MORNING + timedelta(hours=11)))  # D5
    d("h2", LAST_EVENING)  # D6
    d("h4", NEXT_MORNING)  # D7
    d("h5", last(15, 9), *resolved(last(15, 9), 1.5))  # E1
    d("h6", last(17), *resolved(last(17), 2.5))  # E2
    return county


def bulletin(api, month_=LAST, fmt=None):
    response = api.get(f"{BULLETIN}?month={month_}" + (f"&format={fmt}" if fmt else ""))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def by_unit(body) -> dict:
    return {u["unit"]: u for u in body["units"]}


@pytest.fixture
def county_admin(county, login_as):
    return login_as(county.users["county_admin"])


# --- the hand-counted month ----------------------------------------------------------------


def test_cadres_pairings_and_the_share_visited_match_the_hand_count(month, county_admin):
    units = by_unit(bulletin(county_admin).json)
    assert set(units) == {"县农业局", "县水利局", "县档案馆"}
    agri, water, archive = units["县农业局"], units["县水利局"], units["县档案馆"]
    assert (agri["cadres"], agri["pairings"], agri["pairings_visited"], agri["visited_share"]) == (
        4, 4, 2, 0.5)
    assert (water["cadres"], water["pairings"], water["pairings_visited"],
            water["visited_share"]) == (2, 2, 2, 1.0)
    assert (archive["cadres"], archive["pairings"], archive["pairings_visited"],
            archive["visited_share"]) == (1, 0, 0, None)
    assert agri["unit_id"] == month.units["agri"].id
    assert water["unit_id"] == month.units["water"].id


def test_cadres_without_a_direct_visit_are_named(month, county_admin):
    units = by_unit(bulletin(county_admin).json)
    named = units["县农业局"]["cadres_without_direct_visit"]
    # 王二 only phoned (R8) and visited only outside the month; 王三 saw one of two households.
    assert {"cadre_id": month.cadres["w2"].id, "cadre": "王二"} in named
    assert not {c["cadre"] for c in named} & {"王一", "王三"}
    assert units["县水利局"]["cadres_without_direct_visit"] == []


def test_demands_opened_resolved_rate_and_median_days(month, county_admin):
    units = by_unit(bulletin(county_admin).json)
    agri, water, archive = units["县农业局"], units["县水利局"], units["县档案馆"]
    assert (agri["demands_opened"], agri["demands_resolved"]) == (5, 3)
    assert agri["resolution_rate"] == 0.4
    assert agri["median_days_to_resolve"] == round(statistics.median([2.5, 10, D4_DAYS]), 1)
    assert (water["demands_opened"], water["demands_resolved"]) == (2, 2)
    assert water["resolution_rate"] == 1.0 and water["median_days_to_resolve"] == 2.0
    assert (archive["demands_opened"], archive["demands_resolved"]) == (0, 0)
    assert archive["resolution_rate"] is None and archive["median_days_to_resolve"] is None


def test_without_inspections_the_rates_are_null_and_not_counted(month, county_admin):
    body = bulletin(county_admin).json
    assert body["inspections_counted"] is False
    for unit in body["units"]:
        assert unit["knowledge_rate"] is None and unit["satisfaction_rate"] is None


def test_the_bulletin_names_its_month_and_when_it_was_made(month, county_admin):
    before = CLOCK.now().replace(microsecond=0)
    body = bulletin(county_admin).json
    assert body["month"] == LAST and body["complete"] is True
    made = datetime.fromisoformat(body["generated_at"])
    assert made.utcoffset() == timedelta(hours=8)  # county-local
    assert before <= made <= CLOCK.now()


def test_units_are_ranked_and_a_unit_without_pairings_comes_last(month, county_admin):
    body = bulletin(county_admin).json
    assert [(u["rank"], u["unit"]) for u in body["units"]] == [
        (1, "县水利局"), (2, "县农业局"), (3, "县档案馆")]


def test_the_current_month_is_given_but_not_complete(month, county_admin):
    body = bulletin(county_admin, THIS).json
    assert body["month"] == THIS and body["complete"] is False
    units = by_unit(body)
    # Nothing of last month is counted; the pairings run on.
    assert units["县农业局"]["pairings"] == 4
    assert units["县水利局"]["pairings_visited"] == 0
    assert units["县农业局"]["demands_resolved"] == 1  # D5, resolved the next morning


def test_last_months_bulletin_is_unchanged_by_later_changes(month, session, county_admin):
    """SPEC §2: past months' reports come out the same after later changes."""
    def without_generated_at(body):
        return {k: v for k, v in body.items() if k != "generated_at"}

    before = bulletin(county_admin).json
    pairing_id = county_admin.get(f"{API}/pairings?cadre_id={month.cadres['w1'].id}").json[
        "items"][0]["id"]
    ended = county_admin.post(f"{API}/pairings/{pairing_id}/end", json={"reason": "工作调整"})
    assert ended.status_code == 200, ended.json
    month.units["agri"].name = "县农业农村局"  # renamed after the month
    month.cadres["w4"].unit_id = month.units["water"].id  # 王四 moved after the month
    month.cadres["w2"].name = "王二新"
    session.commit()

    after = bulletin(county_admin).json
    assert without_generated_at(after) == without_generated_at(before)
    assert "县农业农村局" in {u["unit"] for u in bulletin(county_admin, THIS).json["units"]}


@pytest.mark.parametrize("query", [f"month={NEXT}", "month=2026-13", "month=202610", "",
                                   f"month={LAST}&format=html", f"month={LAST}&format=pdf"])
def test_a_bad_month_or_format_is_422(county, county_admin, query):
    assert_problem(county_admin.get(f"{BULLETIN}?{query}"), 422)


# --- phone calls ---------------------------------------------------------------------------


def test_phone_calls_alone_do_not_count_as_a_visit(county, login_as, county_admin):
    for _ in range(3):
        visit(login_as, county, "l1", "h5", last(6), kind="phone")
    visit(login_as, county, "l2", "h6", last(6), kind="phone")
    visit(login_as, county, "l2", "h6", last(7), kind="reception")
    water = by_unit(bulletin(county_admin).json)["县水利局"]
    assert (water["pairings"], water["pairings_visited"], water["visited_share"]) == (2, 1, 0.5)
    assert water["cadres_without_direct_visit"] == [
        {"cadre_id": county.cadres["l1"].id, "cadre": "李一"}]


# --- ranking -------------------------------------------------------------------------------


def test_ties_on_the_share_visited_go_to_resolution_then_fewer_unvisited_cadres_then_name(
        session, login_as):
    """Per service/reports/rules.rank_units: share visited (desc), resolution rate (desc, none
    counted as 0), fewer cadres without a direct visit, name; units without pairings last."""
    s, c, visits = session, County(), []

    def unit_with(name, cadres):
        """cadres: [(rank, [visited? per household])]"""
        unit, village = factories.unit(s, name=name), factories.village(s, t)
        factories.assign(s, unit, village)
        for n, (rank, households) in enumerate(cadres):
            key = f"{name}{n}"
            c.cadres[key] = factories.cadre(s, unit, rank=rank, name=key)
            c.users[key] = factories.user(s, "cadre", cadre_=c.cadres[key])
            for m, seen in enumerate(households):
                hkey = f"{key}-{m}"
                c.households[hkey] = factories.household(
                    s, village, difficulty="easier" if rank == "general" else "harder")
                factories.pair(s, c.cadres[key], c.households[hkey])
                if seen:
                    visits.append((key, hkey))
        return unit

    with CLOCK.at(COUNTY_BUILT):
        t = factories.township(s)
        c.users["county_admin"] = factories.user(s, "county_admin")
        unit_with("单位甲", [("general", [True])])  # 1.0, no demands
        unit_with("单位乙", [("general", [True])])  # 1.0, its demand resolved
        unit_with("单位丙", [("general", [True]), ("general", [False])])  # 0.5, one named
        unit_with("单位丁", [("section_chief", [True, False])])  # 0.5, nobody named
        unit_with("单位B", [("general", [False])])  # 0.0, one named
        unit_with("单位A", [("general", [False])])  # 0.0, one named: A before B by name
        factories.unit(s, name="单位0")  # no pairings: last, whatever its name
        s.commit()
    for key, hkey in visits:
        visit(login_as, c, key, hkey, last(11))
    demand(login_as, c, "单位乙0-0", last(12), *resolved(last(12), 1))
    demand(login_as, c, "单位甲0-0", at(PREV_FIRST, 12))  # the month before: not counted

    body = bulletin(login_as(c.users["county_admin"])).json
    assert [(u["rank"], u["unit"]) for u in body["units"]] == [
        (1, "单位乙"), (2, "单位甲"), (3, "单位丁"), (4, "单位丙"), (5, "单位A"), (6, "单位B"),
        (7, "单位0")]
    units = by_unit(body)
    assert units["单位乙"]["resolution_rate"] == 1.0 and units["单位甲"]["resolution_rate"] is None
    assert units["单位丁"]["visited_share"] == units["单位丙"]["visited_share"] == 0.5
    assert [c_["cadre"] for c_ in units["单位丙"]["cadres_without_direct_visit"]] == ["单位丙1"]
    assert units["单位丁"]["cadres_without_direct_visit"] == []


# --- CSV -----------------------------------------------------------------------------------


def test_the_csv_has_a_bom_the_chinese_header_and_one_row_per_unit_in_rank_order(
        month, county_admin):
    response = bulletin(county_admin, fmt="csv")
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="bulletin-{LAST}.csv"'
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8")[1:])))
    assert tuple(rows[0]) == render.BULLETIN_COLUMNS
    assert rows[0][:4] == ["排名", "月份", "单位", "干部人数"]
    table = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [(r["排名"], r["单位"]) for r in table] == [
        ("1", "县水利局"), ("2", "县农业局"), ("3", "县档案馆")]
    water, agri, archive = table
    assert water == {"排名": "1", "月份": LAST, "单位": "县水利局", "干部人数": "2",
                     "结对户数": "2", "已直接走访结对数": "2", "直接走访覆盖率": "100.0%",
                     "无直接走访干部": "", "本月新增诉求": "2", "本月解决诉求": "2",
                     "诉求解决率": "100.0%", "诉求解决中位天数": "2.0", "知晓率": "",
                     "满意率": ""}
    assert (agri["干部人数"], agri["结对户数"], agri["已直接走访结对数"]) == ("4", "4", "2")
    assert agri["直接走访覆盖率"] == "50.0%" and agri["诉求解决率"] == "40.0%"
    assert "王二" in agri["无直接走访干部"].split("、")
    assert (agri["本月新增诉求"], agri["本月解决诉求"]) == ("5", "3")
    assert archive["直接走访覆盖率"] == "" and archive["诉求解决中位天数"] == ""


# --- who may read it -----------------------------------------------------------------------


@pytest.mark.parametrize("role,status", [("county_admin", 200), ("unit_admin", 200),
                                         ("inspector", 200), ("w1", 403), ("anonymous", 401)])
@pytest.mark.parametrize("fmt", [None, "csv"])
def test_who_may_read_the_bulletin(county, login_as, anonymous, role, status, fmt):
    api = anonymous if role == "anonymous" else login_as(county.users[role])
    response = api.get(f"{BULLETIN}?month={LAST}" + (f"&format={fmt}" if fmt else ""))
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if status != 200:
        assert_problem(response, status)


# --- the bulletin and the disclosure agree -------------------------------------------------


def test_each_units_numbers_agree_with_its_villages_disclosure(month, county_admin, anonymous):
    """Each unit holds one village, so the unit's line and the village's disclosure count the
    same pairings, visits and demands."""
    units = by_unit(bulletin(county_admin).json)
    for unit, village in (("县农业局", "1"), ("县水利局", "2")):
        summary = anonymous.get(f"{API}/reports/disclosure?village_id="
                                f"{month.villages[village].id}&month={LAST}").json["summary"]
        line = units[unit]
        assert (summary["pairings"], summary["pairings_visited"], summary["demands_opened"],
                summary["demands_resolved"]) == (line["pairings"], line["pairings_visited"],
                                                 line["demands_opened"],
                                                 line["demands_resolved"])


# --- demands resolved, reopened and resolved again ------------------------------------------


def test_a_demand_reopened_before_the_month_ended_is_not_resolved(county, login_as,
                                                                  county_admin):
    demand(login_as, county, "h5", last(2), ("in_progress", last(2, 12)),
           ("resolved", last(3)), ("in_progress", last(6)))  # the household was not satisfied
    water = by_unit(bulletin(county_admin).json)["县水利局"]
    assert water["demands_opened"] == 1
    assert water["resolution_rate"] == 0.0


def test_a_demand_resolved_twice_in_the_month_is_one_resolved_demand(county, login_as,
                                                                     county_admin, anonymous):
    demand(login_as, county, "h5", last(2), ("in_progress", last(2, 12)),
           ("resolved", last(3)), ("in_progress", last(6)), ("resolved", last(8)))
    water = by_unit(bulletin(county_admin).json)["县水利局"]
    assert (water["demands_opened"], water["demands_resolved"]) == (1, 1)
    # Counted to the resolution that held: the first one did not satisfy the household.
    assert water["median_days_to_resolve"] == 6.0
    summary = anonymous.get(f"{API}/reports/disclosure?village_id={county.villages['2'].id}"
                            f"&month={LAST}").json["summary"]
    assert (summary["demands_opened"], summary["demands_resolved"]) == (1, 1)


def test_the_bulletin_and_the_disclosure_agree_on_a_demand_resolved_again(
        county, login_as, county_admin, anonymous):
    opened = at(PREV_FIRST, 10)
    demand(login_as, county, "h5", opened, ("in_progress", opened + timedelta(hours=1)),
           ("resolved", at(PREV_FIRST, 12)), ("in_progress", at(PREV_FIRST, 20)),
           ("resolved", last(5)))
    water = by_unit(bulletin(county_admin).json)["县水利局"]
    summary = anonymous.get(f"{API}/reports/disclosure?village_id={county.villages['2'].id}"
                            f"&month={LAST}").json["summary"]
    assert summary["demands_resolved"] == water["demands_resolved"]
