"""The county office console (/office/, SPEC §16) in Chromium at 1366 × 768, as a clerk uses it:
log in, find households by village, name or ID-number fragment, sort and page on the server
with the address keeping the state (the back button goes back), a unit admin seeing only its
unit, a session that expires asking for the password over the page and keeping it. axe-core
(pinned in clients/office) checks every screen: no critical or serious violation.

Playwright drives Debian's chromium, as the field client's tests do."""

import pytest

from tests import factories
from tests.browser.office import (MARKS, clerk_world, desk_at, log_in, open_screen, rows,
                                  serious_violations, serve, shot)

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
