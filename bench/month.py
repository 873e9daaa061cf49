"""A county's month at county scale (SPEC §15): the overview, and every village of a month
published in one call.

    .venv/bin/python bench/month.py [--reuse] [--db NAME] [--month 2026-10] [--runs 30]

Without --reuse, (re)creates the PostgreSQL database NAME (default `bench_month`; not
bench/load_county.py's `bench_county`, which other benchmarks rebuild) and loads the demo
county at bench/load_county.py's sizes (12 townships, 390 villages, 130 units, 10,000 cadres,
100,000 households, their visits from January to October 2026). With --reuse it keeps what is
there. Either way it then runs VACUUM (ANALYZE), as autovacuum would some time after a load.

Then, in-process with Flask's test client and the service's own time budget (REQUEST_SECONDS):

  - GET /api/v1/reports/overview?month= as the county admin (the county), with a township, and
    as a unit admin: p50 and p99 over --runs requests, and the statements each sent;
  - POST /api/v1/disclosures/months/{month} as the county admin: the time to publish every
    village of the month (the first month not yet published from --month on, so a rerun with
    --reuse publishes another), the villages published and any failed or pending; a second
    call (nothing new); GET …/months/{month}; and GET /api/v1/disclosures/{last}/verify over
    the whole chain.

Targets (SPEC §15): the overview <= 200 ms, 390 villages published <= 15 s. Prints figures and
PASS/MISS; asserts nothing.

Measured on 2 cores (a VM shared with other work) and PostgreSQL 15, a fresh load, month
2026-10 (387 of the 390 villages held by a unit that month): the county's overview p50 73 ms,
p99 88 ms (a township 56/66 ms, a unit admin's 34/52 ms), 10 statements; the month published
in 6.4 s (16.5 ms a village, 3,380 statements), a second call 10 ms, the status list 14 ms.
Under a load average of 4 (other test suites running) the same took 11–18 s and 109/163 ms.
"""

import argparse
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from service import create_app, migrate  # noqa: E402
from service.auth import issue_token  # noqa: E402
from service.context import Context, CountyClock  # noqa: E402
from service.db import make_engine  # noqa: E402
from service.demo import DemoSizes, load_demo, open_demo_accounts  # noqa: E402
from service.places.models import Township, Village  # noqa: E402
from service.users.models import User  # noqa: E402
from service.visits.models import Visit  # noqa: E402
from service.web import settings as web_settings  # noqa: E402

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
OVERVIEW_TARGET_MS, PUBLISH_TARGET_S = 200.0, 15.0
PASSWORD = "bench-password-1"


def url_of(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def build(name: str) -> str:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = url_of(name)
    migrate.upgrade(url)
    engine = make_engine(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40})
    with app.app_context():
        settings = web_settings()
    sizes = DemoSizes(townships=12, villages=390, units=130, cadres=10_000, households=100_000)
    t0 = time.perf_counter()
    with Session(engine) as session:
        ctx = Context(session, CountyClock(ZoneInfo("Asia/Shanghai")), settings)
        counts = load_demo(ctx, sizes, seed=2026, progress=False)
        open_demo_accounts(ctx, PASSWORD)
        session.commit()
    print(f"demo county loaded in {time.perf_counter() - t0:.1f} s: {counts['households']:,} "
          f"households, {counts['cadres']:,} cadres, {counts['pairings']:,} pairings")
    engine.dispose()
    return url


class Statements:
    """Counts the statements the app's engine sends."""

    def __init__(self, engine):
        self.n = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args):
        self.n += 1


def timed(client, headers, url, runs: int, statements: Statements) -> tuple[float, float, int]:
    times = []
    for _ in range(runs):
        before = statements.n
        t0 = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.get_json()
        sent = statements.n - before
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.99) - 1)], sent


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="bench_month")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    url = url_of(args.db) if args.reuse else build(args.db)
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        # As autovacuum leaves a table some time after a load: statistics, and the visibility
        # map that lets an index-only scan skip the heap (the month's direct visits).
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM (ANALYZE)"))
        print("PostgreSQL", conn.execute(text("SHOW server_version")).scalar())
    with Session(engine) as session:
        townships = session.scalar(select(func.count()).select_from(Township))
        villages = session.scalar(select(func.count()).select_from(Village))
        visits = session.scalar(select(func.count()).select_from(Visit))
        admin = session.scalar(select(User).where(User.username == "admin"))
        unit_admin = session.scalar(select(User).where(User.username == "unit1"))
        township_id = session.scalar(select(Township.id).order_by(Township.code).limit(1))
    print(f"county: {townships} townships, {villages} villages, {visits:,} visits")

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40,
                      "HEAVY_DIR": tempfile.mkdtemp(prefix="bench-month-")})
    logging.getLogger("service.requests").setLevel(logging.WARNING)  # one line per request
    statements = Statements(app.extensions["db"].engine)
    with app.test_request_context():
        admin_h = {"Authorization": f"Bearer {issue_token(admin)[0]}"}
        unit_h = {"Authorization": f"Bearer {issue_token(unit_admin)[0]}"}
    client = app.test_client()

    # The first month from --month on with no publication yet (a rerun publishes another).
    month = args.month
    while True:
        status = client.get(f"/api/v1/disclosures/months/{month}", headers=admin_h)
        assert status.status_code == 200, status.get_json()
        if status.get_json()["totals"]["published"] == 0:
            break
        year, number = (int(x) for x in month.split("-"))
        month = f"{year - (number == 1)}-{12 if number == 1 else number - 1:02d}"
    print(f"month: {month}")

    print(f"\nGET /api/v1/reports/overview?month={month} (target <= {OVERVIEW_TARGET_MS:.0f} ms)")
    for label, headers, query in [
            ("county admin, the county", admin_h, ""),
            ("county admin, one township", admin_h, f"&township_id={township_id}"),
            ("unit admin, its unit", unit_h, "")]:
        p50, p99, sent = timed(client, headers, f"/api/v1/reports/overview?month={month}{query}",
                               args.runs, statements)
        print(f"  {label:<28} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  {sent} statements  "
              f"{verdict(p99 <= OVERVIEW_TARGET_MS)}")

    print(f"\nPOST /api/v1/disclosures/months/{month} (target <= {PUBLISH_TARGET_S:.0f} s)")
    before = statements.n
    t0 = time.perf_counter()
    response = client.post(f"/api/v1/disclosures/months/{month}", headers=admin_h)
    elapsed = time.perf_counter() - t0
    body = response.get_json()
    assert response.status_code == 200, body
    published = len(body["published"])
    print(f"  published {published} villages in {elapsed:.2f} s "
          f"({elapsed / max(1, published) * 1000:.1f} ms a village, "
          f"{statements.n - before:,} statements); already {len(body['already'])}, "
          f"failed {len(body['failed'])}, pending {len(body['pending'])}  "
          f"{verdict(elapsed <= PUBLISH_TARGET_S and not body['pending'])}")
    t0 = time.perf_counter()
    again = client.post(f"/api/v1/disclosures/months/{month}", headers=admin_h).get_json()
    print(f"  a second call: {len(again['published'])} published, {len(again['already'])} "
          f"already, in {(time.perf_counter() - t0) * 1000:.0f} ms")
    p50, p99, sent = timed(client, admin_h, f"/api/v1/disclosures/months/{month}",
                           max(5, args.runs // 3), statements)
    print(f"  GET …/months/{month}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, {sent} statements")
    if body["published"]:
        last = max(p["disclosure_id"] for p in body["published"])
        t0 = time.perf_counter()
        verified = client.get(f"/api/v1/disclosures/{last}/verify").get_json()
        print(f"  chain verified up to {last}: valid={verified['valid']}, "
              f"{verified['checked']} publications checked in "
              f"{(time.perf_counter() - t0) * 1000:.0f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
