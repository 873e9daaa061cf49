"""SPEC §13: rate limits count across every worker. Under real gunicorn with four workers, the
6th failed login for a username from one address answers 429 and stays 429 (the right password
included), whichever worker answers, while the owner, from another address, still logs in:
with the embedded default (an SQLite file the machine's workers share) and with Redis
(RATELIMIT_STORAGE_URI=redis://…, shared between machines; Redis runs at 127.0.0.1:6379 here
and in CI).
"""

import http.client
import json
import os
import uuid

import pytest

from tests import factories
from tests.servers import free_port, gunicorn, request, serving

pytestmark = pytest.mark.slow  # and independent of the date

REDIS = "redis://127.0.0.1:6379/0"


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not running at {REDIS} ({exc}); start redis-server to test it")


def _login_from(address: str, port: int, username: str, password: str) -> int:
    """A login sent from another loopback address (the whole of 127/8 is this machine)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                            source_address=(address, 0))
    try:
        connection.request("POST", "/api/v1/auth/login",
                           body=json.dumps({"username": username, "password": password}),
                           headers={"Content-Type": "application/json"})
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize("storage", ["embedded", "redis"])
def test_the_sixth_failed_login_is_429_on_every_worker(database_url, committed, tmp_path,
                                                        storage):
    if storage == "redis":
        _redis_or_skip()
    uri = REDIS if storage == "redis" else f"sqlite:///{tmp_path / 'ratelimits.sqlite'}"
    username = f"limit-{uuid.uuid4().hex[:12]}"  # new keys, whatever Redis still holds
    factories.user(committed, "inspector", username=username)
    committed.commit()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "WEB_CONCURRENCY": "4",
           "GUNICORN_THREADS": "1", "SECRET_KEY": "limits-test-" + "k" * 40,
           "INSTANCE_DIR": str(tmp_path), "PASSWORD_HASH_FAST": "1",
           # Only the per-pair limit is under test.
           "LOGIN_FAILURES_PER_CLIENT": "10000 per 15 minutes"}
    if storage == "redis":
        env["RATELIMIT_STORAGE_URI"] = uri
    else:
        env.pop("RATELIMIT_STORAGE_URI", None)  # the shipped default, under INSTANCE_DIR
    command = gunicorn(port)
    with serving(command, tmp_path, env, port):
        wrong = [request(port, "POST", "/api/v1/auth/login",
                         {"username": username, "password": f"wrong-{i}"})[0]
                 for i in range(5)]
        after = [request(port, "POST", "/api/v1/auth/login",
                         {"username": username, "password": f"wrong-again-{i}"})[0]
                 for i in range(15)]
        right = [request(port, "POST", "/api/v1/auth/login",
                         {"username": username, "password": factories.PASSWORD})[0]
                 for _ in range(10)]
        owner = [_login_from("127.0.0.2", port, username, factories.PASSWORD)
                 for _ in range(8)]
    assert wrong == [401] * 5
    assert after == [429] * 15, after
    assert right == [429] * 10, right
    assert owner == [200] * 8, owner
    if storage == "embedded":
        assert (tmp_path / "ratelimits.sqlite").exists()  # the default: beside the SQLite file
