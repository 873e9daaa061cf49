"""What the console's browser tests share (SPEC §16): the service on a free port over a world
a test builds, a desktop page at 1366 × 768 whose clock is the service's, and the few moves
every screen's test makes (log in, open a screen from the menu, read a table, run axe-core,
take a screenshot into test-artifacts/office/).

axe-core comes from clients/office (pinned in its lock file); the `axe_source` fixture is in
tests/browser/conftest.py."""

import contextlib
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from service import create_app, migrate
from service.db import make_engine
from tests import factories
from tests.browser.test_field_client import needs_chromium
from tests.clock import WORLD_BUILT

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "office"
OFFICE = Path(__file__).resolve().parents[2] / "clients" / "office"
NPM = shutil.which("npm")
if NPM is None and os.environ.get("REQUIRE_NODE") == "1":
    raise RuntimeError("REQUIRE_NODE=1 but there is no npm: axe-core comes from the npm registry")

# Every console test module starts with these marks.
MARKS = [
    pytest.mark.slow,  # independent of the date: not in .ci/run's date passes
    pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                       reason="runs once, in the SQLite pass (its service has a database "
                              "of its own)"),
    needs_chromium,
]


@dataclass
class Served:
    """The running service: its address, its database and what the world's builder named."""
    url: str
    engine: object
    names: dict = field(default_factory=dict)


@contextlib.contextmanager
def serve(tmp_path, clock, build: Callable[[Session], dict]) -> Iterator[Served]:
    """The service on a free port over a new SQLite database that `build` fills (at the
    world's date; it commits; what it returns is `Served.names`). Logins use
    factories.PASSWORD."""
    url = f"sqlite:///{tmp_path / 'office.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, clock.at(WORLD_BUILT):
        names = build(session)
        session.commit()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "office-test-" + "k" * 40,
                      "PASSWORD_HASH_FAST": True, "TOKEN_TTL_SECONDS": 3600,
                      "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'limits.sqlite'}"})
    server = make_server("127.0.0.1", 0, app.wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_port}", engine, names or {})
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["db"].engine.dispose()
        engine.dispose()


@contextlib.contextmanager
def desk_at(browser, url: str, clock) -> Iterator:
    """A desktop page at 1366 × 768 with the console open, the browser's clock at the
    service's (CSP bypassed only so that the test can add axe-core to the page), downloads
    accepted."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", bypass_csp=True,
                                  accept_downloads=True)
    context.clock.install(time=clock.now())
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{url}/office/")
    try:
        yield page
    finally:
        context.close()


def log_in(page, username: str = "clerk") -> None:
    """Log in from the login page (waiting for it: after 退出 the screen goes first)."""
    form = page.locator("main.login")
    form.wait_for()
    form.get_by_label("用户名").fill(username)
    form.get_by_label("密码").fill(factories.PASSWORD)
    form.get_by_role("button", name="登录").click()
    page.locator("#screen-title").wait_for()


def open_screen(page, title: str) -> None:
    """Open a screen from the menu and wait until it has loaded."""
    from playwright.sync_api import expect

    page.get_by_role("navigation", name="功能").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title, level=1).wait_for()
    expect(page.locator("#screen .loading")).to_have_count(0)


def menu(page) -> list[str]:
    """The screens the menu offers."""
    return page.get_by_role("navigation", name="功能").get_by_role("link").all_inner_texts()


def rows(page, table: str = "table.data") -> list[str]:
    """The first cell of each row of a table (waiting for the screen to have its answer and
    the table its first row)."""
    page.locator("main#screen:not([aria-busy])").wait_for()
    page.locator(f"{table} tbody tr").first.wait_for()
    return page.locator(f"{table} tbody tr td:first-child").all_inner_texts()


def serious_violations(page, axe_source: str) -> list[str]:
    """axe-core's critical and serious violations on the page as it is."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("critical", "serious")]


def shot(page, name: str) -> None:
    """A full-page screenshot in test-artifacts/office/NAME.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def clerk_world(session: Session) -> dict:
    """The small world (units A and B, villages a and b, cadres a1 a2 b1, households a1 a2 b1,
    one of each role) with the console's logins: `clerk` (county admin), `unit_a` (unit A's
    admin) and `inspector`."""
    world = factories.small_world(session)
    factories.user(session, "county_admin", username="clerk")
    factories.user(session, "unit_admin", unit_=world.units["a"], username="unit_a")
    factories.user(session, "inspector", username="inspector")
    return {"world": world, "village_a": world.villages["a"].name,
            "village_b": world.villages["b"].name}
