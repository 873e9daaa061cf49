"""SPEC §9 "faults": the database's connections are cut while phones send visits.

The service runs under gunicorn on PostgreSQL; four phones post visits as fast as they can,
and twice the test terminates every backend the service holds (pg_terminate_backend, what a
restart or a failover does to a pool). Every answer is 201 or 503 problem+json
`database_unavailable` with Retry-After — never a 500 — and every visit the service
acknowledged is in the database. After each cut the service answers 201 again within a second,
with no restart. The log has one line per 503 and no traceback.

The server reads the real clock; visits are dated by the server's own `Date` header, so the
test reads no clock of its own.
"""

import email.utils
import http.client
import json
import os
import threading
import time
import uuid
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import select

from service.visits.models import Visit
from tests import factories
from tests.servers import free_port, gunicorn, request, serving

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

APP_NAME = "shuangbao_fault_test"
CUTS_AT = (1.0, 2.2)  # seconds into the load
LOAD_SECONDS = 3.5


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _post(port, path, body, token):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("POST", path, body=json.dumps(body), headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_cut_connections_answer_503_lose_nothing_and_recover_within_a_second(
        database_url, committed, clock, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs TEST_DATABASE_URL on PostgreSQL (pg_terminate_backend)")
    port = free_port()
    separator = "&" if "?" in database_url else "?"
    env = {**os.environ, "DATABASE_URL": f"{database_url}{separator}application_name={APP_NAME}",
           "WEB_CONCURRENCY": "2", "SECRET_KEY": "fault-test-" + "k" * 40,
           "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'limits.sqlite'}",
           "INSTANCE_DIR": str(tmp_path)}
    command = gunicorn(port)
    with serving(command, tmp_path, env, port):
        server_now = email.utils.parsedate_to_datetime(
            request(port, "GET", "/healthz")[1]["Date"])
        with clock.at(server_now - timedelta(days=30)):
            world = factories.small_world(committed)
        status, _, body = request(port, "POST", "/api/v1/auth/login", {
            "username": world.users["cadre"].username, "password": factories.PASSWORD})
        assert status == 200, body
        token = json.loads(body)["access_token"]
        visited_at = (server_now - timedelta(hours=2)).isoformat()

        answers, acknowledged, lock = [], [], threading.Lock()
        start = time.monotonic()

        def phone():
            while time.monotonic() - start < LOAD_SECONDS:
                visit_id = str(uuid.uuid4())
                sent = time.monotonic() - start
                try:
                    status, headers, raw = _post(port, "/api/v1/visits", {
                        "id": visit_id, "household_id": world.households["a1"].id,
                        "visited_at": visited_at, "kind": "phone"}, token)
                except OSError as exc:
                    status, headers, raw = -1, {}, repr(exc).encode()
                with lock:
                    answers.append((sent, time.monotonic() - start, status, headers, raw))
                    if status in (200, 201):
                        acknowledged.append(visit_id)

        phones = [threading.Thread(target=phone) for _ in range(4)]
        for p in phones:
            p.start()
        cut_at = []
        with psycopg.connect(_libpq(database_url), autocommit=True) as admin:
            for moment in CUTS_AT:
                time.sleep(max(0.0, moment - (time.monotonic() - start)))
                cut_at.append(time.monotonic() - start)
                killed = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = %s", (APP_NAME,)).fetchone()[0]
                assert killed > 0, "the service held no connection to cut"
        for p in phones:
            p.join()
        log = (tmp_path / f"server-{port}.log").read_text()

    statuses = [a[2] for a in answers]
    assert set(statuses) <= {201, 503}, [a for a in answers if a[2] not in (201, 503)][:5]
    unavailable = [a for a in answers if a[2] == 503]
    for *_, headers, raw in unavailable:
        problem = json.loads(raw)
        assert problem["code"] == "database_unavailable"
        assert headers["Content-Type"] == "application/problem+json"
        assert int(headers["Retry-After"]) > 0
    # Nothing the service acknowledged is missing.
    stored = set(committed.scalars(select(Visit.id).where(Visit.id.in_(acknowledged))))
    assert stored == set(acknowledged) and len(acknowledged) > 50
    # Each cut is followed by a 201 for a request sent within a second of it.
    for moment in cut_at:
        after = [sent for sent, _done, status, *_ in answers if status == 201 and sent > moment]
        assert after and min(after) - moment < 1.0, (moment, after[:3])
    # One line per 503, and no traceback.
    assert "Traceback" not in log
    assert log.count("database unavailable") == len(unavailable)
    print(f"\nfault test: {len(answers)} requests, {len(acknowledged)} acknowledged, "
          f"{len(unavailable)} answered 503, 0 lost; recovery after each cut: "
          + ", ".join(f"{min(s for s, _, st, *_ in answers if st == 201 and s > m) - m:.3f}s"
                      for m in cut_at))
