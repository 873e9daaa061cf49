"""Nothing one request can do (issue 26), tried on the production command: gunicorn with the
shipped settings, workers forked from the master. Each hostile file and body the attacker sent
answers 4xx problem+json at once, small, and no worker is lost: the master's workers are the
same processes before and after, and `/healthz` answers throughout."""

import http.client
import io
import json
import os
import time
import uuid
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from service import create_app, migrate
from service.cadres.services import create_cadre
from service.units.services import create_unit
from service.users.services import create_user
from service.web import cli_context
from tests.servers import free_port, gunicorn, request, serving
from tests.unit.test_upload_limits import HOSTILE

pytestmark = [
    pytest.mark.slow,  # independent of the date: not in .ci/run's date passes
    pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                       reason="independent of the database: runs once, in the SQLite pass"),
]

SECRET = "hostile-test-" + "k" * 40
PASSWORD = "Hostile-Test-Pass-7"


def workers(master: int) -> set[int]:
    """The pids of the master's children (gunicorn's workers)."""
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        return {int(pid) for pid in children.read_text().split()}
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.add(int(stat.parent.name))
    return found


def send(port: int, method: str, path: str, body: bytes, headers: dict) -> tuple:
    """One request with a raw body: (status, answer, seconds)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    try:
        try:
            connection.request(method, path, body=body, headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the whole body was read: the answer is waiting
        response = connection.getresponse()
        answer = response.read()
        return response.status, answer, time.perf_counter() - started
    finally:
        connection.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn (two workers, the shipped settings) on a fresh SQLite file with a county
    admin; yields (port, master pid, token)."""
    directory = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{directory / 'county.db'}"
    env = {**os.environ, "DATABASE_URL": url, "WEB_CONCURRENCY": "2", "SECRET_KEY": SECRET,
           "PASSWORD_HASH_FAST": "1", "RATELIMIT_STORAGE_URI": f"sqlite:///{directory}/rl.db",
           "HEAVY_DIR": str(directory / "heavy"), "LOG_FORMAT": "text"}
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "PASSWORD_HASH_FAST": True})
    migrate.upgrade(url)
    with app.app_context():
        ctx = cli_context()
        create_user(ctx, {"username": "county", "password": PASSWORD, "role": "county_admin"})
        unit = create_unit(ctx, {"name": "县农业农村局"})
        cadre = create_cadre(ctx, {"name": "李四", "unit_id": unit.id, "rank": "general"})
        create_user(ctx, {"username": "field", "password": PASSWORD, "role": "cadre",
                          "cadre_id": cadre.id})
        ctx.session.commit()
    app.extensions["db"].engine.dispose()
    port = free_port()
    with serving(gunicorn(port), directory, env, port) as process:
        tokens = {}
        for username in ("county", "field"):
            status, _, body = request(port, "POST", "/api/v1/auth/login",
                                      {"username": username, "password": PASSWORD})
            assert status == 200, body
            tokens[username] = json.loads(body)["access_token"]
        yield port, process.pid, tokens


def _upload(data: bytes, name: str) -> tuple[bytes, dict]:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _bodies() -> dict:
    """name → (method, path, body, headers, who: None, "county" or "field")."""
    cases = {}
    for name, (make, _refusal, _limit) in HOSTILE.items():
        body, headers = _upload(make(), "roster.csv" if "CSV" in name else "roster.xlsx")
        cases[f"upload: {name}"] = ("POST", "/api/v1/imports/households", body, headers,
                                    "county")
    many_keys = json.dumps({f"k{i}": 1 for i in range(700_000)},
                           separators=(",", ":")).encode()
    json_type = {"Content-Type": "application/json"}
    cases["an anonymous login of 8 MB and 700,000 keys"] = (
        "POST", "/api/v1/auth/login", many_keys, json_type, None)
    cases["600,000 keys to the household list"] = (
        "POST", "/api/v1/households", json.dumps({f"k{i}": 1 for i in range(600_000)},
                                                 separators=(",", ":")).encode(),
        json_type, "county")
    cases["a batch of 500 visits of 300 unknown fields"] = (
        "POST", "/api/v1/visits/batch", json.dumps({"visits": [
            {"id": str(uuid.uuid4()), **{f"x{i}": 0 for i in range(300)}}
            for _ in range(500)]}, separators=(",", ":")).encode(), json_type, "field")
    return cases


def test_no_hostile_file_or_body_takes_a_worker(server):
    port, master, tokens = server
    for _ in range(100):  # the master forks its workers one after the other
        before = workers(master)
        if len(before) == 2:
            break
        time.sleep(0.1)
    assert len(before) == 2
    figures = []
    for name, (method, path, body, headers, who) in _bodies().items():
        if who:
            headers = {**headers, "Authorization": f"Bearer {tokens[who]}"}
        status, answer, seconds = send(port, method, path, body, headers)
        figures.append(f"{name}: {len(body):,} bytes → {status} in {seconds:.3f} s, "
                       f"answer {len(answer):,} bytes")
        # The batch answers 200 with every item rejected; the rest are refusals.
        assert 400 <= status < 500 or (path.endswith("/batch") and status == 200), \
            (name, status, answer[:300])
        if status != 200:
            assert json.loads(answer)["code"], name
        assert len(answer) < 400_000, name
        assert seconds < 5, name  # well under a second here; generous for a loaded machine
        assert request(port, "GET", "/healthz")[0] == 200, name
    print("\n" + "\n".join(figures))
    assert workers(master) == before
