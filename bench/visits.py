"""Visit intake under load (issue 5): the service against a bare Flask + psycopg ceiling.

    .venv/bin/python bench/visits.py [--seconds 20] [--threads 8] [--reuse]

Builds PostgreSQL database `bench_visits` (100,000 households, 10,000 cadres, 1,000,000
visits), serves the service and bench/ceiling_app.py with gunicorn (same settings), then drives
single visit POSTs, the ceiling's bare INSERT, and 100-visit batches from this process for a
fixed time each (service and ceiling in alternating 5-second slices, so noise from a shared
machine falls on both). Prints throughput, p50, p99, errors and the ratio; asserts nothing.
"""

import argparse
import http.client
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from service import create_app, migrate  # noqa: E402
from service.auth import issue_token  # noqa: E402

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB = "bench_visits"
DSN = f"postgresql://postgres@127.0.0.1:5432/{DB}"
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}"
CST = ZoneInfo("Asia/Shanghai")
LAST_DAY = date(2026, 10, 31)
KINDS = ["home_visit"] * 5 + ["heart_to_heart"] * 2 + ["shared_labor", "reception", "phone",
                                                       "stay_overnight"]
SERVICE_PORT, CEILING_PORT = 18080, 18081


def build(n_visits: int) -> None:
    """A fresh county with a year of visits."""
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    migrate.upgrade(URL)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flask", "--app", "service", "demo-data", "--quiet",
                    "--households", "100000", "--cadres", "10000", "--units", "130"],
                   check=True, env={**os.environ, "DATABASE_URL": URL}, cwd=ROOT)
    print(f"county (100,000 households, 10,000 cadres): {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    rng = random.Random(5)
    with psycopg.connect(DSN) as conn:
        pairings = conn.execute("SELECT id, cadre_id, household_id, started_on FROM pairings "
                                "WHERE ended_on IS NULL").fetchall()
        buf = io.StringIO()
        for i in range(n_visits):
            pid, cid, hid, started = pairings[i % len(pairings)]
            day = started + timedelta(days=rng.randrange(max(1, (LAST_DAY - started).days)))
            at = datetime(day.year, day.month, day.day, rng.randint(8, 19), rng.randrange(60),
                          tzinfo=CST).astimezone(UTC)
            kind = rng.choice(KINDS)
            buf.write(f"{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{cid}\t{hid}\t{pid}\t"
                      f"{at.isoformat()}\t{at.isoformat()}\t{kind}\t{kind != 'phone'}\t"
                      f"走访记录\tfalse\t[]\tfalse\tfalse\tfalse\tfalse\tfalse\t1\t-\t"
                      f"{at.isoformat()}\t1\n")
        buf.seek(0)
        with conn.cursor().copy(
                "COPY visits (id, cadre_id, household_id, pairing_id, visited_at, received_at, "
                "kind, direct, diary, card_scanned, flags, flag_late_entry, "
                "flag_far_from_village, flag_duplicate_suspect, flag_night_time, "
                "flag_too_many_today, created_by, body_hash, updated_at, version) "
                "FROM STDIN") as copy:
            copy.write(buf.read())
    with psycopg.connect(DSN, autocommit=True) as conn:
        # Visibility map and statistics, as autovacuum would leave them on a live server.
        conn.execute("VACUUM (ANALYZE)")
    print(f"{n_visits:,} visits loaded: {time.perf_counter() - t0:.1f} s")


def actors(n: int) -> list[dict]:
    """n cadres with a paired household each, an account, and a token."""
    app = create_app({"DATABASE_URL": URL, "SECRET_KEY": "bench-visits-" + "k" * 40})
    with psycopg.connect(DSN, autocommit=True) as conn:
        # Every cadre of the county has an account, as in a county running the service.
        added = conn.execute(
            "INSERT INTO users (username, password_hash, role, unit_id, cadre_id, active, "
            "token_version, created_at, version) SELECT 'bench' || id, '!', 'cadre', unit_id, "
            "id, true, 1, now(), 1 FROM cadres ON CONFLICT (username) DO NOTHING").rowcount
        if added:
            conn.execute("ANALYZE users")
        rows = conn.execute("SELECT DISTINCT ON (p.cadre_id) p.id, p.cadre_id, p.household_id, "
                            "p.started_on FROM pairings p WHERE p.ended_on IS NULL "
                            "ORDER BY p.cadre_id, p.id LIMIT %s", (n,)).fetchall()
        out = []
        for pid, cid, hid, started in rows:
            uid = conn.execute(
                "INSERT INTO users (username, password_hash, role, unit_id, cadre_id, active, "
                "token_version, created_at, version) SELECT %s, '!', 'cadre', unit_id, id, "
                "true, 1, now(), 1 FROM cadres WHERE id = %s "
                "ON CONFLICT (username) DO UPDATE SET active = true RETURNING id",
                (f"bench{cid}", cid)).fetchone()[0]
            out.append({"pairing_id": pid, "cadre_id": cid, "household_id": hid,
                        "started": started, "user_id": uid})
    from service.users.models import User

    with app.app_context():
        from service.web import get_session

        for a in out:
            with app.test_request_context():
                a["token"] = issue_token(get_session().get(User, a["user_id"]))[0]
    return out


def serve(app_spec: str, port: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:service.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", app_spec],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz" if "service" in app_spec else "/nothing")
            c.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{app_spec} did not start")


def visit_body(actor: dict, rng: random.Random) -> dict:
    day = actor["started"] + timedelta(days=rng.randrange(max(1, (LAST_DAY - actor["started"])
                                                                  .days)))
    at = datetime(day.year, day.month, day.day, rng.randint(8, 19), rng.randrange(60), tzinfo=CST)
    return {"id": str(uuid.uuid4()), "household_id": actor["household_id"],
            "visited_at": at.isoformat(), "kind": rng.choice(KINDS),
            "diary": "入户走访, 了解生产生活情况"}


def drive(port: int, seconds: float, threads: int, make) -> dict:
    """Send requests from `threads` keep-alive connections for `seconds`."""
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()

    def worker(n):
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], []
        while time.perf_counter() < deadline:
            path, body, headers = make(n, rng)
            t0 = time.perf_counter()
            conn.request("POST", path, body=json.dumps(body), headers=headers)
            response = conn.getresponse()
            payload = response.read()
            mine.append((time.perf_counter() - t0) * 1000)
            if response.status not in (200, 201) or b'"rejected"' in payload:
                bad.append(response.status)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - t0
    return summary(latencies, elapsed, errors)


def summary(latencies: list[float], elapsed: float, errors: list[int]) -> dict:
    latencies = sorted(latencies)
    return {"n": len(latencies), "rps": len(latencies) / elapsed, "elapsed": elapsed,
            "latencies": latencies,
            "p50": statistics.median(latencies), "p99": latencies[int(len(latencies) * .99) - 1],
            "errors": len(errors), "errors_list": errors, "codes": sorted(set(errors))}


def merge(parts: list[dict]) -> dict:
    """One summary for several slices of the same drive."""
    return summary([x for p in parts for x in p["latencies"]], sum(p["elapsed"] for p in parts),
                   [e for p in parts for e in p["errors_list"]])


def report(label: str, r: dict, unit: str = "req") -> None:
    print(f"{label:<34} {r['rps']:8.1f} {unit}/s  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms"
          f"  n={r['n']:,}  errors={r['errors']} {r['codes'] or ''}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--batch-threads", type=int, default=2,
                        help="phones syncing 100-visit batches at once")
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench_visits")
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, gunicorn workers "
          f"{os.environ.get('WEB_CONCURRENCY', 'default (2*cores+1)')}")
    if not args.reuse:
        build(args.visits)
    # Enough cadres that each keeps a realistic handful of visits a day, run after run.
    people = actors(400)
    secret = "bench-visits-" + "k" * 40
    service = serve("service:create_app()", SERVICE_PORT, {"DATABASE_URL": URL,
                                                           "SECRET_KEY": secret})
    ceiling = serve("bench.ceiling_app:app", CEILING_PORT, {"CEILING_DSN": DSN})
    try:
        def single(n, rng):
            actor = people[rng.randrange(len(people))]
            return ("/api/v1/visits", visit_body(actor, rng),
                    {"Authorization": f"Bearer {actor['token']}",
                     "Content-Type": "application/json"})

        def bare(n, rng):
            actor = people[rng.randrange(len(people))]
            body = visit_body(actor, rng)
            body.update(cadre_id=actor["cadre_id"], pairing_id=actor["pairing_id"],
                        created_by=actor["user_id"])
            return "/visit", body, {"Content-Type": "application/json"}

        def batch(n, rng):
            actor = people[rng.randrange(len(people))]
            return ("/api/v1/visits/batch",
                    {"visits": [visit_body(actor, rng) for _ in range(100)]},
                    {"Authorization": f"Bearer {actor['token']}",
                     "Content-Type": "application/json"})

        drive(SERVICE_PORT, 3, args.threads, single)  # warm up both
        drive(CEILING_PORT, 3, args.threads, bare)
        # Alternate short slices of each, so a slow patch of a shared machine falls on both.
        slices = max(1, round(args.seconds / 5))
        s_parts, c_parts = [], []
        for _ in range(slices):
            s_parts.append(drive(SERVICE_PORT, args.seconds / slices, args.threads, single))
            c_parts.append(drive(CEILING_PORT, args.seconds / slices, args.threads, bare))
        s, c = merge(s_parts), merge(c_parts)
        b = drive(SERVICE_PORT, args.seconds, args.batch_threads, batch)
        report(f"service: single POST /visits x{args.threads}", s)
        report(f"ceiling: bare Flask+psycopg INSERT x{args.threads}", c)
        report(f"service: 100-visit batch x{args.batch_threads}", b, "batch")
        print(f"single-visit throughput / ceiling: {s['rps'] / c['rps']:.0%}   "
              f"batch visits/s: {b['rps'] * 100:,.0f}")
    finally:
        for proc in (service, ceiling):
            proc.terminate()
            proc.wait(timeout=30)
        forget(people)


def forget(people: list[dict]) -> None:
    """Delete what this run logged, so a run with --reuse starts from the county as built (the
    bench cadres would otherwise pile up thousands of visits each, run after run)."""
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute("DELETE FROM visits WHERE created_by = ANY(%s)",
                     ([p["user_id"] for p in people],))
        conn.execute("VACUUM (ANALYZE) visits")


if __name__ == "__main__":
    main()
