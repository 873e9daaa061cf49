"""A soak under a realistic mix (issue 17): the service under gunicorn (the shipped settings)
on PostgreSQL with bench/visits.py's county (100,000 households, 10,000 cadres, 1,000,000
visits), driven for --minutes at about --load of the throughput measured first.

    .venv/bin/python bench/soak.py [--reuse] [--minutes 10] [--load 0.8] [--threads 8]

The mix, per request: cadres posting a visit (30 %) or a batch of 10 (4 %) and syncing down
(10 %); clerks listing households of a village (15 %) and a unit's pairings (6 %), reading a
household (8 %) and correcting a household's phone (4 %); the public reading a village's
disclosure (12 %) and contact cards (10 %); a bulletin now and then (1 %). Accounts are
inserted into the database and tokens issued for them (no logins in the mix).

First --probe seconds as fast as the threads go (the maximum), then the soak at --load of it,
paced. Prints throughput, p50/p99 per route, errors (5xx, failed connections, unexpected
4xx) and the memory of the gunicorn processes (master and workers, RSS) over time. The
client shares the machine's cores with the service: the maximum is the pair's.
"""

import argparse
import http.client
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import visits as bench_visits  # noqa: E402
from service import create_app, migrate  # noqa: E402
from service.auth import issue_token  # noqa: E402
from tests.servers import free_port, serving  # noqa: E402

DSN = "postgresql://postgres@127.0.0.1:5432/bench_visits"
URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_visits"
SECRET = "bench-soak-" + "k" * 40
MONTH = "2026-10"


def accounts(cadres: int) -> tuple[list[dict], list[str]]:
    """Cadre accounts (with a paired household each) and clerk accounts, inserted once."""
    with psycopg.connect(DSN, autocommit=True) as conn:
        pairs = conn.execute(
            "SELECT DISTINCT ON (p.cadre_id) p.cadre_id, p.household_id, p.started_on "
            "FROM pairings p WHERE p.ended_on IS NULL ORDER BY p.cadre_id, p.id LIMIT %s",
            (cadres,)).fetchall()
        made = []
        for cadre_id, household_id, _ in pairs:
            uid = conn.execute(
                "INSERT INTO users (username, password_hash, role, unit_id, cadre_id, active, "
                "token_version, created_at, version) SELECT %s, '!', 'cadre', c.unit_id, c.id, "
                "true, 1, now(), 1 FROM cadres c WHERE c.id = %s "
                "ON CONFLICT (username) DO UPDATE SET active = true RETURNING id",
                (f"soak-cadre-{cadre_id}", cadre_id)).fetchone()[0]
            made.append({"user_id": uid, "household_id": household_id})
        clerks = []
        for n in range(4):
            clerks.append(conn.execute(
                "INSERT INTO users (username, password_hash, role, active, token_version, "
                "created_at, version) VALUES (%s, '!', 'county_admin', true, 1, now(), 1) "
                "ON CONFLICT (username) DO UPDATE SET active = true RETURNING id",
                (f"soak-clerk-{n}",)).fetchone()[0])
    app = create_app({"DATABASE_URL": URL, "SECRET_KEY": SECRET})
    with app.test_request_context():
        from service.users.models import User
        from service.web import get_session

        session = get_session()
        for cadre in made:
            cadre["token"] = issue_token(session.get(User, cadre["user_id"]))[0]
        tokens = [issue_token(session.get(User, uid))[0] for uid in clerks]
    app.extensions["db"].engine.dispose()
    return made, tokens


class Mix:
    """The requests of the mix, each a (route label, method, path, body, token)."""

    def __init__(self, cadres, clerks, seed: int):
        with psycopg.connect(DSN) as conn:
            self.villages = [r[0] for r in conn.execute("SELECT id FROM villages")]
            self.units = [r[0] for r in conn.execute("SELECT id FROM units")]
            self.cards = [r[0] for r in conn.execute(
                "SELECT card_code FROM households ORDER BY random() LIMIT 2000")]
            self.households = [r[0] for r in conn.execute(
                "SELECT id FROM households ORDER BY random() LIMIT 5000")]
        self.cadres, self.clerks, self.seed = cadres, clerks, seed
        self.choices = [(0.30, self.visit), (0.04, self.batch), (0.10, self.sync),
                        (0.15, self.village_households), (0.06, self.unit_pairings),
                        (0.08, self.household), (0.04, self.correct_phone),
                        (0.12, self.disclosure), (0.10, self.card), (0.01, self.bulletin)]

    def pick(self, rng):
        x, total = rng.random(), 0.0
        for weight, make in self.choices:
            total += weight
            if x < total:
                return make(rng)
        return self.choices[-1][1](rng)

    def _visit(self, rng, cadre) -> dict:
        at = datetime.now(UTC) - timedelta(minutes=rng.randint(5, 60 * 24 * 5))
        return {"id": str(uuid.uuid4()), "household_id": cadre["household_id"],
                "visited_at": at.isoformat(), "kind": rng.choice(
                    ["home_visit", "heart_to_heart", "shared_labor", "phone"]),
                "diary": "了解生产生活情况，宣传政策。" * rng.randint(1, 8)}

    def visit(self, rng):
        cadre = rng.choice(self.cadres)
        return "POST /visits", "POST", "/api/v1/visits", self._visit(rng, cadre), cadre["token"]

    def batch(self, rng):
        cadre = rng.choice(self.cadres)
        return ("POST /visits/batch", "POST", "/api/v1/visits/batch",
                {"visits": [self._visit(rng, cadre) for _ in range(10)]}, cadre["token"])

    def sync(self, rng):
        cadre = rng.choice(self.cadres)
        return "GET /sync", "GET", "/api/v1/sync", None, cadre["token"]

    def village_households(self, rng):
        return ("GET /households?village_id", "GET",
                f"/api/v1/households?village_id={rng.choice(self.villages)}", None,
                rng.choice(self.clerks))

    def unit_pairings(self, rng):
        return ("GET /pairings?unit_id", "GET",
                f"/api/v1/pairings?unit_id={rng.choice(self.units)}&active=true", None,
                rng.choice(self.clerks))

    def household(self, rng):
        return ("GET /households/{id}", "GET", f"/api/v1/households/{rng.choice(self.households)}",
                None, rng.choice(self.clerks))

    def correct_phone(self, rng):
        return ("PATCH /households/{id}", "PATCH",
                f"/api/v1/households/{rng.choice(self.households)}",
                {"phone": f"139{rng.randint(0, 10**8 - 1):08d}"}, rng.choice(self.clerks))

    def disclosure(self, rng):
        return ("GET /reports/disclosure", "GET",
                f"/api/v1/reports/disclosure?village_id={rng.choice(self.villages)}&month={MONTH}",
                None, None)

    def card(self, rng):
        return ("GET /public/contact-cards/{code}", "GET",
                f"/api/v1/public/contact-cards/{rng.choice(self.cards)}", None, None)

    def bulletin(self, rng):
        return ("GET /reports/bulletin", "GET", f"/api/v1/reports/bulletin?month={MONTH}", None,
                rng.choice(self.clerks))


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.count = 0

    def add(self, route: str, ms: float, problem: str | None):
        with self.lock:
            self.count += 1
            self.times.setdefault(route, []).append(ms)
            if problem:
                self.errors[f"{route}: {problem}"] = self.errors.get(f"{route}: {problem}", 0) + 1


EXPECTED = {"PATCH /households/{id}": {200, 404, 409}, "GET /households/{id}": {200, 404}}


def drive(port, mix, results, stop_at, rate_per_thread, seed):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    next_at = time.perf_counter()
    while time.perf_counter() < stop_at:
        if rate_per_thread:
            next_at += rng.expovariate(rate_per_thread)
            pause = next_at - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        route, method, path, body, token = mix.pick(rng)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if method == "PATCH":
            headers["If-Match"] = "*"  # a change requires If-Match (428 without); any version
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            results.add(route, (time.perf_counter() - t0) * 1000, type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        ok = status in EXPECTED.get(route, {200, 201})
        results.add(route, (time.perf_counter() - t0) * 1000, None if ok else str(status))
    conn.close()


def rss_mb(master_pid: int) -> float:
    """RSS of gunicorn's master and workers, in MB."""
    return sum(processes(master_pid).values())


def processes(master_pid: int) -> dict[int, float]:
    """{pid: RSS in MB} of gunicorn's master and its workers."""
    out = subprocess.run(["ps", "-o", "pid=,rss=", "--ppid", str(master_pid), "-p",
                          str(master_pid)], capture_output=True, text=True).stdout.split()
    return {int(pid): int(rss) / 1024 for pid, rss in zip(out[::2], out[1::2], strict=True)}


def run(port, mix, threads, seconds, rate, label, server_pid, sample_every=30):
    results = Results()
    stop_at = time.perf_counter() + seconds
    per_thread = rate / threads if rate else 0
    workers = [threading.Thread(target=drive, args=(port, mix, results, stop_at, per_thread,
                                                    1000 * n + int(seconds)))
               for n in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    memory = [(0.0, rss_mb(server_pid), 0)]
    pids = set(processes(server_pid))
    while any(w.is_alive() for w in workers):
        time.sleep(0.5)
        if time.perf_counter() - started - memory[-1][0] >= sample_every:
            memory.append((time.perf_counter() - started, rss_mb(server_pid), results.count))
            now = set(processes(server_pid))
            if now - pids:
                print(f"  {memory[-1][0]:6.0f} s  {len(now - pids)} new worker(s) "
                      "(max_requests restarts)")
            pids = now
    took = time.perf_counter() - started
    memory.append((took, rss_mb(server_pid), results.count))
    print(f"\n{label}: {results.count:,} requests in {took:.0f} s = "
          f"{results.count / took:,.1f} req/s; errors: {sum(results.errors.values())}")
    for route, times in sorted(results.times.items()):
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"  {route:34} n={len(times):6,}  p50 {statistics.median(times):7.1f} ms  "
              f"p99 {p99:7.1f} ms")
    for what, n in sorted(results.errors.items()):
        print(f"  error {what}: {n}")
    return results.count / took, memory, results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench_visits")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--load", type=float, default=0.8)
    parser.add_argument("--probe", type=float, default=45)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--cadres", type=int, default=400)
    args = parser.parse_args()
    if not args.reuse:
        bench_visits.build(1_000_000)
    migrate.upgrade(URL)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}")
    cadres, clerks = accounts(args.cadres)
    mix = Mix(cadres, clerks, 17)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": URL, "SECRET_KEY": SECRET, "LOG_FORMAT": "json",
           "CONTACT_CARD_RATE_LIMIT": "1000000 per minute", "PYTHONPATH": str(ROOT)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"soak-{port}"
    workdir.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "gunicorn", "--config", "python:service.gunicorn_conf",
               "--bind", f"127.0.0.1:{port}", "service:create_app()"]
    with serving(command, workdir, env, port) as server:
        print(f"gunicorn: {os.cpu_count() * 2 + 1} workers x 2 threads (shipped settings); "
              f"log in {workdir}")
        peak, _, _ = run(port, mix, args.threads, args.probe, 0, "probe (as fast as it goes)",
                         server.pid, sample_every=15)
        rate = peak * args.load
        print(f"\nsoak at {args.load:.0%} of {peak:.1f} req/s = {rate:.1f} req/s for "
              f"{args.minutes:g} min")
        got, memory, results = run(port, mix, args.threads, args.minutes * 60, rate, "soak",
                                   server.pid)
        sizes = ", ".join(f"{m:.0f}" for m in sorted(processes(server.pid).values()))
        print(f"\nat the end, RSS of each process: {sizes} MB")
        print("memory of gunicorn (master + workers, RSS) over the soak:")
        for at, mb, count in memory:
            print(f"  {at:6.0f} s  {mb:7.1f} MB  ({count:,} requests)")
        warm = [mb for at, mb, _ in memory if at >= 60]
        if warm:
            print(f"after warm-up (60 s): start {warm[0]:.1f} MB, end {warm[-1]:.1f} MB, "
                  f"max {max(warm):.1f} MB")
        status, _, body = __import__("tests.servers", fromlist=["request"]).request(
            port, "GET", "/metrics")
        taken = [line for line in body.decode().splitlines()
                 if line.startswith("visits_taken_total")]
        print("metrics: " + "; ".join(taken))


if __name__ == "__main__":
    main()
