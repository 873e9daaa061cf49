"""What the browser tests share: one Debian chromium per test module, driven by Playwright,
and axe-core from clients/office for the accessibility checks."""

import subprocess

import pytest

from tests.browser.test_field_client import CHROMIUM


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core, as pinned in clients/office's lock file."""
    from tests.browser.office import NPM, OFFICE

    script = OFFICE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        if NPM is None:
            pytest.skip("axe-core comes from the npm registry: install Node.js and npm")
        subprocess.run([NPM, "ci", "--no-audit", "--no-fund"], cwd=OFFICE, check=True,
                       capture_output=True, timeout=300)
    return script.read_text()
