"""Load a county-scale demo (100,000 households, 10,000 cadres) into a fresh database and
time it, then time a few list requests against it through the real app.

    .venv/bin/python bench/load_county.py [--url postgresql+psycopg://postgres@127.0.0.1/bench_county]

With no --url a database `bench_county` is (re)created on the local PostgreSQL.
Prints figures; asserts nothing.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import func, select
from sqlalchemy.orm import Session

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from service import create_app, migrate  # noqa: E402
from service.auth import issue_token  # noqa: E402
from service.context import Context, CountyClock  # noqa: E402
from service.db import make_engine  # noqa: E402
from service.demo import DemoSizes, load_demo, open_demo_accounts  # noqa: E402
from service.households.models import Household  # noqa: E402
from service.users.models import User  # noqa: E402
from service.web import settings as web_settings  # noqa: E402

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def fresh_database(name: str) -> str:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def timed_requests(app, token, url, n=30) -> tuple[float, float]:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.json
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--cadres", type=int, default=10_000)
    args = parser.parse_args()
    url = args.url or fresh_database("bench_county")
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    t0 = time.perf_counter()
    migrate.upgrade(url)
    print(f"migrate to head: {time.perf_counter() - t0:.2f} s")

    engine = make_engine(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40})
    with app.app_context():
        settings = web_settings()
    sizes = DemoSizes(townships=12, villages=390, units=130, cadres=args.cadres,
                      households=args.households)
    with Session(engine) as session:
        ctx = Context(session, CountyClock(ZoneInfo("Asia/Shanghai")), settings)
        t0 = time.perf_counter()
        counts = load_demo(ctx, sizes, seed=2026, progress=False)
        elapsed = time.perf_counter() - t0
        rows = sum(counts.values()) + session.scalar(select(func.count()).select_from(
            Household.need_rows.property.mapper.class_))
        print(f"demo-data {counts['households']:,} households, {counts['cadres']:,} cadres, "
              f"{counts['pairings']:,} pairings, {counts['tasks']:,} tasks, {counts['demands']:,} "
              f"demands: {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s)")
        open_demo_accounts(ctx, "bench-password-1")
        admin = session.scalar(select(User).where(User.username == "admin"))
        unit_admin = session.scalar(select(User).where(User.username == "unit1"))

    with app.test_request_context():
        admin_token = issue_token(admin)[0]
        unit_token = issue_token(unit_admin)[0]
    for label, token, path in [
        ("households page 1 (county admin)", admin_token, "/api/v1/households"),
        ("households page 1000 (county admin)", admin_token,
         "/api/v1/households?page=1000&per_page=100"),
        ("households need+difficulty filter", admin_token,
         "/api/v1/households?need=low_income&difficulty=hardest&per_page=100"),
        ("households name search q=王", admin_token, "/api/v1/households?q=%E7%8E%8B"),
        ("households (unit admin scope)", unit_token, "/api/v1/households?per_page=100"),
        ("cadres by unit and rank", admin_token, "/api/v1/cadres?unit_id=3&rank=general"),
        ("pairings active in a month", admin_token, "/api/v1/pairings?month=2026-03"),
        ("tasks overdue, whole county", admin_token, "/api/v1/tasks?overdue=true"),
        ("demands overdue (unit admin)", unit_token, "/api/v1/demands?overdue=true"),
        ("coverage, whole county", admin_token, "/api/v1/coverage"),
        ("coverage, one unit (unit admin)", unit_token, "/api/v1/coverage"),
    ]:
        p50, p99 = timed_requests(app, token, path)
        print(f"GET {label:<40} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
