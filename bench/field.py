"""The field client's budgets (issue 16), measured in Debian's chromium against the service
under gunicorn on a small demo county:

    .venv/bin/python bench/field.py

1. the app shell: bytes of HTML, JS and CSS a phone fetches on its first visit (uncompressed);
2. first load on emulated slow 3G (400 kbit/s both ways, 400 ms round trip, through the
   DevTools protocol): from navigation to the login form ready for typing; then a reload,
   served by the service worker;
3. a 100-visit outbox: saved offline with the app's own module, then one press of 同步:
   how many requests it took and how long until `待同步 0`.

Budgets: shell ≤ 150 KB, interactive ≤ 5 s on slow 3G, 100 visits in one request. Prints the
figures; asserts nothing.
"""

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, serving  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1000 / 8,
           "uploadThroughput": 400 * 1000 / 8}
PASSWORD = "demo-pass-2026"


def flask(env: dict, cwd: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "service", *args], cwd=cwd, env=env,
                   check=True, capture_output=True)


def main() -> None:
    if CHROMIUM is None:
        sys.exit("needs Debian's chromium: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import expect, sync_playwright

    version = subprocess.run([CHROMIUM, "--version"], text=True, capture_output=True).stdout
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {version.strip()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{work / 'field.db'}",
               "SECRET_KEY": "bench-field-" + "k" * 40, "WEB_CONCURRENCY": "2",
               "PYTHONPATH": str(ROOT)}
        flask(env, work, "db-upgrade")
        flask(env, work, "demo-data", "--households", "300", "--cadres", "200", "--quiet")
        port = free_port()
        demo = [sys.executable, "-m", "flask", "--app", "service", "serve-demo",
                "--port", str(port)]
        with serving(demo, work, env, port), sync_playwright() as playwright:
            base = f"http://127.0.0.1:{port}"
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--no-first-run"])
            context = browser.new_context(viewport={"width": 360, "height": 740},
                                          is_mobile=True, has_touch=True, locale="zh-CN",
                                          timezone_id="Asia/Shanghai")
            page = context.new_page()
            fetched: dict[str, tuple[str, int]] = {}

            def count(response):
                path = response.url.removeprefix(base)
                if path.startswith("/field/") and response.status == 200:
                    kind = "html" if path == "/field/" else path.rsplit(".", 1)[-1]
                    fetched[path] = (kind, len(response.body()))

            page.on("response", count)
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
            start = time.perf_counter()
            page.goto(f"{base}/field/")
            field = page.get_by_label("用户名")
            expect(field).to_be_editable(timeout=60_000)
            first = time.perf_counter() - start
            page.wait_for_timeout(2000)  # the service worker's own fetches
            shell = [size for kind, size in fetched.values() if kind in ("html", "js", "css")]
            print(f"app shell: {sum(shell) / 1000:.1f} KB of HTML, JS and CSS in {len(shell)} "
                  f"files; with the manifest and icon "
                  f"{sum(s for _, s in fetched.values()) / 1000:.1f} KB")
            print(f"first load on slow 3G (400 kbit/s, 400 ms RTT): login form ready in "
                  f"{first:.2f} s")
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            start = time.perf_counter()
            page.reload()
            expect(page.get_by_label("用户名")).to_be_editable(timeout=60_000)
            print(f"reload on slow 3G (service worker): login form ready in "
                  f"{time.perf_counter() - start:.2f} s")

            cdp.send("Network.emulateNetworkConditions", {**SLOW_3G, "latency": 0,
                                                           "downloadThroughput": -1,
                                                           "uploadThroughput": -1})
            page.get_by_label("用户名").fill("cadre1")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.get_by_role("heading", name="我的联系户").wait_for()
            household = int(page.locator("[data-household]").first.get_attribute(
                "data-household"))
            context.set_offline(True)
            page.evaluate("""async (householdId) => {
                const outbox = await import('/field/outbox.js');
                for (let i = 0; i < 100; i++) {
                    await outbox.keep('cadre1', {
                        id: outbox.uuid(), household_id: householdId, kind: 'home_visit',
                        visited_at: new Date(Date.now() - (100 - i) * 60000).toISOString(),
                        diary: '走访记录 ' + i + '：' + '了解生产生活情况，'.repeat(20),
                        help_given: '宣传政策'});
                }
            }""", household)
            page.reload()
            expect(page.locator("#pending")).to_have_text("待同步 100")
            batches = []
            page.on("request", lambda r: batches.append(r.url)
                    if r.url.endswith("/api/v1/visits/batch") else None)
            start = time.perf_counter()
            context.set_offline(False)  # back online: the app sends at once (同步 too)
            page.get_by_role("button", name="同步", exact=True).click()
            expect(page.locator("#pending")).to_have_text("待同步 0", timeout=60_000)
            print(f"100-visit outbox: sent in {len(batches)} request(s), "
                  f"待同步 0 after {time.perf_counter() - start:.2f} s; "
                  f"{page.locator('#notice').inner_text()}")
            browser.close()


if __name__ == "__main__":
    main()
