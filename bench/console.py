"""What a county office console asks of the API (SPEC §15), timed at county scale: household
search by name, ID-number fragment and phone fragment; a 500-row page of every list with the
names a table shows; sorted pages. Through the real app (Flask test client, no HTTP server) on
PostgreSQL.

    .venv/bin/python bench/console.py                 # loads a fresh `bench_console` (≈1 min)
    .venv/bin/python bench/console.py --url postgresql+psycopg://postgres@127.0.0.1/bench_county

Prints figures; asserts only that every request answered 200.

Measured on 2 cores (a VM) and PostgreSQL 15, nothing else running, a fresh load (100,000
households, 277,888 visits), 20 requests each, p50 / p95 in ms. Targets (SPEC §15): a search
<= 100 ms p95, a 500-row page with its names <= 150 ms.
  search, county admin: a surname 56 / 84, a full name 16 / 87, 6 digits of an ID number
  22 / 24, its last 4 23 / 89, 8 digits of a phone 26 / 28; a unit admin: 6–10 / 6–12.
  a 500-row page: households 53 / 61 (162 KB), pairings 49 / 56, tasks 46 / 53, demands
  55 / 66 (306 KB), visits 120 / 146 (the count of 278k visits and a sort no index serves),
  cadres 27 / 34, audit 24 / 129, disclosures 37 / 40.
  100 rows sorted: households by village_name,head_name 195 / 204 (a name looked up for each
  of 100,000 rows), by -updated_at 59 / 71; pairings by cadre_name 19 / 22; cadres by
  unit_name,name 71 / 77.
"""

import argparse
import logging
import os
import platform
import random
import statistics
import sys
import time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.load_county import fresh_database  # noqa: E402
from service import create_app, migrate  # noqa: E402
from service.auth import issue_token  # noqa: E402
from service.context import Context, CountyClock  # noqa: E402
from service.db import make_engine  # noqa: E402
from service.demo import DemoSizes, load_demo, open_demo_accounts  # noqa: E402
from service.households.models import Household  # noqa: E402
from service.users.models import User  # noqa: E402
from service.web import settings as web_settings  # noqa: E402

LISTS = ("households", "pairings", "tasks", "demands", "visits", "cadres", "users", "audit",
         "village-assignments", "villages", "units", "pairing-plans", "disclosures")


def load(url: str, households: int, cadres: int) -> None:
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40})
    with app.app_context():
        settings = web_settings()
    engine = make_engine(url)
    with Session(engine) as session:
        ctx = Context(session, CountyClock(ZoneInfo("Asia/Shanghai")), settings)
        t0 = time.perf_counter()
        counts = load_demo(ctx, DemoSizes(townships=12, villages=390, units=130, cadres=cadres,
                                          households=households), seed=2026, progress=False)
        open_demo_accounts(ctx, "bench-password-1")
        print(f"loaded {counts['households']:,} households, {counts['visits']:,} visits in "
              f"{time.perf_counter() - t0:.0f} s")
    engine.dispose()


def timed(client, headers, url: str, n: int) -> tuple[float, float, int]:
    """p50 and p95 in ms of `n` GETs of url, and the size of the last answer in bytes."""
    times, size = [], 0
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.json)
        size = len(response.data)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--cadres", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    url = args.url
    if url is None:
        url = fresh_database("bench_console")
        load(url, args.households, args.cadres)
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40})
    logging.getLogger("service.requests").setLevel(logging.WARNING)  # a line per request
    engine = make_engine(url)
    with Session(engine) as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        unit_admin = session.scalar(select(User).where(User.username == "unit1"))
        sample = session.execute(select(Household.head_name, Household.id_number,
                                        Household.phone).where(Household.phone.is_not(None))
                                 .order_by(Household.id).limit(5000)).all()
    engine.dispose()
    with app.test_request_context():
        tokens = {"county admin": issue_token(admin)[0], "unit admin": issue_token(unit_admin)[0]}
    client = app.test_client()
    rng = random.Random(7)

    print(f"\nhousehold search, {args.repeat} different fragments each (p50 / p95 ms, bytes):")
    for role, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"}
        for label, pick in (("surname", lambda r: r.head_name[:1]),
                            ("full name", lambda r: r.head_name),
                            ("ID fragment (6)", lambda r: r.id_number[8:14]),
                            ("ID fragment (4)", lambda r: r.id_number[-4:]),
                            ("phone fragment (8)", lambda r: r.phone[-8:])):
            times = []
            for row in rng.sample(sample, args.repeat):
                p50, _, size = timed(client, headers, f"/api/v1/households?q={pick(row)}", 1)
                times.append(p50)
            times.sort()
            print(f"  {role:<12} {label:<20} p50 {statistics.median(times):6.1f}  "
                  f"p95 {times[max(0, int(len(times) * 0.95) - 1)]:6.1f}")

    print(f"\na 500-row page of each list with its names, county admin, {args.repeat} times "
          "(p50 / p95 ms, bytes):")
    headers = {"Authorization": f"Bearer {tokens['county admin']}"}
    for name in LISTS:
        p50, p95, size = timed(client, headers, f"/api/v1/{name}?per_page=500", args.repeat)
        print(f"  {name:<22} p50 {p50:6.1f}  p95 {p95:6.1f}  {size / 1024:7.0f} KB")

    print("\nsorted pages (100 rows), county admin:")
    for path in ("households?sort=village_name,head_name", "households?sort=-updated_at",
                 "pairings?sort=cadre_name", "visits?sort=-visited_at",
                 "tasks?sort=due_on&overdue=true", "demands?sort=opened_at&overdue=true",
                 "cadres?sort=unit_name,name"):
        p50, p95, _ = timed(client, headers, f"/api/v1/{path}&per_page=100", args.repeat)
        print(f"  {path:<40} p50 {p50:6.1f}  p95 {p95:6.1f}")


if __name__ == "__main__":
    main()
