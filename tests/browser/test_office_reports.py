"""The console's reports (SPEC §6, §15, §16) in Chromium at 1366 × 768: 每月公示 (a month's
villages and their status, filters in the address, 公示本月 township by township with its
progress after a confirmation that 取消 leaves without effect, a village's A4 page, a
correction with its reason), 情况通报 and 年度考核 (their tables and CSV downloads), 连心卡
(a village's cards opened styled in a new tab under the console's own policy), and what a unit
admin and an inspector are not offered.

The county built here (its months from the clock: LAST is the clock's last month, PREV the one
before; pairings since 2026-01-01, the factories' default, as the world is built then):

    城关镇: 南关村 (县农业局), 北关村 (县水利局)     东山乡: 东山村 (县农业局), 西岭村 (no unit)
    县农业局: 王建国 → 张大山 (南关村), 李明 (section chief) → 张二河 (南关村, harder),
              赵刚 → 孙小燕 (东山村)
    县水利局: 陈红 → 周福 (北关村), 刘洋 → 吴桂兰 (北关村)
    LAST: 王建国 visits twice, 赵刚 and 陈红 once; 李明 only phones (not direct, R8); 刘洋
    nothing. Before LAST (from January): 王建国 and 陈红 visit on the 15th of every month,
    赵刚 until May only. 张大山 raises a demand on the 3rd, resolved on the 5th; 周福 one on
    the 10th, open.
    南关村 is inspected on the 20th: 张大山 knows his cadre and is satisfied.

By hand, LAST: 县农业局 3 pairings, 2 visited (66.7%), 李明 named; 县水利局 2 pairings, 1
visited (50.0%), 刘洋 named: 县农业局 ranks first. PREV (when after May): 县水利局 1 of 2
(50.0%) before 县农业局 1 of 3 (33.3%, 李明 and 赵刚 named)."""

import contextlib
import csv
import io
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.demands.models import Demand, DemandTransition
from service.disclosures import services as disclosures
from service.disclosures.models import Disclosure
from service.evaluation.routes import COLUMNS as EVALUATION_COLUMNS
from service.inspections.models import HouseholdCheck, Inspection
from service.reports.disclosure import month_of
from service.reports.render import BULLETIN_COLUMNS
from service.tasks.models import Task
from service.users.models import User
from service.visits.models import Visit
from service.visits.rules import is_direct
from tests import factories
from tests.browser.office import (
    MARKS,
    desk_at,
    log_in,
    menu,
    open_screen,
    rows,
    serious_violations,
    serve,
    shot,
)
from tests.clock import CST

PAIRED = date(2026, 1, 1)  # the factories' default start of assignments and pairings

pytestmark = MARKS


def first_of(day: date) -> date:
    return day.replace(day=1)


def months_of(clock) -> dict:
    """The clock's last month and the one before (never a month still to come)."""
    last = first_of(first_of(clock.today()) - timedelta(days=1))
    prev = first_of(last - timedelta(days=1))
    return {"last": last, "prev": prev, "LAST": last.strftime("%Y-%m"),
            "PREV": prev.strftime("%Y-%m")}


def on(first: date, day: int, hour: int = 10) -> datetime:
    """County-local time on `day` of the month beginning `first`."""
    return datetime.combine(first + timedelta(days=day - 1), time(hour), CST)


def months_between(start: date, end: date) -> list[date]:
    """The first days of the months from `start`'s to the one before `end`'s."""
    out, first = [], first_of(start)
    while first < first_of(end):
        out.append(first)
        first = first_of(first + timedelta(days=31))
    return out


def county(last: date):
    """The builder of the county above, its visits in the month beginning `last`."""

    def build(session: Session) -> dict:
        f = factories
        chengguan, dongshan = f.township(session, name="城关镇"), f.township(session, name="东山乡")
        v = {"南关村": f.village(session, chengguan, name="南关村"),
             "北关村": f.village(session, chengguan, name="北关村"),
             "东山村": f.village(session, dongshan, name="东山村"),
             "西岭村": f.village(session, dongshan, name="西岭村")}
        farm, water = f.unit(session, name="县农业局"), f.unit(session, name="县水利局")
        for unit, village in ((farm, "南关村"), (farm, "东山村"), (water, "北关村")):
            f.assign(session, unit, v[village])
        c = {"王建国": f.cadre(session, farm, name="王建国"),
             "李明": f.cadre(session, farm, rank="section_chief", name="李明"),
             "赵刚": f.cadre(session, farm, name="赵刚"),
             "陈红": f.cadre(session, water, name="陈红"),
             "刘洋": f.cadre(session, water, name="刘洋")}
        farm.head_cadre_id, water.head_cadre_id = c["李明"].id, c["陈红"].id
        h = {"张大山": f.household(session, v["南关村"], head_name="张大山"),
             "张二河": f.household(session, v["南关村"], head_name="张二河", difficulty="harder"),
             "孙小燕": f.household(session, v["东山村"], head_name="孙小燕"),
             "周福": f.household(session, v["北关村"], head_name="周福"),
             "吴桂兰": f.household(session, v["北关村"], head_name="吴桂兰")}
        f.household(session, v["西岭村"], head_name="郑无人")
        pairings = {cadre: f.pair(session, c[cadre], h[household]) for cadre, household in (
            ("王建国", "张大山"), ("李明", "张二河"), ("赵刚", "孙小燕"), ("陈红", "周福"),
            ("刘洋", "吴桂兰"))}
        clerk = f.user(session, "county_admin", username="clerk")
        f.user(session, "unit_admin", unit_=farm, username="unit_a")
        inspector = f.user(session, "inspector", username="inspector")
        users = {name: f.user(session, "cadre", cadre_=c[name]) for name in c}
        earlier = [(cadre, first, 15, "home_visit") for first in months_between(PAIRED, last)
                   for cadre in ("王建国", "陈红", "赵刚")
                   if cadre != "赵刚" or first.month <= 5]
        for cadre, first, day, kind in [*earlier, ("王建国", last, 6, "home_visit"),
                                        ("王建国", last, 18, "heart_to_heart"),
                                        ("李明", last, 9, "phone"),
                                        ("赵刚", last, 12, "shared_labor"),
                                        ("陈红", last, 15, "home_visit")]:
            p, when = pairings[cadre], on(first, day)
            session.add(Visit(id=str(uuid.uuid4()), cadre_id=p.cadre_id,
                              household_id=p.household_id, pairing_id=p.id, visited_at=when,
                              received_at=when, kind=kind, direct=is_direct(kind),
                              created_by=users[cadre].id, body_hash="-", flags=[]))
        resolved = Demand(id=str(uuid.uuid4()), household_id=h["张大山"].id,
                          created_by=clerk.id, category="road_repair", description="路坏了",
                          status="resolved", opened_at=on(last, 3), received_at=on(last, 3),
                          in_progress_at=on(last, 3, 15), resolved_at=on(last, 5),
                          resolution="已修好", body_hash="0" * 64)
        session.add_all([resolved, Demand(
            id=str(uuid.uuid4()), household_id=h["周福"].id, created_by=clerk.id,
            category="water_supply", description="自来水不通", status="open",
            opened_at=on(last, 10), received_at=on(last, 10), body_hash="0" * 64)])
        session.flush()
        session.add_all([DemandTransition(demand_id=resolved.id, from_status="open",
                                          to_status="in_progress", user_id=clerk.id,
                                          at=on(last, 3, 15)),
                         DemandTransition(demand_id=resolved.id, from_status="in_progress",
                                          to_status="resolved", user_id=clerk.id,
                                          at=on(last, 5))])
        session.add(Task(household_id=h["张大山"].id, category="low_income",
                         description="发展养殖增收", due_on=last + timedelta(days=60)))
        inspection = Inspection(village_id=v["南关村"].id, inspected_on=last + timedelta(19),
                                inspector_id=inspector.id)
        inspection.checks.append(HouseholdCheck(
            household_id=h["张大山"].id, cadre_id=c["王建国"].id, unit_id=farm.id,
            knows_cadre=True, has_contact_card=True, visit_confirmed=True,
            satisfaction="satisfied"))
        session.add(inspection)
        return {"villages": {name: village.id for name, village in v.items()},
                "units": {"县农业局": farm.id, "县水利局": water.id},
                "townships": {"城关镇": chengguan.id, "东山乡": dongshan.id}}

    return build


@pytest.fixture
def when(clock) -> dict:
    return months_of(clock)


@pytest.fixture
def served(tmp_path, clock, when):
    with serve(tmp_path, clock, county(when["last"])) as running:
        yield running


@pytest.fixture
def desk(browser, served, clock):
    with desk_at(browser, served.url, clock) as page:
        yield page


def published(engine, month: str) -> list[tuple]:
    """The month's publications in the database: (village id, revision, reason)."""
    with Session(engine) as session:
        return session.execute(select(Disclosure.village_id, Disclosure.revision,
                                      Disclosure.correction_reason)
                               .where(Disclosure.month == month)
                               .order_by(Disclosure.village_id, Disclosure.revision)).all()


def publish(served, month: str, *villages: str) -> None:
    """The clerk published these villages' month beforehand (through the service)."""
    with Session(served.engine) as session:
        clerk = session.scalars(select(User).where(User.username == "clerk")).one()
        ctx = factories.context(session, clerk)
        for name in villages:
            disclosures.publish(ctx, served.names["villages"][name], month_of(ctx, month), None)
        session.commit()


def table_rows(page) -> dict[str, str]:
    """The months table: {village: its row's text}."""
    page.locator("table.months tbody tr").first.wait_for()
    out = {}
    for row in page.locator("table.months tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        if len(cells) > 1:
            out[cells[1]] = " ".join(cells)
    return out


def test_a_clerk_publishes_last_month_township_by_township(desk, served, when, axe_source):
    """公示本月: the confirmation says how many villages for which month and that it can
    never change; 取消 publishes nothing; confirmed, the month is published one township at a
    time with its progress, the result is told, the table and the database agree."""
    from playwright.sync_api import expect

    last = when["LAST"]
    log_in(desk)
    open_screen(desk, "每月公示")
    expect(desk.get_by_role("heading", name=f"{last} 各村公示情况")).to_be_visible()
    counts = desk.locator(".months-counts")
    expect(counts).to_contain_text("共 4 个村")
    expect(counts).to_contain_text("未公示 3")
    expect(counts).to_contain_text("无包村单位 1")
    shown = table_rows(desk)
    assert list(shown) == ["南关村", "北关村", "东山村", "西岭村"]
    assert "无包村单位" in shown["西岭村"] and "未公示" in shown["南关村"]
    assert serious_violations(desk, axe_source) == []
    shot(desk, "10-months")

    # Filters go to the address, and a link to a filtered page opens it as it is.
    desk.get_by_label("状态").select_option(label="无包村单位")
    desk.get_by_role("button", name="查看").click()
    expect(desk.locator("table.months tbody tr")).to_have_count(1)
    assert "status=no_unit" in desk.url and f"month={last}" in desk.url
    desk.get_by_label("乡镇").select_option(label="城关镇")
    desk.get_by_label("状态").select_option(label="全部")
    desk.get_by_role("button", name="查看").click()
    expect(desk.locator("table.months tbody tr")).to_have_count(2)
    assert f"township_id={served.names['townships']['城关镇']}" in desk.url
    desk.go_back()
    expect(desk.locator("table.months tbody tr")).to_have_count(1)
    desk.go_back()
    expect(desk.locator("table.months tbody tr")).to_have_count(4)

    # 取消 does nothing.
    desk.get_by_role("button", name="公示本月").click()
    dialog = desk.get_by_role("dialog")
    expect(dialog).to_contain_text(f"将公示 全县 2 个乡镇的 3 个村 {last} 的情况")
    expect(dialog).to_contain_text("永远不能修改")
    expect(dialog).to_contain_text("无包村单位的 1 个村")
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)
    assert published(served.engine, last) == []
    assert "已公示" not in " ".join(table_rows(desk).values())

    # Confirmed: one township at a time (each call held until the test lets it through, so
    # the progress can be read), then the result.
    held = []

    def hold(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    desk.route("**/api/v1/disclosures/months/*", hold)
    desk.get_by_role("button", name="公示本月").click()
    desk.get_by_role("dialog").get_by_role("button", name="公示 3 个村").click()
    progress = desk.locator("#months-progress")
    expect(progress).to_contain_text("正在公示：城关镇（0 / 2 个乡镇已完成）")
    expect(desk.get_by_role("button", name="公示本月")).to_be_disabled()
    assert held[0].request.post_data_json == {"township_id": served.names["townships"]["城关镇"]}
    held.pop().continue_()
    expect(progress).to_contain_text("正在公示：东山乡（1 / 2 个乡镇已完成）")
    assert len(published(served.engine, last)) == 2  # the first township is published
    for _ in range(200):  # the second township's call, once the first has answered
        if held:
            break
        desk.wait_for_timeout(50)
    held.pop().continue_()
    result = desk.locator("#months-result")
    expect(result).to_contain_text("本次公示 3 个村；此前已公示（跳过） 0 个；失败 0 个")
    expect(result).to_be_focused()
    desk.unroute("**/api/v1/disclosures/months/*")
    shown = table_rows(desk)
    assert all("已公示" in shown[v] and "第 1 版" in shown[v]
               for v in ("南关村", "北关村", "东山村"))
    assert "无包村单位" in shown["西岭村"]
    expect(counts).to_contain_text("已公示 3")
    expect(desk.get_by_text("全县没有待公示的村。")).to_be_visible()
    expect(desk.get_by_role("button", name="公示本月")).to_have_count(0)
    ids = served.names["villages"]
    assert published(served.engine, last) == sorted(
        [(ids[v], 1, None) for v in ("南关村", "北关村", "东山村")])
    assert serious_violations(desk, axe_source) == []
    shot(desk, "10b-months-published")

    # A village's A4 page: the publication as frozen, in a new tab.
    with desk.expect_popup() as opened:
        desk.get_by_role("link", name="A4 公示页：城关镇南关村").click()
    page = opened.value
    page.wait_for_load_state()
    assert "/api/v1/disclosures/" in page.url and "format=html" in page.url
    text = page.locator("body").inner_text()
    assert "南关村" in text and "王建国" in text and "张**" in text and "张大山" not in text
    page.close()


def test_a_correction_is_published_with_its_reason(desk, served, when, axe_source):
    """发布更正: the dialog says what will happen; 取消 sends nothing; an empty reason is
    refused in the server's words; with a reason, revision 2 is published, the reason kept
    on file and never on the public page."""
    from playwright.sync_api import expect

    last = when["LAST"]
    publish(served, last, "南关村", "北关村")
    log_in(desk)
    desk.goto(f"{served.url}/office/#/months?month={last}&status=published")
    expect(desk.locator("table.months tbody tr")).to_have_count(2)
    desk.get_by_role("button", name="发布更正：城关镇南关村").click()
    dialog = desk.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text(f"发布更正：城关镇南关村（{last}）")
    expect(dialog).to_contain_text("作为第 2 版发布")
    expect(dialog).to_contain_text("第 1 版不会被改动")
    expect(dialog).to_contain_text("更正原因只存档备查，不对外公示")
    expect(dialog.get_by_label("更正原因")).to_be_focused()
    assert serious_violations(desk, axe_source) == []
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)
    assert [r.revision for r in published(served.engine, last)] == [1, 1]

    desk.get_by_role("button", name="发布更正：城关镇南关村").click()
    dialog.get_by_role("button", name="发布更正").click()
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("correction_reason")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in alert.inner_text())  # the server's words
    assert [r.revision for r in published(served.engine, last)] == [1, 1]
    dialog.get_by_label("更正原因").fill("漏记了王建国的一次入户走访")
    dialog.get_by_role("button", name="发布更正").click()
    expect(dialog).to_have_count(0)
    result = desk.locator("#months-result")
    expect(result).to_contain_text(f"城关镇南关村 {last} 的公示已更正为第 2 版")
    expect(result).to_be_focused()
    assert "第 2 版" in table_rows(desk)["南关村"]
    south = served.names["villages"]["南关村"]
    assert [r for r in published(served.engine, last) if r.village_id == south] == [
        (south, 1, None), (south, 2, "漏记了王建国的一次入户走访")]

    with desk.expect_popup() as opened:
        desk.get_by_role("link", name="A4 公示页：城关镇南关村").click()
    page = opened.value
    page.wait_for_load_state()
    text = page.locator("body").inner_text()
    assert "更正" in text and "第2版" in text and "漏记" not in text
    page.close()


def test_the_bulletin_ranks_the_units_and_downloads_as_csv(desk, served, when, axe_source):
    from playwright.sync_api import expect

    last, prev = when["LAST"], when["PREV"]
    log_in(desk)
    open_screen(desk, "情况通报")
    table = desk.locator("table.bulletin")
    expect(table.locator("tbody tr")).to_have_count(2)
    first, second = [r.locator("td").all_inner_texts() for r in table.locator("tbody tr").all()]
    assert first[:7] == ["1", "县农业局", "3", "3", "2", "66.7%", "李明"]
    assert first[7:] == ["1", "1", "100.0%", "2", "100.0%", "100.0%"]
    assert second[:7] == ["2", "县水利局", "2", "2", "1", "50.0%", "刘洋"]
    assert serious_violations(desk, axe_source) == []
    shot(desk, "11-bulletin")

    with desk.expect_download() as got:
        desk.get_by_role("button", name="下载 CSV").click()
    download = got.value
    assert download.suggested_filename == f"情况通报-{last}.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(lines[0]) == tuple(BULLETIN_COLUMNS)
    assert [line[2] for line in lines[1:]] == ["县农业局", "县水利局"]
    expect(desk.locator("#bulletin-download")).to_contain_text(f"已下载 情况通报-{last}.csv")

    # Another month, from the picker: the address keeps it.
    desk.get_by_label("月份").fill(prev)
    desk.get_by_role("button", name="查看").click()
    expect(desk.locator(".report-head")).to_contain_text(f"{prev} 全月")
    assert f"month={prev}" in desk.url
    if when["prev"].month > 5 and when["prev"] >= PAIRED:
        first = table.locator("tbody tr").first.locator("td").all_inner_texts()
        assert first[:7] == ["1", "县水利局", "2", "2", "1", "50.0%", "刘洋"]
        second = table.locator("tbody tr").nth(1).locator("td").all_inner_texts()
        assert second[1] == "县农业局" and second[5] == "33.3%" and second[6] == "李明、赵刚"


def test_the_evaluation_pages_filters_and_downloads_as_csv(desk, served, clock, axe_source):
    from playwright.sync_api import expect

    year = clock.today().year
    log_in(desk)
    open_screen(desk, "年度考核")
    table = desk.locator("table.evaluation")
    expect(table.locator("tbody tr")).to_have_count(5)
    cadres = table.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(cadres) == sorted(["王建国", "李明", "赵刚", "陈红", "刘洋"])
    ranks = [int(x) for x in table.locator("tbody tr .rank").all_inner_texts()]
    assert ranks == sorted(ranks)
    scores = [float(x) for x in table.locator("tbody tr td.score").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    first = table.locator("tbody tr").first
    for part in ("走访", "任务", "诉求", "督查", "问题扣分"):
        expect(first.locator("ul.parts")).to_contain_text(part)
    expect(desk.locator(".report-head")).to_contain_text("走访 40.0%")
    expect(desk.get_by_role("status").filter(has_text="共 5 名干部")).to_be_visible()
    assert serious_violations(desk, axe_source) == []
    shot(desk, "12-evaluation")

    desk.get_by_label("单位").select_option(label="县水利局")
    desk.get_by_role("button", name="查看").click()
    expect(table.locator("tbody tr")).to_have_count(2)
    assert f"unit_id={served.names['units']['县水利局']}" in desk.url
    assert f"year={year}" in desk.url
    with desk.expect_download() as got:
        desk.get_by_role("button", name="下载 CSV").click()
    download = got.value
    assert download.suggested_filename == f"年度考核-{year}.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(lines[0]) == tuple(EVALUATION_COLUMNS)
    assert sorted(line[2] for line in lines[1:]) == ["刘洋", "陈红"]  # the filter holds
    # The filtered page, opened from its address in a new tab, is the same.
    again = desk.context.new_page()
    again.goto(desk.url)
    log_in(again)
    expect(again.locator("table.evaluation tbody tr")).to_have_count(2)
    again.close()


@contextlib.contextmanager
def strict_desk(browser, url: str, clock):
    """A desktop page as desk_at's but under the console's own Content-Security-Policy (not
    bypassed): what a clerk's browser enforces."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.clock.install(time=clock.now())
    page = context.new_page()
    page.goto(f"{url}/office/")
    try:
        yield page
    finally:
        context.close()


def test_a_villages_cards_open_styled_in_a_new_tab(browser, desk, served, clock, axe_source):
    """连心卡: the village's cards counted and listed; 打印连心卡 opens the printable page
    from a blob: address, styled under the console's policy (its style allowed by hash)."""
    from playwright.sync_api import expect

    log_in(desk)
    open_screen(desk, "连心卡")
    desk.get_by_label("村").select_option(label="南关村")
    desk.get_by_role("button", name="查看").click()
    expect(desk.get_by_role("heading", name="南关村：2 张连心卡")).to_be_visible()
    assert f"village_id={served.names['villages']['南关村']}" in desk.url
    assert sorted(rows(desk, "table.cards-preview")) == ["1", "2"]
    preview = desk.locator("table.cards-preview").inner_text()
    assert "王建国" in preview and "李明" in preview and "张大山" not in preview
    assert serious_violations(desk, axe_source) == []
    shot(desk, "13-cards")

    with strict_desk(browser, served.url, clock) as page:
        log_in(page)
        page.goto(f"{served.url}/office/#/cards?village_id={served.names['villages']['南关村']}")
        with page.expect_popup() as opened:
            page.get_by_role("button", name="打印连心卡").click()
        cards = opened.value
        cards.wait_for_url("blob:**")  # opened at once, shown the page when it arrives
        expect(cards.locator(".card")).to_have_count(2)
        style = cards.locator(".card").first.evaluate(
            "e => { const s = getComputedStyle(e); return [s.borderTopStyle, s.display]; }")
        assert style == ["solid", "grid"], style  # the page's own style applies (by hash)
        # ... and only it: the console's policy holds in the blob: page (another inline
        # style is refused).
        color = cards.evaluate("""() => {
            const sheet = document.createElement("style");
            sheet.textContent = "body { color: rgb(1, 2, 3) }";
            document.head.append(sheet);
            return getComputedStyle(document.body).color; }""")
        assert color != "rgb(1, 2, 3)"
        expect(page.locator("#cards-print")).to_contain_text(
            "已在新标签页打开 南关村 的 2 张连心卡")


def test_a_unit_admin_sees_its_own_villages_and_publishes_nothing(desk, served):
    from playwright.sync_api import expect

    log_in(desk, "unit_a")
    assert {"每月公示", "情况通报", "年度考核", "连心卡"} <= set(menu(desk))
    open_screen(desk, "每月公示")
    assert list(table_rows(desk)) == ["南关村", "东山村"]
    expect(desk.get_by_role("button", name="公示本月")).to_have_count(0)
    expect(desk.get_by_role("columnheader", name="更正")).to_have_count(0)
    open_screen(desk, "年度考核")
    expect(desk.get_by_label("单位")).to_have_count(0)
    cadres = desk.locator("table.evaluation tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(cadres) == sorted(["王建国", "李明", "赵刚"])
    open_screen(desk, "连心卡")
    options = desk.get_by_label("村").locator("option").all_inner_texts()
    assert options == ["请选择", "东山村", "南关村"]


def test_an_inspector_reads_the_months_and_the_bulletin_and_publishes_nothing(desk, served):
    from playwright.sync_api import expect

    log_in(desk, "inspector")
    shown = menu(desk)
    assert "每月公示" in shown and "情况通报" in shown
    assert "年度考核" not in shown and "连心卡" not in shown
    open_screen(desk, "每月公示")
    assert len(table_rows(desk)) == 4
    expect(desk.get_by_role("button", name="公示本月")).to_have_count(0)
    expect(desk.get_by_role("button", name="发布更正")).to_have_count(0)
    open_screen(desk, "情况通报")
    expect(desk.locator("table.bulletin tbody tr")).to_have_count(2)


def test_this_month_cannot_be_published_yet_and_a_month_to_come_is_refused(desk, served, clock):
    """The month in progress is listed but not offered for publishing; a month still to come
    (from the address) is refused in the server's words, with the picker still there."""
    from playwright.sync_api import expect

    this = clock.today().strftime("%Y-%m")
    coming = (first_of(clock.today()) + timedelta(days=31)).strftime("%Y-%m")
    log_in(desk)
    desk.goto(f"{served.url}/office/#/months?month={this}")
    expect(desk.get_by_text(f"{this} 尚未结束，月底后才能公示。")).to_be_visible()
    expect(desk.get_by_role("button", name="公示本月")).to_have_count(0)
    assert len(table_rows(desk)) == 4
    desk.goto(f"{served.url}/office/#/months?month={coming}")
    alert = desk.get_by_role("alert")
    expect(alert).to_contain_text("month")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in alert.inner_text())
    expect(desk.get_by_label("月份")).to_be_visible()
