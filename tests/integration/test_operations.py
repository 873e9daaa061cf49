"""What the county's IT office watches, under gunicorn with several workers and the shipped
settings (SPEC §13): /metrics adds up every worker's counts, answers only this machine or
the holder of METRICS_TOKEN, and labels routes by template; the log is one JSON object per
line, one line per request with its request id (echoed as X-Request-ID), route template,
status, duration and user, and never a raw path, a control character or personal data."""

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.servers import free_port, gunicorn, request, serving

pytestmark = pytest.mark.slow  # independent of the date: not in .ci/run's date passes


def environment(database_url, tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(DATABASE_URL=database_url, WEB_CONCURRENCY="3", LOG_FORMAT="json",
               SECRET_KEY="operations-test-" + "k" * 40,
               RATELIMIT_STORAGE_URI=f"sqlite:///{tmp_path / 'limits.sqlite'}", **extra)
    return env


def samples(body: bytes, name: str) -> dict[tuple, float]:
    """{sorted label items: value} of one metric's samples."""
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def log_lines(tmp_path, port) -> list[dict]:
    lines = (tmp_path / f"server-{port}.log").read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def _health_pids(tmp_path, port) -> set[int]:
    """The workers that answered /healthz so far (a line still being written is skipped)."""
    pids = set()
    for line in (tmp_path / f"server-{port}.log").read_text().splitlines():
        try:
            entry = json.loads(line) if line.startswith("{") else {}
        except ValueError:
            continue
        if entry.get("route") == "/healthz":
            pids.add(entry["pid"])
    return pids


def test_metrics_add_up_every_worker_and_label_routes_by_template(database_url, tmp_path):
    port = free_port()
    # One thread a worker (gunicorn's sync workers, which take one connection at a time):
    # with ten clients at once, the three workers share the fifty requests for certain (a
    # threaded worker may accept them all itself). The counting is the same either way.
    env = environment(database_url, tmp_path, GUNICORN_THREADS="1")
    with serving(gunicorn(port), tmp_path, env, port):
        # Ten clients at once, so the three workers share the fifty requests; on a loaded
        # machine the first worker up may take a whole burst while the others still start,
        # so bursts go on (five at most) until the log shows two workers answering.
        bursts = 0
        while bursts < 5:
            with ThreadPoolExecutor(10) as clients:
                answers = list(clients.map(lambda _: request(port, "GET", "/healthz")[0],
                                           range(50)))
            assert answers == [200] * 50
            bursts += 1
            if len(_health_pids(tmp_path, port)) >= 2:
                break
        for n in range(7):  # seven households, one route
            request(port, "GET", f"/api/v1/households/{n + 1}")
        status, headers, body = request(port, "GET", "/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    requests = samples(body, "http_requests_total")
    assert requests[(("method", "GET"), ("route", "/healthz"), ("status", "200"))] == 50 * bursts
    # The template, never the path: one label for seven ids.
    assert requests[(("method", "GET"), ("route", "/api/v1/households/<id:household_id>"),
                     ("status", "401"))] == 7
    assert not any("/api/v1/households/3" in dict(k)["route"] for k in requests)
    latency = samples(body, "http_request_duration_seconds_count")
    assert latency[(("method", "GET"), ("route", "/healthz"))] == 50 * bursts
    # The counts came from more than one worker, and every line says which.
    lines = [line for line in log_lines(tmp_path, port) if line.get("route") == "/healthz"]
    assert len(lines) == 50 * bursts and len({line["pid"] for line in lines}) >= 2


def test_metrics_answer_only_this_machine_or_the_token(database_url, tmp_path):
    port = free_port()
    env = environment(database_url, tmp_path, METRICS_TOKEN="scrape-" + "t" * 30)
    with serving(gunicorn(port), tmp_path, env, port):
        assert request(port, "GET", "/metrics")[0] == 404  # a token is set: loopback is not enough
        status, _, _ = request(port, "GET", "/metrics",
                               headers={"Authorization": "Bearer scrape-" + "t" * 30})
        assert status == 200
        assert request(port, "GET", "/metrics",
                       headers={"Authorization": "Bearer wrong"})[0] == 404
    port = free_port()
    with serving(gunicorn(port), tmp_path, environment(database_url, tmp_path), port):
        assert request(port, "GET", "/metrics")[0] == 200
        # Through a proxy on this machine: a stranger's request, refused.
        assert request(port, "GET", "/metrics",
                       headers={"X-Forwarded-For": "203.0.113.9"})[0] == 404


def test_one_json_line_per_request_with_its_id_and_nothing_private(engine, database_url,
                                                                  tmp_path, committed):
    # `committed` wipes what the server wrote afterwards (the failed login's audit event),
    # so no later test finds it in the shared database.
    port = free_port()
    forged = '{"level": "INFO", "route": "/forged"}'
    with serving(gunicorn(port), tmp_path, environment(database_url, tmp_path), port):
        status, headers, _ = request(port, "GET", "/healthz",
                                     headers={"X-Request-ID": "req-from-the-front-end-1"})
        assert headers["X-Request-ID"] == "req-from-the-front-end-1"
        status, _, _ = request(port, "POST", "/api/v1/auth/login",
                               {"username": "张三丰", "password": "never-log-this-password"})
        assert status == 401
        request(port, "GET", "/api/v1/public/contact-cards/x%0A" + forged.replace(
            " ", "%20").replace('"', "%22") + "%00%1b[31m")
        request(port, "GET", "/api/v1/households?q=%E6%9D%8E%E5%9B%9B")  # ?q=李四
    raw = (tmp_path / f"server-{port}.log").read_bytes()
    assert b"\x00" not in raw and b"\x1b" not in raw
    for secret in ("张三丰", "never-log-this-password", "李四", "/forged"):
        assert secret not in raw.decode() and json.dumps(secret)[1:-1] not in raw.decode()
    lines = [line for line in log_lines(tmp_path, port)
             if "route" in line and line["route"] != "/readyz"]  # (serving() waits on it)
    by_route = {line["route"]: line for line in lines}
    health = by_route["/healthz"]
    assert health["request_id"] == "req-from-the-front-end-1"
    assert health["method"] == "GET" and health["status"] == 200
    assert isinstance(health["duration_ms"], float) and health["user_id"] is None
    assert by_route["/api/v1/auth/login"]["status"] == 401
    assert by_route["<unmatched>"]["status"] == 404  # the forged path, never written
    assert {"time", "level", "logger", "pid", "message"} <= set(health)
    # One line per request: four requests, four request lines, each with its own id.
    assert len(lines) == 4 and len({line["request_id"] for line in lines}) == 4
