"""The monthly public disclosure (每月公示, SPEC §6) through HTTP, against the real database.

GET /api/v1/reports/disclosure?village_id=&month=YYYY-MM[&format=json|csv|html] is public.
Covered: masked household heads (复姓 kept whole), phone calls not counted as direct visits
(R8), visits counted by county-local month, a past month that reads its own facts however
the records change later (service/history), which pairings a month shows (ended, started,
handed over), task status as of the month's end, demands on the pairing in force that day,
no personal data in any format, the three formats, and public access.

The `world` fixture: unit A holds village a, unit B holds village b (both since 2026-01-01);
cadres a1 (general) and a2 (section_chief) in A, b1 in B; households a1, a2 in village a,
b1 in village b; pairings a1 → household a1 and b1 → household b1 from 2026-01-01. The cadre
account is cadre a1.

Dates: October 2026 is the complete past month these tests read, seen from 2026-11-23 (the
`november` fixture sets the clock there); times are county-local (Asia/Shanghai, +08:00)
unless they say otherwise. The world stands as built since 2026-01-01 (conftest), so October
reads its cadres, households and units as they were then. A record that a test needs made at an
earlier moment (a task created in September, a transition in October) is made through the API
with the clock set to that moment (`CLOCK.at`), never back-dated afterwards.
"""

import contextlib
import csv
import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import jwt
import pytest
from sqlalchemy import select

from service.assignments.models import VillageAssignment
from service.cadres.models import Cadre
from service.labels.table import label as table_label
from service.pairings.models import Pairing
from service.reports import render, rules
from service.units.models import Unit
from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
URL = f"{API}/reports/disclosure"
PROBLEM = "application/problem+json"
CST = ZoneInfo("Asia/Shanghai")
OCT = "2026-10"

TOP_KEYS = {"title", "county", "township", "village", "month", "complete", "holding_units",
            "supervision_phone", "pairings", "cadres_without_direct_visit", "summary",
            "generated_at"}
PAIRING_KEYS = {"cadre", "unit", "rank", "rank_label", "household", "difficulty",
                "difficulty_label", "paired_from", "paired_to", "difficulty_override", "tasks",
                "direct_visits", "demands_opened", "demands_resolved"}
TASK_KEYS = {"category", "category_label", "status", "status_label", "due_on", "closed"}
SUMMARY_KEYS = {"pairings", "households", "direct_visits", "pairings_visited",
                "demands_opened", "demands_resolved"}


# --- helpers -------------------------------------------------------------------------------


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    """A county-local time on an ISO day."""
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=CST)


def fetch(client, village_id: int, month: str = OCT, fmt: str | None = None, headers=None):
    url = f"{URL}?village_id={village_id}&month={month}" + (f"&format={fmt}" if fmt else "")
    return client.get(url, headers=headers or {})


def disclosure(client, village_id: int, month: str = OCT) -> dict:
    """The JSON disclosure, read without any token."""
    response = fetch(client, village_id, month)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.content_type.startswith("application/json")
    return response.get_json()


def stable(body: dict) -> dict:
    """The disclosure without its generation time, the one part that may differ."""
    return {k: v for k, v in body.items() if k != "generated_at"}


def by_household(body: dict) -> dict[str, dict]:
    return {p["household"]: p for p in body["pairings"]}


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.content_type.startswith(PROBLEM)
    return response.get_json()


def month_after(month: str) -> str:
    year, mon = (int(x) for x in month.split("-"))
    return f"{year + mon // 12}-{mon % 12 + 1:02d}"


def log_visit(api, household_id: int, when: datetime, kind: str = "home_visit",
              diary: str = "了解家中种植情况", **kw) -> dict:
    body = {"id": str(uuid.uuid4()), "household_id": household_id,
            "visited_at": when.isoformat(), "kind": kind, "diary": diary, **kw}
    response = api.post(f"{API}/visits", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def cadre_api(session, login_as, cadre):
    """An account for a cadre, logged in."""
    user = factories.user(session, "cadre", cadre_=cadre)
    session.commit()
    return login_as(user)


@pytest.fixture(autouse=True)
def november(clock):
    """These tests look back at October from late November 2026."""
    clock.set(at("2026-11-23"))


def name_a2_head_of_unit_a_in_january(session, world) -> None:
    """Cadre a2 has led unit A since January (so October shows it as team leader)."""
    with CLOCK.at(at("2026-01-02")):
        unit_a = session.get(Unit, world.units["a"].id)
        unit_a.head_cadre_id = world.cadres["a2"].id
        session.commit()


def pairing_of(session, cadre, household) -> Pairing:
    session.expire_all()
    return session.scalar(select(Pairing).where(Pairing.cadre_id == cadre.id,
                                                Pairing.household_id == household.id))


def new_pairing(session, world, *, started_on: date, ended_on: date | None = None,
                head_name: str | None = None, rank: str = "general", name: str | None = None):
    """A new cadre of unit A paired with a new household of village a."""
    cadre = factories.cadre(session, world.units["a"], rank=rank,
                            **({"name": name} if name else {}))
    household = factories.household(session, world.villages["a"],
                                     **({"head_name": head_name} if head_name else {}))
    pairing = factories.pair(session, cadre, household, started_on=started_on)
    if ended_on is not None:
        pairing.ended_on, pairing.end_reason = ended_on, "工作调整"
    session.commit()
    return cadre, household, pairing


def hand_over(session, world, ended_on: date, started_on: date) -> tuple[Pairing, Pairing]:
    """Household a1 goes from cadre a1 (until `ended_on`) to cadre a2 (from `started_on`),
    recorded after the fact as the handover service would have (it can only hand over today)."""
    old = pairing_of(session, world.cadres["a1"], world.households["a1"])
    old.ended_on, old.end_reason = ended_on, "交接: 工作调整"
    session.flush()
    new = factories.pair(session, world.cadres["a2"], world.households["a1"],
                         started_on=started_on)
    session.commit()
    return old, new


def raise_demand(api, household_id: int, opened_at: datetime, description: str = "房屋漏雨"):
    body = {"id": str(uuid.uuid4()), "household_id": household_id,
            "category": "housing_repair", "description": description,
            "opened_at": opened_at.isoformat()}
    response = api.post(f"{API}/demands", json=body)
    assert response.status_code == 201, response.get_json()
    return body["id"]


def resolve_demand(api, demand_id: str, when: datetime) -> None:
    """open → in_progress → resolved through the API at `when`."""
    with CLOCK.at(when):
        for step in ({"to": "in_progress"}, {"to": "resolved", "resolution": "已联系施工队修好"}):
            response = api.post(f"{API}/demands/{demand_id}/transition", json=step)
            assert response.status_code == 200, response.get_json()


def add_task(api, household_id: int, category: str, created: datetime | None,
             due_on: str = "2026-12-31") -> int:
    """A hand-made task, created at `created` (now when None)."""
    with CLOCK.at(created) if created else contextlib.nullcontext():
        response = api.post(f"{API}/tasks", json={
            "household_id": household_id, "category": category, "description": "包扶任务",
            "due_on": due_on})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def move_task(api, task_id: int, to: str, when: datetime | None = None,
              note: str | None = None) -> None:
    """A transition through the API, at `when` (now when None)."""
    with CLOCK.at(when) if when else contextlib.nullcontext():
        response = api.post(f"{API}/tasks/{task_id}/transition",
                            json={"to": to, **({"note": note} if note else {})})
    assert response.status_code == 200, response.get_json()


# --- 1. masking ----------------------------------------------------------------------------


@pytest.mark.parametrize("name,masked", [
    ("张三", "张*"), ("王小明", "王**"), ("李", "李"), ("欧阳明华", "欧阳**"),
    ("欧阳修", "欧阳*"), ("司马光", "司马*"), ("司马相如", "司马**"), ("诸葛亮", "诸葛*"),
    ("诸葛孔明", "诸葛**"), ("上官婉儿", "上官**"), ("上官仪", "上官*"), ("东方朔", "东方*"),
    ("皇甫嵩", "皇甫*"), ("慕容复", "慕容*"),
    # Two characters that happen to spell a 复姓: surname of one character, one given name.
    ("欧阳", "欧*"), ("司马", "司*"),
    # 马 and 官 alone are not compound surnames: only the first character stays.
    ("马司令", "马**"), ("官上", "官*"),
    (" 赵四 ", "赵*"), ("", ""),
])
def test_mask_name_keeps_only_the_surname(name, masked):
    assert rules.mask_name(name) == masked


def test_mask_name_hides_every_given_name_character():
    for name in ("张三丰", "欧阳明华", "阿依古丽买买提"):
        masked = rules.mask_name(name)
        assert len(masked) == len(name)
        keep = 2 if name[:2] in rules.COMPOUND_SURNAMES else 1
        assert masked[keep:] == "*" * (len(name) - keep)
        assert name[keep:] not in masked


HEADS = {"张三": "张*", "王小明": "王**", "欧阳明华": "欧阳**", "司马光明": "司马**",
         "诸葛孔明": "诸葛**", "上官婉儿": "上官**", "李": "李"}


def test_disclosure_shows_household_heads_masked_in_every_format(world, session, client):
    for head in HEADS:
        new_pairing(session, world, started_on=date(2026, 3, 1), head_name=head)
    village = world.villages["a"].id
    body = disclosure(client, village)
    shown = {p["household"] for p in body["pairings"]}
    assert set(HEADS.values()) <= shown
    csv_text = fetch(client, village, fmt="csv").get_data().decode("utf-8-sig")
    html_text = fetch(client, village, fmt="html").get_data(as_text=True)
    json_text = json.dumps(body, ensure_ascii=False)
    rows = list(csv.reader(io.StringIO(csv_text)))
    column = render.DISCLOSURE_COLUMNS.index("联系户")
    assert set(HEADS.values()) <= {r[column] for r in rows[1:]}
    for head, masked in HEADS.items():
        assert masked in html_text
        if len(head) > 1:
            for text in (json_text, csv_text, html_text):
                assert head not in text, head


# --- 2. phone visits are not direct contact (R8) --------------------------------------------


def test_phone_calls_do_not_count_and_a_cadre_with_only_calls_is_named(
        world, session, client, login_as):
    a1 = login_as(world.users["cadre"])
    factories.pair(session, world.cadres["a2"], world.households["a2"])
    a2 = cadre_api(session, login_as, world.cadres["a2"])
    ha1, ha2 = world.households["a1"].id, world.households["a2"].id
    for day in ("2026-10-03", "2026-10-17"):
        log_visit(a1, ha1, at(day, 9))
    for day in ("2026-10-05", "2026-10-12", "2026-10-26"):
        log_visit(a1, ha1, at(day, 19), kind="phone")
        log_visit(a2, ha2, at(day, 19), kind="phone")

    body = disclosure(client, world.villages["a"].id)
    rows = {p["cadre"]: p for p in body["pairings"]}
    a1_name, a2_name, unit_a = (world.cadres["a1"].name, world.cadres["a2"].name,
                                world.units["a"].name)
    assert rows[a1_name]["direct_visits"] == 2
    assert rows[a2_name]["direct_visits"] == 0
    # Named plainly (not masked), with the unit.
    assert body["cadres_without_direct_visit"] == [{"cadre": a2_name, "unit": unit_a}]
    assert body["summary"]["direct_visits"] == 2
    assert body["summary"]["pairings_visited"] == 1
    assert body["summary"]["pairings"] == 2

    rows = list(csv.reader(io.StringIO(
        fetch(client, world.villages["a"].id, fmt="csv").get_data().decode("utf-8-sig"))))
    header = rows[0]
    csv_rows = {r[header.index("干部")]: r for r in rows[1:]}
    assert csv_rows[a1_name][header.index("本月直接走访次数")] == "2"
    assert csv_rows[a1_name][header.index("本月无直接走访")] == "否"
    assert csv_rows[a2_name][header.index("本月直接走访次数")] == "0"
    assert csv_rows[a2_name][header.index("本月无直接走访")] == "是"
    html = fetch(client, world.villages["a"].id, fmt="html").get_data(as_text=True)
    assert f"{a2_name}（{unit_a}）" in html


# --- 3. visits are counted by the county-local month -----------------------------------------


def test_visits_count_in_the_county_local_month_they_happened(world, client, login_as):
    cadre = login_as(world.users["cadre"])
    household = world.households["a1"].id
    for when in (
        at("2026-09-30", 22, 0),                       # September
        at("2026-10-01", 0, 30),                       # October (2026-09-30 16:30 UTC)
        at("2026-10-15", 10, 0),                       # October
        at("2026-10-31", 23, 30),                      # October (last half hour)
        datetime(2026, 10, 31, 16, 10, tzinfo=UTC),    # 2026-11-01 00:10 local: November
        at("2026-11-01", 2, 0),                        # November
    ):
        log_visit(cadre, household, when)
    village = world.villages["a"].id
    oct_row = disclosure(client, village)["pairings"]
    assert [p["direct_visits"] for p in oct_row if p["cadre"] == world.cadres["a1"].name] == [3]
    sep = disclosure(client, village, "2026-09")
    nov = disclosure(client, village, "2026-11")
    mine = world.cadres["a1"].name
    assert [p["direct_visits"] for p in sep["pairings"] if p["cadre"] == mine] == [1]
    assert [p["direct_visits"] for p in nov["pairings"] if p["cadre"] == mine] == [2]


# --- 4. a past month reads its own facts -----------------------------------------------------


@pytest.fixture
def october(world, session, admin, login_as):
    """Village a in October: unit A (head: cadre a2) holds it; cadre a1 visits household a1
    twice, one demand raised and resolved, one task under way. The records stood like this
    since January."""
    name_a2_head_of_unit_a_in_january(session, world)
    cadre = login_as(world.users["cadre"])
    ha1 = world.households["a1"].id
    log_visit(cadre, ha1, at("2026-10-08", 9))
    log_visit(cadre, ha1, at("2026-10-22", 15))
    demand = raise_demand(admin, ha1, at("2026-10-08", 9, 30))
    resolve_demand(admin, demand, at("2026-10-20", 16))
    task = add_task(admin, ha1, "low_income", at("2026-09-01"))
    move_task(admin, task, "in_progress", at("2026-10-09"))
    return world


def assert_october_content(body: dict, world) -> None:
    """What October shows before anything changes (so the comparisons are not of empties)."""
    assert body["holding_units"] == [{"unit": world.units["a"].name,
                                      "team_leader": world.cadres["a2"].name,
                                      "from": "2026-01-01", "to": None}]
    (row,) = body["pairings"]
    assert row["cadre"] == world.cadres["a1"].name
    assert row["unit"] == world.units["a"].name
    assert (row["rank"], row["rank_label"]) == ("general", "一般干部")
    assert row["household"] == rules.mask_name(world.households["a1"].head_name)
    # The one table's words (SPEC §15), doc 003's for difficulty.
    assert (row["difficulty"], row["difficulty_label"]) == ("easier", "难度较小")
    assert row["difficulty_label"] == table_label("difficulty", "easier")
    assert (row["paired_from"], row["paired_to"]) == ("2026-01-01", None)
    assert (row["direct_visits"], row["demands_opened"], row["demands_resolved"]) == (2, 1, 1)
    assert [(t["category"], t["status"]) for t in row["tasks"]] == [("low_income", "in_progress")]


def test_october_is_unchanged_by_later_renames_moves_and_new_heads(october, session, admin,
                                                                   client):
    world = october
    village_a = world.villages["a"].id
    before = disclosure(client, village_a)
    assert_october_content(before, world)
    a1, a2 = world.cadres["a1"], world.cadres["a2"]
    ha1 = world.households["a1"]

    # The household: new head, new difficulty, moved to village c (also held by unit A).
    village_c = factories.village(session, world.township)
    factories.assign(session, world.units["a"], village_c)
    session.commit()
    response = admin.patch(f"{API}/households/{ha1.id}", json={
        "head_name": "新户主名字", "difficulty": "hardest", "village_id": village_c.id})
    assert response.status_code == 200, response.get_json()
    # The paired cadre: renamed, promoted; moved to unit B through the session, because the
    # API refuses to move a cadre with active pairings (and the pairing must stay active
    # here: ending it is test_ending_a_pairing_in_november_leaves_october_as_it_was).
    response = admin.patch(f"{API}/cadres/{a1.id}", json={"name": "改名干部",
                                                          "rank": "section_chief"})
    assert response.status_code == 200, response.get_json()
    cadre = session.get(Cadre, a1.id)
    session.refresh(cadre)
    cadre.unit_id = world.units["b"].id
    session.commit()
    # The unit: renamed, a new head; the old head renamed and moved to unit B.
    a3 = factories.cadre(session, world.units["a"], name="新队长")
    session.commit()
    response = admin.patch(f"{API}/units/{world.units['a'].id}",
                           json={"name": "改名单位", "head_cadre_id": a3.id})
    assert response.status_code == 200, response.get_json()
    response = admin.patch(f"{API}/cadres/{a2.id}", json={"name": "改名队长",
                                                          "unit_id": world.units["b"].id})
    assert response.status_code == 200, response.get_json()

    after = disclosure(client, village_a)
    assert stable(after) == stable(before)
    for fmt in ("csv", "html"):
        text = fetch(client, village_a, fmt=fmt).get_data(as_text=True)
        for new in ("新****", "改名干部", "改名单位", "新队长", "改名队长"):
            assert new not in text
    # October elsewhere: the household was not in village c nor in village b then.
    assert disclosure(client, village_c.id)["pairings"] == []
    assert [p["cadre"] for p in disclosure(client, world.villages["b"].id)["pairings"]] == [
        world.cadres["b1"].name]
    # The present month does read the new facts (history is versioned, not frozen).
    now = disclosure(client, village_c.id, CLOCK.month())
    (row,) = now["pairings"]
    assert (row["cadre"], row["unit"], row["household"], row["difficulty"], row["rank"]) == (
        "改名干部", world.units["b"].name, "新****", "hardest", "section_chief")
    assert now["holding_units"][0]["unit"] == "改名单位"
    assert now["holding_units"][0]["team_leader"] == "新队长"
    assert disclosure(client, village_a, CLOCK.month())["pairings"] == []


def test_after_ending_the_pairing_later_changes_through_the_api_leave_october_alone(
        october, session, admin, client):
    """The API path (the cadre can move once its pairing ended). `paired_to` is left out of
    the comparison here: that it changes is test_ending_a_pairing_in_november_...'s bug."""
    world = october
    village_a = world.villages["a"].id
    before = disclosure(client, village_a)
    pairing = pairing_of(session, world.cadres["a1"], world.households["a1"])
    response = admin.post(f"{API}/pairings/{pairing.id}/end", json={"reason": "调离"})
    assert response.status_code == 200, response.get_json()
    for url, change in (
        (f"/cadres/{world.cadres['a1'].id}", {"unit_id": world.units["b"].id, "name": "调走干部"}),
        (f"/households/{world.households['a1'].id}", {"village_id": world.villages["b"].id,
                                                      "head_name": "迁走户主",
                                                      "difficulty": "harder"}),
        (f"/units/{world.units['a'].id}", {"name": "新名单位", "head_cadre_id": None}),
    ):
        response = admin.patch(API + url, json=change)
        assert response.status_code == 200, response.get_json()
    after = disclosure(client, village_a)

    def without_paired_to(body):
        body = stable(body)
        body["pairings"] = [{k: v for k, v in p.items() if k != "paired_to"}
                            for p in body["pairings"]]
        return body

    assert without_paired_to(after) == without_paired_to(before)
    # Village b's October does not gain the household that moved there in November.
    assert len(disclosure(client, world.villages["b"].id)["pairings"]) == 1


def test_ending_a_pairing_in_november_leaves_october_as_it_was(october, session, admin,
                                                               client):
    village_a = october.villages["a"].id
    before = disclosure(client, village_a)
    pairing = pairing_of(session, october.cadres["a1"], october.households["a1"])
    response = admin.post(f"{API}/pairings/{pairing.id}/end", json={"reason": "调离"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["ended_on"] > "2026-10-31"
    assert stable(disclosure(client, village_a)) == stable(before)


def test_a_unit_leaving_the_village_in_november_leaves_october_as_it_was(october, session,
                                                                         client):
    village_a = october.villages["a"].id
    before = disclosure(client, village_a)
    assignment = session.scalar(select(VillageAssignment).where(
        VillageAssignment.village_id == village_a))
    assignment.ended_on = CLOCK.local().date()
    assignment.end_reason = "轮换"
    session.commit()
    assert stable(disclosure(client, village_a)) == stable(before)


# --- 5. which pairings a month shows --------------------------------------------------------


def test_a_month_shows_the_pairings_active_in_it(world, session, client):
    cases = {  # head name → (started_on, ended_on, shown in October)
        "甲一二": (date(2026, 3, 1), date(2026, 9, 20), False),
        "乙一二": (date(2026, 3, 1), date(2026, 9, 30), False),
        "丙一二": (date(2026, 3, 1), date(2026, 10, 1), True),
        "丁一二": (date(2026, 10, 10), None, True),
        "戊一二": (date(2026, 10, 31), None, True),
        "己一二": (date(2026, 11, 1), None, False),
    }
    for head, (started, ended, _) in cases.items():
        new_pairing(session, world, started_on=started, ended_on=ended, head_name=head)
    village = world.villages["a"].id
    october = by_household(disclosure(client, village))
    for head, (started, ended, shown) in cases.items():
        assert (rules.mask_name(head) in october) is shown, head
        if shown:
            row = october[rules.mask_name(head)]
            assert row["paired_from"] == started.isoformat()
            assert row["paired_to"] == (ended.isoformat() if ended else None)
    # The world's own pairing (since January) is there too; the September ones in September.
    assert rules.mask_name(world.households["a1"].head_name) in october
    september = by_household(disclosure(client, village, "2026-09"))
    assert {"甲**", "乙**", "丙**"} <= set(september)
    assert not {"丁**", "戊**", "己**"} & set(september)
    assert disclosure(client, village)["summary"]["pairings"] == len(october) == 4


@pytest.fixture
def handed_over(world, session, login_as):
    """Household a1: cadre a1 until 2026-10-15, then cadre a2 from 2026-10-16."""
    old, new = hand_over(session, world, date(2026, 10, 15), date(2026, 10, 16))
    return old, new, login_as(world.users["cadre"]), cadre_api(session, login_as,
                                                                world.cadres["a2"])


def test_a_handover_in_the_month_shows_both_cadres_with_their_own_visits(
        world, client, handed_over):
    _, _, a1, a2 = handed_over
    household = world.households["a1"].id
    log_visit(a1, household, at("2026-10-10"))
    log_visit(a2, household, at("2026-10-20"))
    log_visit(a2, household, at("2026-10-27"))
    body = disclosure(client, world.villages["a"].id)
    rows = [p for p in body["pairings"]
            if p["household"] == rules.mask_name(world.households["a1"].head_name)]
    assert {(p["cadre"], p["rank"], p["paired_from"], p["paired_to"], p["direct_visits"])
            for p in rows} == {
        (world.cadres["a1"].name, "general", "2026-01-01", "2026-10-15", 1),
        (world.cadres["a2"].name, "section_chief", "2026-10-16", None, 2)}
    assert body["summary"]["pairings"] == 2
    assert body["summary"]["households"] == 1
    assert body["cadres_without_direct_visit"] == []
    # September had only the first cadre; November only the second.
    assert [p["cadre"] for p in disclosure(client, world.villages["a"].id,
                                           "2026-09")["pairings"]] == [world.cadres["a1"].name]
    assert [p["cadre"] for p in disclosure(client, world.villages["a"].id,
                                           "2026-11")["pairings"]] == [world.cadres["a2"].name]


# --- 6. task status as of the month's end ---------------------------------------------------


def test_tasks_show_their_status_at_the_end_of_the_month(world, session, admin, client):
    household = world.households["a1"].id
    sep = at("2026-09-01")
    # In progress in October, done in November.
    low = add_task(admin, household, "low_income", sep)
    move_task(admin, low, "in_progress", at("2026-10-09"))
    move_task(admin, low, "done", at("2026-11-03"))
    # Still open in October; started in November (just after midnight local).
    skills = add_task(admin, household, "skills_training", sep)
    move_task(admin, skills, "in_progress", at("2026-11-01", 0, 5))
    # Done in October's last minute.
    school = add_task(admin, household, "school_dropout", sep, due_on="2026-11-30")
    move_task(admin, school, "in_progress", at("2026-10-02"))
    move_task(admin, school, "done", at("2026-10-31", 23, 59))
    # Created in November: not in October at all.
    add_task(admin, household, "entrepreneurship", None)
    # Generated from needs on 1 September, then the needs went away: one closed in September
    # (gone by October), one in November (shown in October, not closed).
    for when, needs in ((sep, ["unemployed_labor", "large_grower"]),
                        (at("2026-09-20"), ["large_grower"]), (at("2026-11-05"), [])):
        with CLOCK.at(when):
            response = admin.patch(f"{API}/households/{household}", json={"needs": needs})
        assert response.status_code == 200, response.get_json()

    (row,) = [p for p in disclosure(client, world.villages["a"].id)["pairings"]
              if p["cadre"] == world.cadres["a1"].name]
    tasks = {t["category"]: t for t in row["tasks"]}
    assert all(set(t) == TASK_KEYS for t in row["tasks"])
    assert {c: (t["status"], t["status_label"], t["closed"]) for c, t in tasks.items()} == {
        "low_income": ("in_progress", "进行中", False),
        "skills_training": ("open", "未开始", False),
        "school_dropout": ("done", "已完成", False),
        "large_grower": ("open", "未开始", False),
    }
    assert tasks["low_income"]["category_label"] == table_label("task_kind", "low_income") \
        == "完成增收任务"
    assert tasks["school_dropout"]["due_on"] == "2026-11-30"
    # The tasks' own records have moved on; the present month shows that.
    (now,) = [p for p in disclosure(client, world.villages["a"].id, CLOCK.month())["pairings"]
              if p["cadre"] == world.cadres["a1"].name]
    now_tasks = {t["category"]: (t["status"], t["closed"]) for t in now["tasks"]}
    assert now_tasks["low_income"] == ("done", False)
    assert now_tasks["skills_training"] == ("in_progress", False)
    assert now_tasks["large_grower"] == ("open", True)
    assert "entrepreneurship" in now_tasks and "unemployed_labor" not in now_tasks
    # CSV: the tasks and their status in Chinese.
    rows = list(csv.reader(io.StringIO(
        fetch(client, world.villages["a"].id, fmt="csv").get_data().decode("utf-8-sig"))))
    cell = [r for r in rows[1:] if r[4] == world.cadres["a1"].name][0][11]
    assert "完成增收任务(进行中)" in cell and "联系部门进行培训(未开始)" in cell


# --- 7. demands on the pairing in force that day --------------------------------------------


def test_demands_count_on_the_pairing_in_force_when_they_were_raised_and_resolved(
        world, session, admin, client, handed_over):
    _, _, _, a2 = handed_over
    ha1 = world.households["a1"].id
    d1 = raise_demand(admin, ha1, at("2026-10-05"))            # cadre a1's
    resolve_demand(admin, d1, at("2026-10-12"))       # … resolved by a1
    d3 = raise_demand(admin, ha1, at("2026-10-10"))            # a1's
    resolve_demand(admin, d3, at("2026-10-25"))       # … resolved under a2
    raise_demand(admin, ha1, at("2026-10-08"))                 # a1's, unresolved
    d4 = raise_demand(admin, ha1, at("2026-09-25"))            # September
    resolve_demand(admin, d4, at("2026-10-03"))       # … resolved in October by a1
    # Raised on a visit of cadre a2 (opened at the visit's time).
    log_visit(a2, ha1, at("2026-10-20"), demands=[{
        "id": str(uuid.uuid4()), "category": "water_supply", "description": "自来水不通"}])
    d5 = raise_demand(admin, ha1, at("2026-10-31", 23))        # a2's
    resolve_demand(admin, d5, at("2026-11-02"))       # … resolved in November
    raise_demand(admin, ha1, datetime(2026, 10, 31, 16, 30, tzinfo=UTC))  # 11-01 local
    # Another village's household: not here.
    hb1 = world.households["b1"].id
    resolve_demand(admin, raise_demand(admin, hb1, at("2026-10-06")),
                   at("2026-10-07"))

    body = disclosure(client, world.villages["a"].id)
    rows = {p["cadre"]: (p["demands_opened"], p["demands_resolved"]) for p in body["pairings"]}
    assert rows == {world.cadres["a1"].name: (3, 2), world.cadres["a2"].name: (2, 1)}
    assert (body["summary"]["demands_opened"], body["summary"]["demands_resolved"]) == (5, 3)
    november = disclosure(client, world.villages["a"].id, "2026-11")
    assert [(p["demands_opened"], p["demands_resolved"]) for p in november["pairings"]] == [
        (1, 1)]


def test_a_demand_resolved_twice_in_the_month_counts_once(world, session, admin, client):
    ha1 = world.households["a1"].id
    demand = raise_demand(admin, ha1, at("2026-10-03"))
    with CLOCK.at(at("2026-10-10")):
        for step in ({"to": "in_progress"}, {"to": "resolved", "resolution": "已修好"},
                     {"to": "in_progress", "note": "群众不满意, 又漏雨"},
                     {"to": "resolved", "resolution": "重新修好"}):
            response = admin.post(f"{API}/demands/{demand}/transition", json=step)
            assert response.status_code == 200, response.get_json()
    (row,) = [p for p in disclosure(client, world.villages["a"].id)["pairings"]
              if p["cadre"] == world.cadres["a1"].name]
    assert row["demands_opened"] == 1
    assert row["demands_resolved"] == 1


# --- cadres without a direct visit ----------------------------------------------------------


def test_a_cadre_without_visits_is_listed_even_when_a_namesake_visited(world, session,
                                                                     client, login_as):
    visitor, visited, _ = new_pairing(session, world, started_on=date(2026, 1, 1),
                                      name="王伟")
    new_pairing(session, world, started_on=date(2026, 1, 1), name="王伟")
    log_visit(cadre_api(session, login_as, visitor), visited.id, at("2026-10-10"))
    body = disclosure(client, world.villages["a"].id)
    assert sorted(p["direct_visits"] for p in body["pairings"] if p["cadre"] == "王伟") == [0, 1]
    assert {"cadre": "王伟", "unit": world.units["a"].name} in body[
        "cadres_without_direct_visit"]


# --- 8. no personal data in any format -------------------------------------------------------


def test_no_personal_data_in_json_csv_or_html(world, session, client, login_as, admin):
    id_number = factories.valid_id_number(4242, born="19770707")
    phone, income = "13755501234", Decimal("87654.32")
    head = "慕容秋水"
    cadre = factories.cadre(session, world.units["a"], phone="13600009999")
    household = factories.household(session, world.villages["a"], head_name=head,
                                    id_number=id_number, phone=phone, income_per_capita=income)
    factories.pair(session, cadre, household, started_on=date(2026, 2, 1))
    session.commit()
    api = cadre_api(session, login_as, cadre)
    diary, help_given = "民情日记机密内容Q7Z", "帮扶内容机密W3K"
    log_visit(api, household.id, at("2026-10-12"), diary=diary, help_given=help_given,
              demands=[{"id": str(uuid.uuid4()), "category": "sick_care",
                        "description": "诉求描述机密R9X"}])
    log_visit(api, household.id, at("2026-10-20"), kind="phone", diary=diary + "电话")
    session.refresh(household)
    secrets = [id_number, id_number[:14], phone, "13600009999", "87654.32", "87654",
               diary, help_given, "诉求描述机密R9X", household.card_code, head, "秋水"]

    for fmt in ("json", "csv", "html"):
        response = fetch(client, world.villages["a"].id, fmt=fmt)
        assert response.status_code == 200
        raw = response.get_data()
        text = raw.decode("utf-8-sig")
        assert "慕容**" in text  # the household is in it, masked
        for secret in secrets:
            assert secret.encode() not in raw, (fmt, secret)
            assert secret not in text, (fmt, secret)
    parsed = json.dumps(disclosure(client, world.villages["a"].id), ensure_ascii=False)
    for secret in secrets:
        assert secret not in parsed


def test_a_signed_in_admin_sees_exactly_what_the_public_sees(world, client, admin):
    village = world.villages["a"].id
    public = disclosure(client, village)
    response = admin.get(f"{URL}?village_id={village}&month={OCT}")
    assert response.status_code == 200
    assert stable(response.get_json()) == stable(public)
    assert world.households["a1"].head_name not in response.get_data(as_text=True)


# --- 9. formats ------------------------------------------------------------------------------


def test_json_has_every_field(world, client):
    village = world.villages["a"]
    body = disclosure(client, village.id)
    assert set(body) == TOP_KEYS
    assert body["title"] == "双包双联每月公示"
    assert body["county"] == client.application.config["COUNTY_NAME"]
    assert body["township"] == world.township.name
    assert body["village"] == {"id": village.id, "code": village.code, "name": village.name}
    assert body["month"] == OCT and body["complete"] is True
    assert body["supervision_phone"] == client.application.config["SUPERVISION_PHONE"]
    assert body["holding_units"] == [{"unit": world.units["a"].name, "team_leader": None,
                                      "from": "2026-01-01", "to": None}]
    (row,) = body["pairings"]
    assert set(row) == PAIRING_KEYS
    assert row == {
        "cadre": world.cadres["a1"].name, "unit": world.units["a"].name, "rank": "general",
        "rank_label": "一般干部",
        "household": rules.mask_name(world.households["a1"].head_name),
        "difficulty": "easier", "difficulty_label": "难度较小", "paired_from": "2026-01-01",
        "paired_to": None, "difficulty_override": False, "tasks": [], "direct_visits": 0,
        "demands_opened": 0, "demands_resolved": 0}
    assert body["cadres_without_direct_visit"] == [{"cadre": world.cadres["a1"].name,
                                                    "unit": world.units["a"].name}]
    assert set(body["summary"]) == SUMMARY_KEYS
    assert body["summary"] == {"pairings": 1, "households": 1, "direct_visits": 0,
                               "pairings_visited": 0, "demands_opened": 0,
                               "demands_resolved": 0}
    generated = datetime.fromisoformat(body["generated_at"])
    assert generated.utcoffset() == timedelta(hours=8)
    assert abs(CLOCK.now() - generated) < timedelta(minutes=5)


def test_the_current_month_is_marked_incomplete(world, client):
    body = disclosure(client, world.villages["a"].id, CLOCK.month())
    assert body["complete"] is False
    html = fetch(client, world.villages["a"].id, CLOCK.month(), "html").get_data(as_text=True)
    assert "本月尚未结束" in html
    assert "本月尚未结束" not in fetch(client, world.villages["a"].id, fmt="html").get_data(
        as_text=True)


def test_csv_is_excel_ready_with_a_chinese_header_and_a_row_per_pairing(world, session,
                                                                       client, login_as):
    new_pairing(session, world, started_on=date(2026, 10, 10), head_name="欧阳明华")
    log_visit(login_as(world.users["cadre"]), world.households["a1"].id, at("2026-10-09"))
    village = world.villages["a"]
    body = disclosure(client, village.id)
    response = fetch(client, village.id, fmt="csv")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="disclosure-{village.id}-{OCT}.csv"')
    raw = response.get_data()
    assert raw[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == render.DISCLOSURE_COLUMNS
    assert rows[0][:4] == ["县", "乡镇", "村", "月份"]
    assert len(rows) - 1 == len(body["pairings"]) == 2
    for row, p in zip(rows[1:], body["pairings"], strict=True):
        assert row[:4] == [body["county"], body["township"], village.name, OCT]
        assert row[4:11] == [p["cadre"], p["unit"], p["rank_label"], p["household"],
                             p["difficulty_label"], p["paired_from"], p["paired_to"] or ""]
        assert row[12:15] == [str(p["direct_visits"]), str(p["demands_opened"]),
                              str(p["demands_resolved"])]
    assert {r[7] for r in rows[1:]} == {"欧阳**", rules.mask_name(
        world.households["a1"].head_name)}


def test_csv_of_a_village_without_pairings_is_just_the_header(world, session, client):
    empty = factories.village(session, world.township)
    session.commit()
    rows = list(csv.reader(io.StringIO(
        fetch(client, empty.id, fmt="csv").get_data().decode("utf-8-sig"))))
    assert rows == [list(render.DISCLOSURE_COLUMNS)]


def test_csv_cells_cannot_carry_spreadsheet_formulas(world, session, client, login_as):
    unit_admin = login_as(world.users["unit_admin"])
    formula = '=HYPERLINK("http://evil.example/","点此领取补贴")'
    response = unit_admin.patch(f"{API}/units/{world.units['a'].id}", json={"name": formula})
    assert response.status_code == 200, response.get_json()
    # The present month: it reads the unit's latest name.
    rows = list(csv.reader(io.StringIO(fetch(client, world.villages["a"].id, CLOCK.month(),
                                             "csv").get_data().decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


def test_csv_names_the_team_leader_and_the_supervision_phone_on_every_row(
        world, session, client, monkeypatch):
    """The printed page says at its head whom to ask and where to complain; the CSV has no
    head, so each row carries them (columns appended after the earlier ones)."""
    name_a2_head_of_unit_a_in_january(session, world)
    new_pairing(session, world, started_on=date(2026, 10, 10))
    monkeypatch.setitem(client.application.config, "SUPERVISION_PHONE", "0355-8812317")
    rows = list(csv.reader(io.StringIO(
        fetch(client, world.villages["a"].id, fmt="csv").get_data().decode("utf-8-sig"))))
    assert rows[0][:16] == list(render.DISCLOSURE_COLUMNS[:16])
    assert rows[0][-3:] == ["包村单位", "工作队长", "监督电话"]
    assert len(rows) == 3
    for row in rows[1:]:
        cells = dict(zip(rows[0], row, strict=True))
        assert cells["包村单位"] == world.units["a"].name
        assert cells["工作队长"] == world.cadres["a2"].name
        assert cells["监督电话"] == "0355-8812317"


def test_csv_says_when_no_team_leader_is_named(world, client):
    rows = list(csv.reader(io.StringIO(
        fetch(client, world.villages["b"].id, fmt="csv").get_data().decode("utf-8-sig"))))
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert (cells["包村单位"], cells["工作队长"]) == (world.units["b"].name, "未确定")
    assert cells["监督电话"] == client.application.config["SUPERVISION_PHONE"]


def test_a_difficulty_override_shows_as_a_flag_and_never_its_reason(world, session, client,
                                                                    admin):
    """R4 waived by a county admin: the disclosure says so (经县级批准调配), but the admin's
    reason is staff free text and appears in no format (SPEC §9)."""
    reason = "该户与干部系邻居XQ7经县委同意"
    with CLOCK.at(at("2026-10-05")):
        cadre = factories.cadre(session, world.units["a"], rank="general")
        session.commit()
        response = admin.post(f"{API}/pairings", json={
            "cadre_id": cadre.id, "household_id": world.households["a2"].id,
            "override_reason": reason})
    assert response.status_code == 201, response.get_json()
    body = disclosure(client, world.villages["a"].id)
    flags = {p["cadre"]: p["difficulty_override"] for p in body["pairings"]}
    assert flags == {cadre.name: True, world.cadres["a1"].name: False}
    assert all("override_reason" not in p for p in body["pairings"])

    rows = list(csv.reader(io.StringIO(
        fetch(client, world.villages["a"].id, fmt="csv").get_data().decode("utf-8-sig"))))
    by_cadre = {r[rows[0].index("干部")]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_cadre[cadre.name]["经县级批准调配"] == "是"
    assert by_cadre[world.cadres["a1"].name]["经县级批准调配"] == "否"
    html = fetch(client, world.villages["a"].id, fmt="html").get_data(as_text=True)
    assert html.count("（经县级批准调配）") == 1
    for fmt in ("json", "csv", "html"):
        text = fetch(client, world.villages["a"].id, fmt=fmt).get_data(as_text=True)
        assert "XQ7" not in text and reason not in text, fmt


def test_html_is_a_printable_a4_page_in_chinese(world, session, client, login_as):
    name_a2_head_of_unit_a_in_january(session, world)
    log_visit(login_as(world.users["cadre"]), world.households["a1"].id, at("2026-10-09"))
    village = world.villages["a"]
    body = disclosure(client, village.id)
    assert body["holding_units"][0]["team_leader"] == world.cadres["a2"].name
    response = fetch(client, village.id, fmt="html")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    html = response.get_data(as_text=True)
    assert "@page" in html and "A4" in html
    for label, value in (("县", body["county"]), ("乡镇", world.township.name),
                         ("村", village.name), ("公示月份", OCT),
                         ("包村单位", world.units["a"].name),
                         ("工作队长", world.cadres["a2"].name),
                         ("监督电话", body["supervision_phone"]),
                         ("生成时间", body["generated_at"][:10])):
        assert f"{label}：{value}" in html, label
    assert rules.mask_name(world.households["a1"].head_name) in html
    assert world.cadres["a1"].name in html
    assert "本月无直接走访的干部" in html


def test_html_escapes_names(world, session, client):
    unit_a = session.get(Unit, world.units["a"].id)
    unit_a.name = "<script>alert(1)</script>单位"
    session.commit()
    # The present month: it reads the unit's latest name.
    html = fetch(client, world.villages["a"].id, CLOCK.month(), "html").get_data(as_text=True)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;单位" in html


def test_supervision_phone_comes_from_the_configuration(world, client, monkeypatch):
    monkeypatch.setitem(client.application.config, "SUPERVISION_PHONE", "0355-8812317")
    village = world.villages["a"].id
    assert disclosure(client, village)["supervision_phone"] == "0355-8812317"
    html = fetch(client, village, fmt="html").get_data(as_text=True)
    assert "监督电话：0355-8812317" in html


def test_the_default_supervision_phone_is_12317():
    from service.config import Config

    assert Config({"SECRET_KEY": "x" * 40}).SUPERVISION_PHONE == "12317"


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026-1", "26-10", "2026/10",
                                   "2026-10-01", "", "october"])
def test_a_malformed_month_is_422(world, client, month):
    body = problem(fetch(client, world.villages["a"].id, month), 422)
    assert "month" in json.dumps(body)


def test_a_month_that_has_not_begun_is_422(world, client):
    problem(fetch(client, world.villages["a"].id, month_after(CLOCK.month())), 422)
    problem(fetch(client, world.villages["a"].id, "2999-01"), 422)


def test_an_unknown_village_is_404(world, client):
    problem(fetch(client, 999_999), 404)


@pytest.mark.parametrize("query", ["month=2026-10", "village_id=abc&month=2026-10",
                                   "village_id=0&month=2026-10", "village_id={a}",
                                   "village_id={a}&month=2026-10&format=xml"])
def test_missing_or_bad_parameters_are_422(world, client, query):
    problem(client.get(f"{URL}?" + query.format(a=world.villages["a"].id)), 422)


# --- 10. public ------------------------------------------------------------------------------


def test_anyone_may_read_it_without_a_token(world, client):
    for fmt in ("json", "csv", "html"):
        response = fetch(client, world.villages["a"].id, fmt=fmt)
        assert response.status_code == 200, fmt


@pytest.mark.parametrize("authorization", [
    "Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer {expired}",
    "Bearer {forged}"])
def test_a_bad_token_is_ignored_on_this_public_endpoint(world, client, app, authorization):
    """The endpoint is @public: it never reads the Authorization header, so a broken, expired
    or forged token neither fails the request nor changes what it shows."""
    user = world.users["county_admin"]
    now = CLOCK.now()
    expired = jwt.encode({"sub": str(user.id), "tv": user.token_version,
                          "iat": now - timedelta(hours=10), "exp": now - timedelta(hours=1)},
                         app.config["SECRET_KEY"], algorithm="HS256")
    forged = jwt.encode({"sub": str(user.id), "tv": user.token_version,
                         "exp": now + timedelta(hours=1)}, "not-the-secret-key-xxxxxxxxxxxxxx",
                        algorithm="HS256")
    header = authorization.format(expired=expired, forged=forged)
    village = world.villages["a"].id
    plain = disclosure(client, village)
    for fmt in ("json", "csv", "html"):
        response = fetch(client, village, fmt=fmt, headers={"Authorization": header})
        assert response.status_code == 200, (fmt, response.get_data(as_text=True)[:300])
    response = fetch(client, village, headers={"Authorization": header})
    assert stable(response.get_json()) == stable(plain)
    # The same token is refused where a token is required.
    assert client.get(f"{API}/reports/bulletin?month={OCT}",
                      headers={"Authorization": header}).status_code == 401
