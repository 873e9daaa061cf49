"""The interactive API page works in a real browser (SPEC §4, §9): /docs loads with no internet,
and "Try it out" sends the monthly disclosure for a village and month=2026-10 — Swagger UI
validates parameters with the spec's patterns as JavaScript regular expressions, so a Python-only
pattern (`\\A…\\Z`) would keep the button from sending anything.

Playwright drives Debian's chromium (`apt-get install -y chromium`); the app is served by a real
HTTP server on a database of its own, with one township, village and unit in it."""

import shutil
import threading

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from service import create_app, migrate
from service.db import make_engine
from tests import factories
from tests.clock import WORLD_BUILT

pytestmark = pytest.mark.slow  # and independent of the date: not in .ci/run's date passes

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def served(tmp_path, clock):
    clock.set("2026-11-23T10:00:00+08:00")  # October is a finished month
    url = f"sqlite:///{tmp_path / 'docs.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        with clock.at(WORLD_BUILT):
            township = factories.township(session)
            village = factories.village(session, township)
            factories.assign(session, factories.unit(session), village)
            session.commit()
        village_id = village.id
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "docs-test-" + "k" * 40})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", village_id
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["db"].engine.dispose()


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium: apt-get install chromium")
def test_try_it_out_runs_the_disclosure_for_a_month(served):
    from playwright.sync_api import sync_playwright

    base, village_id = served
    outside = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            page.on("request", lambda r: outside.append(r.url)
                    if not r.url.startswith(base) else None)
            page.goto(f"{base}/docs")
            operation = page.locator("#operations-reports-getDisclosureReport")
            operation.locator(".opblock-summary").click()
            operation.locator("button.try-out__btn").click()
            operation.locator("input[placeholder='village_id']").fill(str(village_id))
            operation.locator("input[placeholder='month']").fill("2026-10")
            operation.locator("button.execute").click()
            status = operation.locator(".live-responses-table .response .response-col_status").first
            status.wait_for(timeout=20_000)
            assert status.inner_text().strip() == "200"
            body = operation.locator(".live-responses-table .microlight").first.inner_text()
            assert '"month": "2026-10"' in body and "双包双联每月公示" in body
            # A month that is not YYYY-MM is stopped by the page itself, from the spec's pattern.
            operation.locator("input[placeholder='month']").fill("2026-1")
            operation.locator("button.execute").click()
            assert operation.locator("input[placeholder='month'].invalid").count() == 1
        finally:
            browser.close()
    assert outside == []  # no asset from the internet
