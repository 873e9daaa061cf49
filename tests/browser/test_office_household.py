"""The console's household page and 逾期 screen (SPEC §16) in Chromium, as a clerk uses them:

- 农户详情: a household's facts, cadre, tasks and demands (overdue ones marked with their
  days), visits a page at a time and timeline; a county admin edits it with the ETag it read
  and, when someone else saved it meanwhile, is told so and reloads (412); an admin ends the
  pairing after a confirmation that names the cadre and the household (取消 changes nothing);
  an inspector reads the page with no edit or end offered and the ID number masked.
- 逾期: overdue tasks and demands with head, village, unit, cadre and days overdue, the longest
  overdue first, each unit's counts, a unit filter kept in the address; a unit admin sees its
  own unit only; each row opens the household page, whose back link returns to the list.

The world: clerk_world (units A and B holding villages a and b) with 李秀英 of village a paired
with 王建国 of unit A, her tasks, demands, a dozen visits and a change to her household, and
one overdue task in each of the other two households (赵大山 of a, 孙玉兰 of b). Every date is
counted back from the day the test's clock starts at."""

import json
import urllib.request
import uuid
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.demands.models import Demand
from service.households.models import Household
from service.pairings.models import Pairing
from service.tasks.models import Task
from service.users.models import User
from service.visits.models import Visit
from tests import factories
from tests.browser.office import (
    MARKS,
    clerk_world,
    desk_at,
    log_in,
    open_screen,
    rows,
    serious_violations,
    serve,
    shot,
)
from tests.clock import CST, NOW

pytestmark = MARKS

TODAY = NOW.astimezone(CST).date()
KINDS = ("home_visit", "heart_to_heart", "shared_labor", "phone", "stay_overnight", "reception")


def _at(days_ago: int, hour: int = 10) -> datetime:
    """A county time `days_ago` days before the test's day."""
    return datetime.combine(TODAY - timedelta(days=days_ago), time(hour), CST)


def _world(clock):
    def build(session) -> dict:
        names = clerk_world(session)
        world = names["world"]
        world.units["a"].name, world.units["b"].name = "县农业农村局", "县教育局"
        world.villages["a"].name, world.villages["b"].name = "东河村", "西岭村"
        world.cadres["a2"].name = "王建国"
        world.households["a1"].head_name, world.households["b1"].head_name = "赵大山", "孙玉兰"
        factories.user(session, "county_admin", username="colleague")
        clerk = session.scalar(select(User).where(User.username == "clerk"))
        session.flush()
        factories.context(session, clerk)  # what follows is in the audit trail, by clerk
        cadre = world.cadres["a2"]
        with clock.at(_at(90)):
            her = factories.household(session, world.villages["a"], head_name="李秀英",
                                      difficulty="harder", members=4, phone="13911112222",
                                      needs=["low_income", "skills_training"],
                                      income_per_capita=3650)
        with clock.at(_at(60)):
            pairing = factories.pair(session, cadre, her, started_on=_at(60).date())
            session.add_all([
                Task(household_id=her.id, category="low_income", source="manual",
                     description="发展中药材种植增收", target="人均增收 2000 元",
                     due_on=TODAY - timedelta(days=10)),
                Task(household_id=her.id, category="skills_training", source="manual",
                     description="参加县人社局电商培训", status="in_progress",
                     due_on=TODAY + timedelta(days=30)),
                Task(household_id=world.households["a1"].id, category="low_income",
                     source="manual", description="养殖增收", due_on=TODAY - timedelta(days=5)),
                Task(household_id=world.households["b1"].id, category="low_income",
                     source="manual", description="务工增收", due_on=TODAY - timedelta(days=20)),
            ])
            session.flush()
        for days_ago, household, category, text, status in (
                (40, her, "water_supply", "自来水管冻裂", "resolved"),
                (25, her, "housing_repair", "房屋漏雨，需修缮", "open"),
                (30, world.households["b1"], "tuition", "孩子学费困难", "open")):
            with clock.at(_at(days_ago)):
                session.add(Demand(
                    id=str(uuid.uuid4()), household_id=household.id, cadre_id=cadre.id,
                    created_by=clerk.id, category=category, description=text, status=status,
                    opened_at=_at(days_ago), body_hash="0" * 64,
                    resolution="已更换水管" if status == "resolved" else None))
                session.flush()
        for n in reversed(range(12)):  # in the order they were made, the latest last
            visited = _at(4 * n + 1, hour=9)
            with clock.at(visited + timedelta(hours=2)):
                kind = KINDS[n % len(KINDS)]
                visit = Visit(id=str(uuid.uuid4()), cadre_id=cadre.id, household_id=her.id,
                              pairing_id=pairing.id, visited_at=visited, kind=kind,
                              direct=kind != "phone", diary=f"第{12 - n}次走访：了解种植和家中情况",
                              created_by=clerk.id, body_hash="0" * 64)
                visit.set_flags([])
                session.add(visit)
                session.flush()
        with clock.at(_at(20)):
            her.members = 5
            session.flush()
        return {**names, "her": her.id, "pairing": pairing.id,
                "unit_a": world.units["a"].id, "unit_b": world.units["b"].id}
    return build


@pytest.fixture
def served(tmp_path, clock):
    with serve(tmp_path, clock, _world(clock)) as running:
        yield running


@pytest.fixture
def desk(browser, served, clock):
    with desk_at(browser, served.url, clock) as page:
        yield page


def _call(url: str, method: str, path: str, token: str | None = None, body=None,
          headers: dict | None = None):
    """One call to the running service, as another client would make it."""
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url + path, method=method, headers=sent,
                                     data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers, json.loads(response.read() or b"null")


def _a_colleague_saves(url: str, household_id: int, changes: dict) -> None:
    """Another county admin edits the household through the API, as it stands now."""
    _, login = _call(url, "POST", "/api/v1/auth/login",
                     body={"username": "colleague", "password": factories.PASSWORD})
    token = login["access_token"]
    headers, _ = _call(url, "GET", f"/api/v1/households/{household_id}", token)
    _call(url, "PATCH", f"/api/v1/households/{household_id}", token, changes,
          {"If-Match": headers["ETag"]})


def _household(served, household_id: int) -> Household:
    with Session(served.engine) as session:
        household = session.get(Household, household_id)
        session.expunge(household)
        return household


def _open_her(desk, served) -> None:
    """From 农户, the household page of 李秀英 (her name is a link)."""
    from playwright.sync_api import expect

    open_screen(desk, "农户")
    desk.get_by_role("link", name="李秀英").click()
    expect(desk.get_by_role("heading", name="农户详情", level=1)).to_be_visible()
    expect(desk.locator("#screen .loading")).to_have_count(0)
    assert f"#/household?id={served.names['her']}" in desk.url


def section(desk, title: str):
    return desk.locator("section", has=desk.get_by_role("heading", name=title, level=3))


def test_the_household_page_shows_her_cadre_work_and_story(desk, served, axe_source):
    from playwright.sync_api import expect

    log_in(desk)
    open_screen(desk, "农户")
    desk.get_by_role("button", name="户主").click()  # the list as the clerk leaves it
    expect(desk.locator("th[aria-sort='ascending']")).to_have_count(1)
    listed = desk.url
    desk.get_by_role("link", name="李秀英").click()
    expect(desk.get_by_role("heading", name="农户详情", level=1)).to_be_visible()
    facts = section(desk, "基本情况")
    for shown in ("东河村", "13911112222", "5 人", "难度较大", "低收入增收、技能培训", "3650 元"):
        expect(facts).to_contain_text(shown)
    cadre = section(desk, "包联干部")
    expect(cadre).to_contain_text("王建国")
    expect(cadre).to_contain_text("县农业农村局")
    expect(cadre).to_contain_text(_at(60).date().isoformat())
    tasks = section(desk, "包扶任务（2）")
    expect(tasks.locator("tbody tr")).to_have_count(2)
    expect(tasks.locator("tbody tr").first).to_contain_text("完成增收任务")
    expect(tasks.locator("tbody tr").first).to_contain_text("逾期 10 天")
    expect(tasks.locator("tbody tr").nth(1)).to_contain_text("进行中")
    expect(tasks.locator("tbody tr").nth(1)).not_to_contain_text("逾期")
    demands = section(desk, "诉求（2）")
    expect(demands.locator("tbody tr").first).to_contain_text("房屋漏雨")  # newest first
    expect(demands.locator("tbody tr").first).to_contain_text("逾期 10 天")
    expect(demands.locator("tbody tr").nth(1)).to_contain_text("已办结")
    # Visits: latest first, ten a page, the phone call said not to count as direct contact.
    visits = section(desk, "走访记录")
    expect(visits.locator("tbody tr")).to_have_count(10)
    expect(visits.locator("tbody tr").first).to_contain_text("第12次走访")
    expect(visits).to_contain_text("不计为直接联系")
    expect(visits.get_by_role("status")).to_have_text("第 1 / 2 页，共 12 次")
    # The timeline, newest first: her household's change among the records made around her.
    story = section(desk, "变更记录")
    change = story.locator("tbody tr", has_text="修改")
    expect(change).to_contain_text("家庭人口：4 → 5")
    expect(change).to_contain_text("clerk")
    times = story.locator("tbody tr td:first-child").all_inner_texts()
    assert times == sorted(times, reverse=True) and len(times) == 19, times
    assert serious_violations(desk, axe_source) == []
    shot(desk, "4-household")
    visits.get_by_role("button", name="下一页").click()
    expect(section(desk, "走访记录").locator("tbody tr")).to_have_count(2)
    assert "vpage=2" in desk.url
    # Back to 农户 as it was left: sorted by the head's name.
    desk.get_by_role("link", name="← 返回农户").click()
    expect(desk.locator("th[aria-sort='ascending']")).to_have_count(1)
    assert desk.url == listed


def test_a_county_admin_edits_and_meets_someone_elses_change(desk, served, axe_source):
    from playwright.sync_api import expect

    her = served.names["her"]
    log_in(desk)
    _open_her(desk, served)
    desk.get_by_role("button", name="修改信息").press("Enter")  # by keyboard: the form has it
    form = desk.locator("form.household-edit")
    expect(form.get_by_label("户主姓名")).to_be_focused()
    expect(form.get_by_label("家庭人口")).to_have_value("5")
    form.get_by_label("联系电话").fill("13600001111")
    # Meanwhile a colleague saves the household: 6 members now.
    _a_colleague_saves(served.url, her, {"members": 6})
    form.get_by_role("button", name="保存").click()
    alert = form.get_by_role("alert")
    expect(alert).to_contain_text("有人刚刚修改了这条记录")
    expect(alert.get_by_role("button", name="重新加载")).to_be_visible()
    assert _household(served, her).phone == "13911112222"  # nothing of this save was kept
    assert serious_violations(desk, axe_source) == []
    shot(desk, "4b-household-conflict")
    # Reload: the form shows what the service holds now, the clerk's typing gone.
    alert.get_by_role("button", name="重新加载").click()
    expect(form.get_by_label("家庭人口")).to_have_value("6")
    expect(form.get_by_label("户主姓名")).to_be_focused()
    expect(form.get_by_label("联系电话")).to_have_value("13911112222")
    expect(form.get_by_role("alert")).to_have_count(0)
    form.get_by_label("联系电话").fill("13600001111")
    form.get_by_label("技能培训").uncheck()
    form.get_by_role("button", name="保存").click()
    expect(desk.get_by_role("status").first).to_have_text("已保存。")
    facts = section(desk, "基本情况")
    expect(facts).to_contain_text("13600001111")
    expect(facts).to_contain_text("6 人")
    expect(facts).not_to_contain_text("技能培训")
    assert "edit" not in desk.url
    saved = _household(served, her)
    assert (saved.phone, saved.members, saved.needs) == ("13600001111", 6, ["low_income"])


def test_ending_the_pairing_asks_first_and_leaves_the_household_uncovered(desk, served,
                                                                           axe_source):
    from playwright.sync_api import expect

    log_in(desk)
    desk.goto(f"{served.url}/office/#/household?id={served.names['her']}")
    cadre = section(desk, "包联干部")
    expect(cadre).to_contain_text("王建国")
    cadre.get_by_role("button", name="结束包联").click()  # no reason yet
    expect(cadre.get_by_role("alert")).to_have_text("请填写结束包联的原因。")
    expect(desk.get_by_role("dialog")).to_have_count(0)
    cadre.get_by_label("结束原因").fill("干部调往外县")
    cadre.get_by_role("button", name="结束包联").click()
    dialog = desk.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("结束包联")
    expect(dialog).to_contain_text("王建国（县农业农村局")
    expect(dialog).to_contain_text("李秀英（")
    expect(dialog).to_contain_text("未包联")
    expect(dialog).to_contain_text("原因：干部调往外县")
    assert serious_violations(desk, axe_source) == []
    shot(desk, "4c-household-end-pairing")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)
    expect(cadre).to_contain_text("王建国")
    with Session(served.engine) as session:
        assert session.get(Pairing, served.names["pairing"]).ended_on is None
    cadre.get_by_role("button", name="结束包联").click()
    desk.get_by_role("dialog").get_by_role("button", name="结束包联").click()
    expect(desk.get_by_role("status").first).to_have_text("已结束 王建国 与本户的包联。")
    cadre = section(desk, "包联干部")
    expect(cadre).to_contain_text("未包联")
    expect(cadre).to_contain_text("以往包联")
    expect(cadre.get_by_role("button", name="结束包联")).to_have_count(0)
    with Session(served.engine) as session:
        ended = session.get(Pairing, served.names["pairing"])
        assert (ended.ended_on, ended.end_reason) == (TODAY, "干部调往外县")


def test_an_inspector_reads_the_household_with_nothing_to_change(desk, served, axe_source):
    from playwright.sync_api import expect

    log_in(desk, "inspector")
    _open_her(desk, served)
    expect(section(desk, "包联干部")).to_contain_text("王建国")
    facts = section(desk, "基本情况")
    expect(facts).to_contain_text("*")  # the ID number and phone, masked for the role
    expect(facts).not_to_contain_text("13911112222")
    expect(desk.get_by_role("button", name="修改信息")).to_have_count(0)
    expect(desk.get_by_role("button", name="结束包联")).to_have_count(0)
    expect(desk.get_by_label("结束原因")).to_have_count(0)
    shot(desk, "4d-household-inspector")
    # Asking for the edit mode by address offers no form either.
    desk.goto(desk.url + "&edit=1")
    expect(desk.locator("form.household-edit")).to_have_count(0)
    expect(section(desk, "基本情况")).to_be_visible()
    assert serious_violations(desk, axe_source) == []


def test_overdue_work_by_unit_with_days_and_the_unit_in_the_address(desk, served, axe_source):
    from playwright.sync_api import expect

    log_in(desk)
    open_screen(desk, "逾期")
    # Each unit's counts; then every unit's overdue tasks, the longest overdue first.
    by_unit = desk.locator("table.by-unit")
    expect(by_unit.get_by_role("row", name="县农业农村局").get_by_role("cell")).to_have_text(
        ["2", "1"])  # overdue tasks, overdue demands
    expect(by_unit.get_by_role("row", name="县教育局").get_by_role("cell")).to_have_text(
        ["1", "1"])
    assert rows(desk, "table.overdue") == ["孙玉兰", "李秀英", "赵大山"]
    table = desk.locator("table.overdue tbody")
    expect(table.locator("tr").first).to_contain_text("西岭村")
    expect(table.locator("tr").first).to_contain_text("县教育局")
    expect(table.locator("tr").first).to_contain_text("20 天")
    expect(table.locator("tr").nth(1)).to_contain_text("王建国")
    expect(table.locator("tr").nth(1)).to_contain_text("10 天")
    expect(table.locator("tr").nth(2)).to_contain_text("5 天")
    expect(desk.get_by_role("link", name="逾期任务（3）")).to_have_attribute("aria-current", "page")
    assert serious_violations(desk, axe_source) == []
    shot(desk, "9-overdue")
    # Sorted by the server: the head's name, descending on a second click.
    desk.get_by_role("button", name="户主").click()
    desk.get_by_role("button", name="户主").click()
    expect(desk.locator("th[aria-sort='descending']")).to_have_count(1)
    heads = rows(desk, "table.overdue")
    assert heads == sorted(heads, reverse=True) and "sort=-household_head_name" in desk.url
    # One unit, from the picker: the address keeps it.
    desk.get_by_role("combobox", name="单位").select_option(label="县农业农村局")
    desk.get_by_role("button", name="查看").click()
    expect(desk.locator("table.overdue tbody tr")).to_have_count(2)
    assert f"unit_id={served.names['unit_a']}" in desk.url
    assert set(rows(desk, "table.overdue")) == {"李秀英", "赵大山"}
    expect(desk.locator("table.overdue")).not_to_contain_text("县教育局")
    # A link to it, opened in a new tab, opens it as it is.
    again = desk.context.new_page()
    again.goto(desk.url)
    log_in(again)
    expect(again.locator("table.overdue tbody tr")).to_have_count(2)
    again.close()
    # Its overdue demands: 李秀英's leaking roof, ten days past the limit.
    desk.get_by_role("link", name="逾期诉求（1）").click()
    expect(desk.locator("table.overdue tbody tr")).to_have_count(1)
    demand = desk.locator("table.overdue tbody tr")
    expect(demand).to_contain_text("房屋漏雨")
    expect(demand).to_contain_text("10 天")
    assert "kind=demands" in desk.url and f"unit_id={served.names['unit_a']}" in desk.url
    assert serious_violations(desk, axe_source) == []
    shot(desk, "9b-overdue-demands")
    # The row opens the household; its back link returns to the list as it was.
    kept = desk.url
    demand.get_by_role("link", name="李秀英").click()
    expect(desk.get_by_role("heading", name="农户详情", level=1)).to_be_visible()
    desk.get_by_role("link", name="← 返回逾期").click()
    expect(desk.locator("table.overdue tbody tr")).to_have_count(1)
    assert desk.url == kept


def test_a_unit_admin_sees_its_own_units_overdue_work_only(desk, served, axe_source):
    from playwright.sync_api import expect

    log_in(desk, "unit_a")
    open_screen(desk, "逾期")
    assert set(rows(desk, "table.overdue")) == {"李秀英", "赵大山"}
    expect(desk.get_by_role("heading", name="县农业农村局的逾期事项")).to_be_visible()
    expect(desk.get_by_role("combobox", name="单位")).to_have_count(0)  # no picker to leave it
    expect(desk.locator("table.by-unit")).to_have_count(0)
    expect(desk.get_by_role("link", name="逾期诉求（1）")).to_be_visible()
    # Another unit asked for by address is not shown: the unit stays its own.
    desk.goto(f"{served.url}/office/#/overdue?unit_id={served.names['unit_b']}")
    expect(desk.locator("table.overdue tbody tr")).to_have_count(2)
    assert "孙玉兰" not in desk.locator("table.overdue").inner_text()
    assert serious_violations(desk, axe_source) == []
