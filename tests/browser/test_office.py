"""The county office console (/office/, SPEC §16) in Chromium at 1366 × 768, as a clerk uses it:
log in, find households by village, name or ID-number fragment, sort and page on the server
with the address keeping the state (the back button goes back), a unit admin seeing only its
unit, a session that expires asking for the password over the page and keeping it. axe-core
(pinned in clients/office) checks every screen: no critical or serious violation.

Playwright drives Debian's chromium, as the field client's tests do."""

import pytest

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

pytestmark = MARKS


def _world(session) -> dict:
    """The clerk's world and households to find (张德福 in village a, with an ID number to
    search by; sixty more in village b)."""
    names = clerk_world(session)
    world = names["world"]
    found = factories.household(session, world.villages["a"], head_name="张德福",
                                id_number=factories.valid_id_number(424242),
                                difficulty="harder")
    for n in range(60):
        factories.household(session, world.villages["b"], head_name=f"王{n:02d}")
    return {**names, "id_number": found.id_number}


@pytest.fixture
def served(tmp_path, clock):
    with serve(tmp_path, clock, _world) as running:
        yield running.url, running.names


@pytest.fixture
def desk(browser, served, clock):
    with desk_at(browser, served[0], clock) as page:
        yield page


def test_a_clerk_finds_sorts_and_pages_households_and_the_address_keeps_it(
        desk, served, axe_source):
    from playwright.sync_api import expect

    _, names = served
    assert serious_violations(desk, axe_source) == []  # the login
    shot(desk, "1-login")
    log_in(desk)
    expect(desk.locator(".who")).to_contain_text("clerk（县级管理员）")  # the role's label
    open_screen(desk, "农户")
    expect(desk.get_by_text("正在加载…")).to_have_count(0)
    assert len(rows(desk)) == 50
    expect(desk.get_by_role("status").last).to_contain_text("共 64 户")
    assert serious_violations(desk, axe_source) == []
    shot(desk, "3-households")
    # Search by a fragment of the ID number: one household, named with its village and cadre.
    desk.get_by_label("户主姓名、身份证号或电话").fill(names["id_number"][:8])
    desk.get_by_role("button", name="查找").click()
    expect(desk.locator("table.data tbody tr")).to_have_count(1)
    expect(desk.locator("table.data tbody tr")).to_contain_text("张德福")
    expect(desk.locator("table.data tbody tr")).to_contain_text(names["village_a"])
    expect(desk.locator("table.data tbody tr")).to_contain_text("未包联")
    assert names["id_number"][:8] in desk.url  # the search is in the address
    # Back to every household; sort by the head's name, descending on a second click.
    desk.go_back()
    expect(desk.locator("table.data tbody tr")).to_have_count(50)
    desk.get_by_role("button", name="户主").click()
    expect(desk.locator("th[aria-sort='ascending']")).to_have_count(1)
    desk.get_by_role("button", name="户主").click()
    expect(desk.locator("th[aria-sort='descending']")).to_have_count(1)
    heads = rows(desk)
    assert heads == sorted(heads, reverse=True)
    assert "sort=-head_name" in desk.url
    desk.get_by_role("button", name="下一页").click()
    expect(desk.get_by_role("status").last).to_contain_text("第 2 / 2 页")
    second = rows(desk)
    assert len(second) == 14 and not set(second) & set(heads)
    # A link to this page, opened in a new tab (which logs in on its own), opens it as it is.
    again = desk.context.new_page()
    again.goto(desk.url)
    log_in(again)
    expect(again.get_by_role("status").last).to_contain_text("第 2 / 2 页")
    again.close()
    # Filter by village from the picker.
    desk.get_by_label("村").select_option(label=names["village_a"])
    desk.get_by_role("button", name="查找").click()
    expect(desk.get_by_role("status").last).to_contain_text("共 3 户")


def test_the_first_screen_shows_the_months_figures_and_what_waits(desk, served, axe_source):
    """首页: this month's and last month's overview, the villages last month still lacks
    (no village of the small world is published), the last bulletin's units."""
    from playwright.sync_api import expect

    log_in(desk)
    expect(desk.get_by_role("heading", name="首页", level=1)).to_be_visible()
    figures = desk.locator("table.figures")
    expect(figures.get_by_role("row", name="有帮扶需求的农户")).to_contain_text("64")
    expect(figures.get_by_role("row", name="村 2 2", exact=True)).to_be_visible()
    expect(desk.get_by_role("heading", name="上月尚未公示的村：2 个")).to_be_visible()
    bulletin = desk.locator("section", has=desk.get_by_role("heading", name="上月情况通报"))
    expect(bulletin.locator("tbody tr")).to_have_count(2)  # two units
    assert serious_violations(desk, axe_source) == []
    shot(desk, "2-home")


def test_a_unit_admin_sees_its_own_units_households_only(desk, served):
    from playwright.sync_api import expect

    _, names = served
    log_in(desk, "unit_a")
    expect(desk.locator(".who")).to_contain_text("单位管理员")
    open_screen(desk, "农户")
    expect(desk.get_by_role("status").last).to_contain_text("共 3 户")
    assert names["village_b"] not in desk.locator("table.data").inner_text()
    options = desk.get_by_label("村").locator("option").all_inner_texts()
    assert options == ["全部", names["village_a"]]


def test_an_expired_session_asks_for_the_password_and_keeps_the_page(desk, served):
    from playwright.sync_api import expect

    log_in(desk)
    open_screen(desk, "农户")
    desk.get_by_role("button", name="困难程度").click()  # sorted: the address holds it
    expect(desk.locator("th[aria-sort='ascending']")).to_have_count(1)
    kept = desk.url
    # The token is revoked (as when it runs out): the next request hears 401.
    desk.evaluate("sessionStorage.setItem('office.token', 'expired')")
    desk.get_by_role("button", name="下一页").click()
    dialog = desk.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("登录已过期，请重新登录")
    dialog.get_by_label("密码").fill(factories.PASSWORD)
    dialog.get_by_role("button", name="登录").click()
    expect(dialog).to_have_count(0)
    expect(desk.get_by_role("status").last).to_contain_text("第 2 / 2 页")
    assert desk.url != kept and "sort=difficulty" in desk.url


def test_a_wrong_password_is_told_in_the_servers_words(desk, served):
    from playwright.sync_api import expect

    desk.get_by_label("用户名").fill("clerk")
    desk.get_by_label("密码").fill("not-the-password")
    desk.get_by_role("button", name="登录").click()
    alert = desk.get_by_role("alert")
    expect(alert).not_to_be_empty()
    text = alert.inner_text()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text  # Chinese, from the server


def focused(page) -> str:
    """What has the keyboard's focus: its tag, and its label or text."""
    return page.evaluate("""() => { const e = document.activeElement;
        const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
        return `${e.tagName.toLowerCase()}:${(label || e.innerText || e.value || '').trim()}`; }""")


def tab_to(page, wanted: str, limit: int = 60) -> None:
    """Press Tab until the focus is on `wanted` (as focused() says it, by its start)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page).startswith(wanted):
            return
    raise AssertionError(f"Tab never reached {wanted}; last: {focused(page)}")


def test_the_main_path_by_keyboard_alone(desk, served):
    """Log in, open 农户 from the menu, search, sort and page, with Tab, Enter and Space only:
    every control is reached in order and answers the keyboard."""
    from playwright.sync_api import expect

    _, names = served
    tab_to(desk, "input:用户名")
    desk.keyboard.type("clerk")
    desk.keyboard.press("Tab")
    desk.keyboard.type(factories.PASSWORD)
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("heading", name="首页", level=1)).to_be_visible()
    expect(desk.locator("#screen-title")).to_be_focused()  # a new screen starts at its title
    tab_to(desk, "a:农户")
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("heading", name="农户", level=1)).to_be_visible()
    expect(desk.get_by_role("status").last).to_contain_text("共 64 户")
    tab_to(desk, "input:户主姓名、身份证号或电话")
    desk.keyboard.type("张德")
    desk.keyboard.press("Enter")
    expect(desk.locator("table.data tbody tr")).to_have_count(1)
    tab_to(desk, "input:户主姓名、身份证号或电话")  # the form was drawn again: Tab back to it
    desk.keyboard.press("Control+A")
    desk.keyboard.press("Backspace")
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("status").last).to_contain_text("共 64 户")
    tab_to(desk, "button:户主")
    desk.keyboard.press("Space")
    expect(desk.locator("th[aria-sort='ascending']")).to_have_count(1)
    assert focused(desk).startswith("button:户主")  # sorted in place: the focus stays
    tab_to(desk, "button:下一页")
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("status").last).to_contain_text("第 2 / 2 页")
    assert names["village_a"]  # the world is the one the other tests use


def test_each_role_is_offered_only_what_it_may_do(desk, served):
    """The menu is the role's: a unit admin gets no county-only screen (roster import, users),
    an inspector neither those nor the planner, handover, evaluation or cards."""
    from tests.browser.office import menu

    log_in(desk, "unit_a")
    assert menu(desk) == ["首页", "农户", "两个全覆盖", "包联方案", "交接", "逾期", "每月公示",
                          "情况通报", "年度考核", "连心卡", "审计"]
    desk.get_by_role("button", name="退出").click()
    log_in(desk, "inspector")
    assert menu(desk) == ["首页", "农户", "两个全覆盖", "逾期", "每月公示", "情况通报", "审计"]
    # A county-only screen asked for by its address shows the first screen instead.
    desk.goto(desk.url.split("#")[0] + "#/users")
    desk.get_by_role("heading", name="首页", level=1).wait_for()
    desk.get_by_role("button", name="退出").click()
    log_in(desk, "clerk")
    assert "用户" in menu(desk) and "花名册导入" in menu(desk)


def test_many_requests_that_hear_401_at_once_ask_for_the_password_once(desk, served):
    """首页 asks four things at once: with the session gone, one prompt, and after the password
    every answer comes and the screen shows."""
    from playwright.sync_api import expect

    log_in(desk)
    open_screen(desk, "农户")
    desk.evaluate("sessionStorage.setItem('office.token', 'expired')")
    desk.get_by_role("navigation", name="功能").get_by_role("link", name="首页").click()
    dialog = desk.get_by_role("dialog")
    expect(dialog).to_have_count(1)
    dialog.get_by_label("密码").fill(factories.PASSWORD)
    dialog.get_by_role("button", name="登录").click()
    expect(dialog).to_have_count(0)
    expect(desk.locator("table.figures").first).to_contain_text("有帮扶需求的农户")
    expect(desk.get_by_role("heading", name="首页", level=1)).to_be_visible()


def test_escape_at_the_password_prompt_logs_out_and_leaves_nothing_behind(desk, served):
    """Escape (or 退出) at the prompt ends the session; 退出 starts the page afresh, so the
    next user does not find the last one's search in the address."""
    from playwright.sync_api import expect

    _, names = served
    log_in(desk)
    open_screen(desk, "农户")
    desk.get_by_label("户主姓名、身份证号或电话").fill(names["id_number"][:8])
    desk.get_by_role("button", name="查找").click()
    expect(desk.locator("table.data tbody tr")).to_have_count(1)
    desk.evaluate("sessionStorage.setItem('office.token', 'expired')")
    desk.get_by_role("button", name="户主").click()
    expect(desk.get_by_role("dialog")).to_be_visible()
    desk.keyboard.press("Escape")
    expect(desk.locator("main.login")).to_be_visible()
    assert names["id_number"][:8] not in desk.url and "#" not in desk.url
    assert desk.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('office.'))") == []
    log_in(desk, "unit_a")
    expect(desk.get_by_role("heading", name="首页", level=1)).to_be_visible()


def test_a_proxys_error_page_is_told_in_chinese_not_shown_as_html(desk, served):
    from playwright.sync_api import expect

    log_in(desk)
    desk.route("**/api/v1/households?*", lambda route: route.fulfill(
        status=504, content_type="text/html",
        body="<html><head><title>504 Gateway Time-out</title></head></html>"))
    open_screen(desk, "农户")
    alert = desk.get_by_role("alert")
    expect(alert).to_contain_text("服务器暂时无法处理这个请求（HTTP 504），请稍后重试。")
    expect(alert).not_to_contain_text("Gateway")
