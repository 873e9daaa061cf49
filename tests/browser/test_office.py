"""The county office console (/office/, SPEC §16) in Chromium at 1366 × 768, as a clerk uses it:
log in, find households by village, name or ID-number fragment, sort and page on the server
with the address keeping the state (the back button goes back), a unit admin seeing only its
unit, a session that expires asking for the password over the page and keeping it. axe-core
(pinned in clients/office) checks every screen: no critical or serious violation.

Playwright drives Debian's chromium, as the field client's tests do."""

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from service import create_app, migrate
from service.db import make_engine
from tests import factories
from tests.browser.test_field_client import needs_chromium
from tests.clock import WORLD_BUILT

pytestmark = [
    pytest.mark.slow,  # independent of the date: not in .ci/run's date passes
    pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                       reason="runs once, in the SQLite pass (its service has a database "
                              "of its own)"),
    needs_chromium,
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "office"
OFFICE = Path(__file__).resolve().parents[2] / "clients" / "office"
NPM = shutil.which("npm")
if NPM is None and os.environ.get("REQUIRE_NODE") == "1":
    raise RuntimeError("REQUIRE_NODE=1 but there is no npm: axe-core comes from the npm registry")


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core, as pinned in clients/office's lock file."""
    script = OFFICE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        if NPM is None:
            pytest.skip("axe-core comes from the npm registry: install Node.js and npm")
        subprocess.run([NPM, "ci", "--no-audit", "--no-fund"], cwd=OFFICE, check=True,
                       capture_output=True, timeout=300)
    return script.read_text()


@pytest.fixture
def served(tmp_path, clock):
    """The service on a free port: the small world, its county admin `clerk` and unit A's admin
    `unit_a`, and households to find (张德福 in village a, with an ID number to search by)."""
    url = f"sqlite:///{tmp_path / 'office.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        with clock.at(WORLD_BUILT):
            world = factories.small_world(session)
            found = factories.household(session, world.villages["a"], head_name="张德福",
                                        id_number=factories.valid_id_number(424242),
                                        difficulty="harder")
            for n in range(60):
                factories.household(session, world.villages["b"], head_name=f"王{n:02d}")
            factories.user(session, "county_admin", username="clerk")
            factories.user(session, "unit_admin", unit_=world.units["a"], username="unit_a")
            session.commit()
        names = {"village_a": world.villages["a"].name, "village_b": world.villages["b"].name,
                 "id_number": found.id_number}
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "office-test-" + "k" * 40,
                      "PASSWORD_HASH_FAST": True, "TOKEN_TTL_SECONDS": 3600,
                      "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'limits.sqlite'}"})
    server = make_server("127.0.0.1", 0, app.wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", names
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["db"].engine.dispose()
    engine.dispose()


@pytest.fixture
def desk(browser, served, clock):
    """A desktop page at 1366 × 768 with the console open, the browser's clock at the
    service's (CSP bypassed only so that the test can add axe-core to the page)."""
    url, _ = served
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", bypass_csp=True)
    context.clock.install(time=clock.now())
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{url}/office/")
    yield page
    context.close()


def log_in(page, username: str = "clerk") -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator("#screen-title").wait_for()


def open_screen(page, title: str) -> None:
    page.get_by_role("navigation", name="功能").get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title, level=1).wait_for()


def rows(page) -> list[str]:
    page.locator("table.data tbody tr").first.wait_for()
    return page.locator("table.data tbody tr td:first-child").all_inner_texts()


def serious_violations(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in result["violations"]
            if v["impact"] in ("critical", "serious")]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


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
