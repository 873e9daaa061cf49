"""The console's county-admin screens (SPEC §16) in Chromium at 1366 × 768, as a clerk uses them:
花名册导入 (template, a dry run that lists a bad row by row and column and writes nothing, the
fixed file checked clean, the import after a confirmation that counts what it will do, its
progress, the households it created and updated), 用户 (a new account that logs in, the
server's refusals next to their fields, disabling one after a confirmation) and 审计 (a change
found by filtering, the filter in the address, back going back; what a unit admin and an
inspector read). axe-core finds no critical or serious violation on any of them."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.cadres.models import Cadre
from service.households.models import Household
from service.users.models import User
from tests import factories
from tests.browser.office import (
    MARKS,
    clerk_world,
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

pytestmark = MARKS

HEADER = "村代码,户主姓名,身份证号,联系电话,家庭人口,困难程度,帮扶需求,人均纯收入"
CSV = "text/csv"


def _world(session) -> dict:
    """The clerk's world (tests/browser/office.py), its records named as plain values (the
    objects do not outlive the builder's session)."""
    names = clerk_world(session)
    world = names["world"]
    return {**names, "code_a": world.villages["a"].code,
            "unit_a": world.units["a"].name, "unit_a_id": world.units["a"].id,
            "unit_b": world.units["b"].name,
            "cadre_a2": world.cadres["a2"].name, "cadre_a2_id": world.cadres["a2"].id,
            "a2": world.households["a2"].id, "a2_head": world.households["a2"].head_name,
            "b1": world.households["b1"].id}


@pytest.fixture
def served(tmp_path, clock):
    with serve(tmp_path, clock, _world) as running:
        yield running


@pytest.fixture
def desk(browser, served, clock):
    with desk_at(browser, served.url, clock) as page:
        yield page


def roster(code: str, lines: list[tuple[str, int, str, str]]) -> bytes:
    """A household roster as a county clerk saves it from a spreadsheet (UTF-8 with BOM)."""
    body = [HEADER] + [f"{code},{name},{factories.valid_id_number(n)},,{members},{difficulty},"
                       f"技能培训,3000" for name, n, members, difficulty in lines]
    return "\r\n".join(body).encode("utf-8-sig")


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def choose(page, name: str, data: bytes, mime: str = CSV) -> None:
    page.get_by_label("花名册文件（.xlsx 或 .csv）").set_input_files(
        {"name": name, "mimeType": mime, "buffer": data})


# --- 花名册导入 ---------------------------------------------------------------------------------


def test_a_roster_is_checked_fixed_and_imported_and_its_households_listed(desk, served,
                                                                           axe_source):
    from playwright.sync_api import expect

    code = served.names["code_a"]
    before = count(served.engine, Household)
    log_in(desk)
    open_screen(desk, "花名册导入")
    households = desk.get_by_role("button", name="农户花名册", exact=True)
    expect(households).to_have_attribute("aria-pressed", "true")
    assert serious_violations(desk, axe_source) == []
    shot(desk, "5-imports")

    # The template, fetched with the token: an .xlsx.
    with desk.expect_download() as download:
        desk.get_by_role("button", name="下载模板（农户花名册）").click()
    assert download.value.suggested_filename == "农户花名册导入模板.xlsx"
    with open(download.value.path(), "rb") as template:
        assert template.read(2) == b"PK"

    # A roster with one bad row (its difficulty is no label the service prints): the dry run
    # names the row as the spreadsheet numbers it and the column, and writes nothing.
    lines = [("李春生", 801, 4, "难度较小"), ("周桂兰", 802, 3, "很难"),
             ("郑大山", 803, 5, "难度较大")]
    choose(desk, "花名册.csv", roster(code, lines))
    desk.get_by_role("button", name="校验（试导入）").click()
    expect(desk.get_by_role("heading", name="发现 1 处问题，没有写入任何数据")).to_be_visible()
    problems = desk.locator("table.imports-problems tbody tr")
    expect(problems).to_have_count(1)
    cells = problems.first.locator("td").all_inner_texts()
    assert cells[:2] == ["3", "困难程度"], cells
    assert re.search(r"[\u4e00-\u9fff]", cells[2]), cells  # the server's Chinese
    expect(desk.get_by_role("button", name="导入", exact=True)).to_have_count(0)
    assert count(served.engine, Household) == before
    assert serious_violations(desk, axe_source) == []
    shot(desk, "5b-imports-errors")

    # The fixed file: clean, and what the import will do is counted; still nothing written.
    lines[1] = ("周桂兰", 802, 3, "难度较小")
    choose(desk, "花名册（改）.csv", roster(code, lines))
    desk.get_by_role("button", name="校验（试导入）").click()
    expect(desk.get_by_role("heading", name="校验通过：共 3 行，没有发现问题")).to_be_visible()
    expect(desk.locator(".imports-counts")).to_contain_text("将新建 3 户")
    assert count(served.engine, Household) == before

    # 导入 asks first, saying what will happen; 取消 writes nothing.
    desk.get_by_role("button", name="导入", exact=True).click()
    dialog = desk.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("导入农户花名册")
    expect(dialog).to_contain_text("文件“花名册（改）.csv”，共 3 行。")
    expect(dialog).to_contain_text("将新建 3 户，更新 0 户；0 户没有变化，不会改动。")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)
    assert count(served.engine, Household) == before

    # Confirmed: while the service works the page says so and the button waits.
    held = []
    desk.route(re.compile(r".*/imports/households\?dry_run=false$"),
               lambda route: held.append(route))
    desk.get_by_role("button", name="导入", exact=True).click()
    desk.get_by_role("dialog").get_by_role("button", name="导入").click()
    status = desk.locator(".imports-busy")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_contain_text("正在导入“花名册（改）.csv”的 3 行")
    expect(desk.get_by_role("button", name="校验（试导入）")).to_be_disabled()
    expect(desk.get_by_role("button", name="导入", exact=True)).to_be_disabled()
    assert len(held) == 1
    held[0].continue_()
    desk.unroute(re.compile(r".*/imports/households\?dry_run=false$"))

    expect(desk.get_by_role("heading", name="导入完成：共 3 行")).to_be_visible()
    expect(desk.locator(".imports-counts")).to_contain_text("已新建 3 户")
    expect(status).to_have_text("")
    created = desk.get_by_role("table", name="新建的农户")
    expect(created.locator("tbody tr")).to_have_count(3)
    assert rows(desk, "table.data") == ["李春生", "周桂兰", "郑大山"]  # the file's order
    with Session(served.engine) as session:
        stored = {h.head_name: h for h in session.scalars(
            select(Household).where(Household.head_name.in_(["李春生", "周桂兰", "郑大山"])))}
    assert {h.id_number for h in stored.values()} == {
        factories.valid_id_number(n) for n in (801, 802, 803)}
    assert stored["周桂兰"].difficulty == "easier"
    link = created.get_by_role("link", name="郑大山")
    expect(link).to_have_attribute("href", f"#/household?id={stored['郑大山'].id}")
    expect(created).to_contain_text(served.names["village_a"])
    assert serious_violations(desk, axe_source) == []
    shot(desk, "5c-imports-done")

    # The same roster with one household changed: an update, listed as such.
    lines[2] = ("郑大山", 803, 6, "难度较大")
    choose(desk, "花名册（三改）.csv", roster(code, lines))
    desk.get_by_role("button", name="校验（试导入）").click()
    expect(desk.locator(".imports-counts")).to_contain_text("将更新 1 户")
    desk.get_by_role("button", name="导入", exact=True).click()
    expect(desk.get_by_role("dialog")).to_contain_text("将新建 0 户，更新 1 户；2 户没有变化")
    desk.get_by_role("dialog").get_by_role("button", name="导入").click()
    updated = desk.get_by_role("table", name="更新的农户")
    expect(updated.locator("tbody tr")).to_have_count(1)
    expect(updated).to_contain_text("郑大山")
    expect(desk.get_by_role("table", name="新建的农户")).to_have_count(0)
    with Session(served.engine) as session:
        assert session.get(Household, stored["郑大山"].id).members == 6
    assert count(served.engine, Household) == before + 3


def test_a_file_that_is_no_roster_or_too_long_is_refused_in_the_servers_words(desk, served):
    from playwright.sync_api import expect

    before = count(served.engine, Household)
    log_in(desk)
    open_screen(desk, "花名册导入")
    desk.get_by_role("button", name="校验（试导入）").click()
    expect(desk.get_by_role("alert")).to_have_text("请先选择花名册文件（.xlsx 或 .csv）。")
    choose(desk, "花名册.xlsx", b"PK\x03\x04 not really a workbook",
           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    desk.get_by_role("button", name="校验（试导入）").click()
    alert = desk.get_by_role("alert")
    expect(alert).not_to_be_empty()
    assert re.search(r"[\u4e00-\u9fff]", alert.inner_text())
    expect(desk.get_by_role("button", name="导入", exact=True)).to_have_count(0)
    # Past the API's 20,000 rows: 413, pointing to the command line, in the server's words.
    big = [(f"户{n}", n, 3, "难度较小") for n in range(20_001)]
    choose(desk, "全县.csv", roster(served.names["code_a"], big))
    desk.get_by_role("button", name="校验（试导入）").click()
    expect(desk.get_by_role("alert")).to_contain_text("import-households")
    assert count(served.engine, Household) == before


def test_the_cadre_roster_is_the_second_choice_with_its_own_template(desk, served):
    from playwright.sync_api import expect

    before = count(served.engine, Cadre)
    log_in(desk)
    open_screen(desk, "花名册导入")
    desk.get_by_role("button", name="干部名册", exact=True).click()
    expect(desk.get_by_role("button", name="干部名册", exact=True)).to_have_attribute(
        "aria-pressed", "true")
    assert "kind=cadres" in desk.url
    expect(desk.get_by_role("button", name="下载模板（干部名册）")).to_be_visible()
    roster = f"姓名,单位,职级,电话,特长\r\n韩立新,{served.names['unit_a']},一般干部,13600001111,"
    choose(desk, "干部.csv", roster.encode("utf-8-sig"))
    desk.get_by_role("button", name="校验（试导入）").click()
    expect(desk.locator(".imports-counts")).to_contain_text("将新建 1 名干部")
    desk.get_by_role("button", name="导入", exact=True).click()
    desk.get_by_role("dialog").get_by_role("button", name="导入").click()
    created = desk.get_by_role("table", name="新建的干部")
    expect(created).to_contain_text("韩立新")
    expect(created).to_contain_text("一般干部")
    assert count(served.engine, Cadre) == before + 1
    desk.go_back()  # back to the household roster
    households = desk.get_by_role("button", name="农户花名册", exact=True)
    expect(households).to_have_attribute("aria-pressed", "true")


# --- 用户 ---------------------------------------------------------------------------------------


def test_a_clerk_opens_an_account_that_logs_in_and_a_duplicate_is_refused(
        desk, served, browser, clock, axe_source):
    from playwright.sync_api import expect

    names = served.names
    log_in(desk)
    open_screen(desk, "用户")
    table = desk.locator("table.users")
    expect(table.locator("tbody tr")).to_have_count(7)  # the world's four and the console's three
    expect(table.get_by_role("row", name=re.compile("^unit_a "))).to_contain_text("单位管理员")
    expect(table.get_by_role("row", name=re.compile("^unit_a "))).to_contain_text(
        names["unit_a"])
    # Sorted by the server, the address keeping it.
    desk.get_by_role("button", name="用户名").click()
    expect(desk.locator("table.users th[aria-sort='ascending']")).to_have_count(1)
    listed = rows(desk, "table.users")
    assert listed == sorted(listed) and "sort=username" in desk.url
    assert serious_violations(desk, axe_source) == []
    shot(desk, "14-users")

    # A new unit admin: a common password is refused next to its field, in Chinese.
    desk.get_by_role("button", name="新建账号").click()
    form = desk.locator(".users-panel")
    form.get_by_label("用户名").fill("wang.li")
    form.get_by_label("角色").select_option(label="单位管理员")
    form.get_by_label("单位").select_option(label=names["unit_b"])
    form.get_by_label("初始密码").fill("password12")
    form.get_by_role("button", name="新建").click()
    expect(form.get_by_role("alert")).to_have_text("数据校验未通过")
    expect(form.locator("#new-password-error")).to_contain_text("最常见的密码")
    expect(form.get_by_label("初始密码")).to_have_attribute("aria-invalid", "true")
    assert serious_violations(desk, axe_source) == []
    shot(desk, "14b-users-new")
    form.get_by_label("初始密码").fill(factories.PASSWORD)
    form.get_by_role("button", name="新建").click()
    expect(desk.locator(".notice")).to_contain_text("已新建账号“wang.li”（单位管理员）")
    row = desk.locator("table.users").get_by_role("row", name=re.compile("^wang.li "))
    expect(row).to_contain_text(names["unit_b"])
    expect(row).to_contain_text("启用")
    assert "new=" not in desk.url

    # It logs in, in a browser of its own, as a unit admin.
    with desk_at(browser, served.url, clock) as other:
        log_in(other, "wang.li")
        expect(other.locator(".who")).to_contain_text("wang.li（单位管理员）")

    # The same username again: refused, in the server's Chinese, next to the username.
    desk.get_by_role("button", name="新建账号").click()
    form = desk.locator(".users-panel")
    form.get_by_label("用户名").fill("wang.li")
    form.get_by_label("角色").select_option(label="督查员")
    form.get_by_label("初始密码").fill(factories.PASSWORD)
    form.get_by_role("button", name="新建").click()
    expect(form.get_by_role("alert")).to_have_text("已有相同值的记录")
    expect(form.locator("#new-username-error")).to_have_text("已存在")
    with Session(served.engine) as session:
        assert session.scalar(select(func.count()).select_from(User).where(
            User.username == "wang.li")) == 1

    # A cadre's account: the unit first, then one of its cadres.
    form.get_by_label("用户名").fill("cadre.a2")
    form.get_by_label("角色").select_option(label="包联干部")
    form.get_by_label("单位").select_option(label=names["unit_a"])
    form.get_by_label("干部").select_option(label=f"{names['cadre_a2']}（正科级）")
    form.get_by_role("button", name="新建").click()
    expect(desk.locator(".notice")).to_contain_text("已新建账号“cadre.a2”（包联干部）")
    with Session(served.engine) as session:
        made = session.scalars(select(User).where(User.username == "cadre.a2")).one()
        assert (made.role, made.cadre_id, made.unit_id) == (
            "cadre", names["cadre_a2_id"], names["unit_a_id"])


def test_disabling_an_account_asks_first_and_then_it_cannot_log_in(desk, served, browser,
                                                                    clock, axe_source):
    from playwright.sync_api import expect

    log_in(desk)
    open_screen(desk, "用户")
    desk.get_by_role("button", name="管理账号 inspector", exact=True).click()
    panel = desk.locator(".users-panel")
    expect(panel.get_by_role("heading", level=2)).to_have_text("管理账号：inspector（督查员）")
    assert re.search(r"edit=\d+", desk.url)
    assert serious_violations(desk, axe_source) == []
    shot(desk, "14c-users-manage")
    panel.get_by_role("button", name="停用账号…").click()
    dialog = desk.get_by_role("dialog")
    expect(dialog).to_contain_text("账号“inspector”（督查员）将不能再登录。")
    dialog.get_by_role("button", name="取消").click()
    with Session(served.engine) as session:
        assert session.scalars(select(User).where(User.username == "inspector")).one().active
    panel.get_by_role("button", name="停用账号…").click()
    desk.get_by_role("dialog").get_by_role("button", name="停用").click()
    expect(desk.locator(".notice")).to_contain_text("已停用账号“inspector”。")
    expect(desk.locator("table.users").get_by_role("row", name=re.compile("^inspector "))
           ).to_contain_text("已停用")
    with desk_at(browser, served.url, clock) as other:
        other.get_by_label("用户名").fill("inspector")
        other.get_by_label("密码").fill(factories.PASSWORD)
        other.get_by_role("button", name="登录").click()
        expect(other.get_by_role("alert")).not_to_be_empty()
    # One's own account offers none of it.
    desk.get_by_role("button", name="管理账号 clerk", exact=True).click()
    expect(desk.locator(".users-panel")).to_contain_text("这是您本人的账号")
    expect(desk.get_by_role("button", name="停用账号…")).to_have_count(0)


# --- 审计 and the roles ---------------------------------------------------------------------


def _token(page) -> str:
    return page.evaluate("sessionStorage.getItem('office.token')")


def _patch_household(page, url: str, household_id: int, members: int, request_id: str,
                     **more) -> None:
    """A change made through the API, as another front-end would make it."""
    headers = {"Authorization": f"Bearer {_token(page)}"}
    api = f"{url}/api/v1/households/{household_id}"
    read = page.request.get(api, headers=headers)
    assert read.ok, read.text()
    answer = page.request.patch(api, data={"members": members, **more}, headers={
        **headers, "If-Match": read.headers["etag"], "X-Request-ID": request_id})
    assert answer.ok, answer.text()


def test_a_change_is_found_by_filtering_the_trail_and_back_goes_back(desk, served, clock,
                                                                      axe_source):
    from playwright.sync_api import expect

    a2, b1 = served.names["a2"], served.names["b1"]
    log_in(desk)
    _patch_household(desk, served.url, a2, 5, "req-a2-members", difficulty="hardest")
    _patch_household(desk, served.url, b1, 6, "req-b1-members")
    made = desk.request.post(f"{served.url}/api/v1/users", headers={
        "Authorization": f"Bearer {_token(desk)}"}, data={
        "username": "audit.new", "role": "unit_admin", "unit_id": served.names["unit_a_id"],
        "password": factories.PASSWORD})
    assert made.status == 201, made.text()
    open_screen(desk, "审计")
    table = desk.locator("table.audit tbody tr")
    expect(table).to_have_count(3)
    expect(table.first).to_contain_text("新建")  # newest first: the account
    expect(table.first).to_contain_text("账号 audit.new")
    expect(table.first).to_contain_text("用户名：audit.new")
    expect(table.first).to_contain_text("单位管理员")  # the role's label, from the server
    expect(table.nth(1)).to_contain_text("修改")
    expect(table.nth(1)).to_contain_text("clerk")
    unfiltered = desk.url
    assert serious_violations(desk, axe_source) == []
    shot(desk, "15-audit")

    # Filter by the record: the form's choice goes to the address.
    desk.get_by_label("记录类型").select_option(label="农户")
    desk.get_by_label("记录编号").fill(str(a2))
    desk.get_by_role("button", name="查找").click()
    expect(table).to_have_count(1)
    assert f"record_type=household&record_id={a2}" in desk.url
    expect(table.first).to_contain_text("家庭人口：3 → 5")
    expect(table.first).to_contain_text("困难程度：难度较大 → 难度最大")  # the server's labels
    expect(table.first.get_by_role("link")).to_have_attribute("href", f"#/household?id={a2}")
    expect(table.first.get_by_role("link")).to_contain_text(served.names["a2_head"])
    # The same page, opened from its address in a new tab, is the same.
    again = desk.context.new_page()
    again.goto(desk.url)
    log_in(again)
    expect(again.locator("table.audit tbody tr")).to_have_count(1)
    expect(again.get_by_label("记录编号")).to_have_value(str(a2))
    again.close()

    # Back: the whole trail again.
    desk.go_back()
    assert desk.url == unfiltered
    expect(desk.get_by_label("记录编号")).to_have_value("")
    expect(table).to_have_count(3)

    # One request's changes, from a row.
    desk.get_by_role("button", name="只看请求 req-b1-members 的变更").click()
    expect(table).to_have_count(1)
    expect(table.first).to_contain_text("家庭人口：3 → 6")
    assert "request_id=req-b1-members" in desk.url
    expect(desk.get_by_label("请求编号")).to_have_value("req-b1-members")
    desk.go_back()

    # By who and when: the clerk's updates today; nothing before the world was built.
    today = clock.now().astimezone(CST).date()
    desk.get_by_label("操作人（用户名）").fill("clerk")
    desk.locator("select[name='action']").select_option(label="修改")
    desk.get_by_label("自").fill(today.isoformat())
    desk.get_by_label("至").fill(today.isoformat())
    desk.get_by_role("button", name="查找").click()
    expect(desk).to_have_url(re.compile(r"user_id=\d+"))
    expect(table).to_have_count(2)  # not the account's creation
    assert "action=update" in desk.url
    assert f"since={today.isoformat()}" in desk.url
    expect(desk.get_by_label("操作人（用户名）")).to_have_value("clerk")
    yesterday = (today - timedelta(days=1)).isoformat()
    desk.get_by_label("自").fill(yesterday)
    desk.get_by_label("至").fill(yesterday)
    desk.get_by_role("button", name="查找").click()
    expect(table).to_have_count(1)
    expect(table.first).to_contain_text("没有符合条件的记录。")
    # A username that is no account is said so.
    desk.get_by_label("操作人（用户名）").fill("nobody")
    desk.get_by_role("button", name="查找").click()
    expect(desk.get_by_role("alert")).to_have_text("没有用户名为“nobody”的账号。")


def test_a_unit_admin_and_an_inspector_read_the_trail_as_the_api_allows(desk, served, browser,
                                                                        clock, axe_source):
    from playwright.sync_api import expect

    a2, b1 = served.names["a2"], served.names["b1"]
    log_in(desk)
    _patch_household(desk, served.url, a2, 5, "req-a2")
    _patch_household(desk, served.url, b1, 6, "req-b1")
    admin_menu = menu(desk)
    assert "花名册导入" in admin_menu and "用户" in admin_menu

    with desk_at(browser, served.url, clock) as unit:
        log_in(unit, "unit_a")
        offered = menu(unit)
        assert "审计" in offered and "花名册导入" not in offered and "用户" not in offered
        open_screen(unit, "审计")
        trail = unit.locator("table.audit tbody tr")
        expect(trail).to_have_count(1)  # its unit's household; not unit B's
        expect(trail.first).to_contain_text("家庭人口：3 → 5")
        expect(unit.get_by_label("操作人（用户名）")).to_have_count(0)  # it cannot list accounts
        assert serious_violations(unit, axe_source) == []
        # Who: from the row.
        unit.get_by_role("button", name="只看 clerk 的操作").click()
        expect(unit.locator(".audit-chip")).to_contain_text("只看操作人：clerk")
        assert "user_id=" in unit.url
        # The screens it has no business on are not offered, even by address.
        unit.goto(f"{served.url}/office/#/users")
        expect(unit.get_by_role("heading", level=1)).not_to_have_text("用户")

    with desk_at(browser, served.url, clock) as inspector:
        log_in(inspector, "inspector")
        offered = menu(inspector)
        assert "审计" in offered and "花名册导入" not in offered and "用户" not in offered
        open_screen(inspector, "审计")
        expect(inspector.locator("table.audit tbody tr")).to_have_count(2)  # both units
        inspector.get_by_label("记录类型").select_option(label="农户")
        inspector.get_by_label("记录编号").fill(str(b1))
        inspector.get_by_role("button", name="查找").click()
        expect(inspector.locator("table.audit tbody tr")).to_have_count(1)
        expect(inspector.locator("table.audit tbody tr").first).to_contain_text("家庭人口：3 → 6")
        assert serious_violations(inspector, axe_source) == []
