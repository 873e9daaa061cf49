"""What one request can do to a production install (issue 26), measured: gunicorn with the
shipped settings on a county-scale PostgreSQL database, Redis for the login limits.

    .venv/bin/python bench/load_county.py          # once: the county in `bench_county`
    .venv/bin/python bench/hostile.py [--url postgresql+psycopg://postgres@127.0.0.1/bench_county]

Prints, for each hostile file and body, the answer, its size and time; whether gunicorn's
workers are the same processes afterwards; the whole-county visit export, ten exports and ten
pairing plans at once with `/healthz` probed meanwhile; and a stranger's guesses at `admin`.
Asserts nothing; needs the test extra (the hostile files are built as the tests build them).
"""

import argparse
import http.client
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from werkzeug.datastructures import FileStorage  # noqa: E402
from werkzeug.test import encode_multipart  # noqa: E402

from tests.integration.test_hostile_requests import workers  # noqa: E402
from tests.servers import free_port, gunicorn  # noqa: E402
from tests.unit.test_upload_limits import HOSTILE  # noqa: E402

PASSWORD = "bench-password-1"  # what bench/load_county.py gives the demo logins


def call(port, method, path, body=b"", headers=None, timeout=180):
    """(status, answer bytes, seconds); a body refused before it was read still answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        try:
            connection.request(method, path, body=body, headers=headers or {})
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = connection.getresponse()
        answer = response.read()
        return response.status, answer, time.perf_counter() - started
    except OSError as exc:
        return f"{type(exc).__name__}", b"", time.perf_counter() - started
    finally:
        connection.close()


def login(port, username, address="127.0.0.1", password=PASSWORD):
    body = json.dumps({"username": username, "password": password}).encode()
    return call(port, "POST", "/api/v1/auth/login", body,
                {"Content-Type": "application/json", "X-Forwarded-For": address})


def token(port, username) -> str:
    status, answer, _ = login(port, username)
    assert status == 200, answer
    return json.loads(answer)["access_token"]


class Probe(threading.Thread):
    """/healthz every 0.2 s until stopped: how many answered, the slowest."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.times, self.failed, self.stop = port, [], 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            status, _, seconds = call(self.port, "GET", "/healthz", timeout=10)
            if status == 200:
                self.times.append(seconds)
            else:
                self.failed += 1
            time.sleep(0.2)

    def report(self) -> str:
        self.stop.set()
        self.join()
        if not self.times:
            return f"/healthz: 0 answered, {self.failed} failed"
        median = statistics.median(self.times) * 1000
        return (f"/healthz: {len(self.times)} answered (median {median:.1f} ms, slowest "
                f"{max(self.times) * 1000:.0f} ms), {self.failed} failed")


def at_once(port, requests) -> list:
    results = [None] * len(requests)

    def one(i, args):
        results[i] = call(port, *args)

    threads = [threading.Thread(target=one, args=(i, r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def summary(results) -> str:
    counts = {}
    for status, answer, _ in results:
        code = json.loads(answer).get("code") if status not in (200, 201) and answer else ""
        counts[f"{status} {code}".strip()] = counts.get(f"{status} {code}".strip(), 0) + 1
    times = [s for _, _, s in results]
    return f"{counts}, {min(times):.2f}–{max(times):.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_county")
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    subprocess.run(["redis-cli", "-n", "14", "flushdb"], check=False, capture_output=True)
    directory = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    port = free_port()
    env = {**os.environ, "DATABASE_URL": args.url, "SECRET_KEY": "bench-" + "x" * 40,
           "SERVICE_ENV": "production", "PUBLIC_BASE_URL": "https://lianxin.example.gov.cn",
           "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14", "PROXY_COUNT": "1",
           "HEAVY_DIR": str(directory / "heavy"), "LOG_FORMAT": "json"}
    log = (directory / "gunicorn.log").open("w")
    server = subprocess.Popen(gunicorn(port), env=env, stdout=log, stderr=log)
    try:
        for _ in range(300):
            if call(port, "GET", "/readyz", timeout=2)[0] == 200:
                break
            time.sleep(0.2)
        master = server.pid
        time.sleep(1)
        before = workers(master)
        print(f"gunicorn: shipped settings, {len(before)} workers, PostgreSQL")
        tokens = {u: token(port, u) for u in ("admin", "inspector", "unit1", "cadre1")}

        print("\n-- hostile files and bodies --")
        bearer = {u: {"Authorization": f"Bearer {t}"} for u, t in tokens.items()}
        for name, (make, _refusal, _limit) in HOSTILE.items():
            data = make()
            boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data),
                                                                   filename="roster.xlsx")})
            status, answer, seconds = call(port, "POST", "/api/v1/imports/households", body, {
                **bearer["admin"], "Content-Type": f"multipart/form-data; boundary={boundary}"})
            print(f"{name:<40} {len(data):>11,} B → {status} in {seconds:.3f} s, "
                  f"answer {len(answer):,} B")
        keys = json.dumps({f"k{i}": 1 for i in range(700_000)}, separators=(",", ":")).encode()
        status, answer, seconds = call(port, "POST", "/api/v1/auth/login", keys,
                                       {"Content-Type": "application/json"})
        print(f"{'anonymous login, 700,000 keys':<40} {len(keys):>11,} B → {status} in "
              f"{seconds:.3f} s, answer {len(answer):,} B")
        keys = json.dumps({f"k{i}": 1 for i in range(600_000)}, separators=(",", ":")).encode()
        status, answer, seconds = call(port, "POST", "/api/v1/households", keys,
                                       {**bearer["admin"], "Content-Type": "application/json"})
        print(f"{'household with 600,000 keys':<40} {len(keys):>11,} B → {status} in "
              f"{seconds:.3f} s, answer {len(answer):,} B")
        batch = json.dumps({"visits": [{"id": str(uuid.uuid4()), **{f"x{i}": 0 for i in range(300)}}
                                       for _ in range(500)]}, separators=(",", ":")).encode()
        status, answer, seconds = call(port, "POST", "/api/v1/visits/batch", batch,
                                       {**bearer["cadre1"], "Content-Type": "application/json"})
        print(f"{'batch: 500 visits × 300 unknown fields':<40} {len(batch):>11,} B → {status} in "
              f"{seconds:.3f} s, answer {len(answer):,} B")
        for path in ("/openapi.yaml", "/openapi.yaml", "/openapi.json"):
            status, answer, seconds = call(port, "GET", path)
            print(f"GET {path}: {status} in {seconds * 1000:.1f} ms ({len(answer):,} B)")
        print(f"workers the same processes afterwards: {workers(master) == before}")

        print("\n-- heavy work --")
        status, answer, seconds = call(port, "GET", "/api/v1/visits?format=xlsx",
                                       headers=bearer["inspector"])
        code = json.loads(answer).get("code") if status != 200 else ""
        print(f"inspector's whole-county visit export: {status} {code} in {seconds:.2f} s "
              f"({len(answer):,} B)")
        status, answer, seconds = call(port, "GET", "/api/v1/households?format=xlsx",
                                       headers=bearer["admin"])
        print(f"whole-county household export: {status} in {seconds:.2f} s ({len(answer):,} B)")
        probe = Probe(port)
        probe.start()
        results = at_once(port, [("GET", "/api/v1/households?format=xlsx", b"", bearer["admin"])]
                          * 10)
        print(f"ten household exports at once: {summary(results)}; {probe.report()}")
        probe = Probe(port)
        probe.start()
        plan = json.dumps({}).encode()
        results = at_once(port, [("POST", "/api/v1/pairing-plans", plan,
                                  {**bearer["unit1"], "Content-Type": "application/json"})] * 10)
        print(f"ten unit plans at once: {summary(results)}; {probe.report()}")

        print("\n-- a stranger guessing at admin --")
        statuses = [login(port, "admin", "10.9.9.9", "wrong-password-0")[0] for _ in range(50)]
        print(f"50 wrong passwords from 10.9.9.9: {statuses.count(401)}×401, "
              f"{statuses.count(429)}×429")
        status, _, seconds = login(port, "admin", "10.1.1.1")
        print(f"admin from 10.1.1.1: {status} in {seconds:.2f} s")
        status, _, seconds = login(port, "admin", "10.9.9.9")
        print(f"admin from the stranger's 10.9.9.9: {status} in {seconds:.2f} s")
        for i in range(120):
            login(port, "admin", f"10.8.{i // 250}.{i % 250 + 1}", "wrong-password-0")
        status, _, seconds = login(port, "admin", "10.1.1.2")
        print(f"after 120 more from 120 addresses (past the ceiling of 100): admin from "
              f"10.1.1.2: {status} in {seconds:.2f} s")
        print(f"workers the same processes at the end: {workers(master) == before}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
