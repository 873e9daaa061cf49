"""Failed logins are limited without letting a stranger lock anyone out (OWASP's authentication
cheat sheet; service/users/login.py): per username-and-address pair and per address a 429 with
Retry-After, per username only a slowdown. Played from many addresses with `environ_base`, on
a fresh limiter storage per test: an SQLite file (the shipped default kind) or Redis.
"""

import json
import os
import time

import pytest
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from service import ratelimit
from service.ratelimit import SQLiteStorage
from service.users.routes import LOGIN_MAX_BYTES
from tests.factories import PASSWORD

LOGIN = "/api/v1/auth/login"
REDIS = "redis://127.0.0.1:6379/15"
STRANGER = "203.0.113.7"
OWNER = "198.51.100.20"


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not answering at {REDIS} ({exc}); start redis-server to run "
                    "this test (.ci/run does)")


def _count_in(app, monkeypatch, uri: str) -> None:
    """The app counts in `uri` for this test; the process forgets that limiter after it."""
    monkeypatch.setattr(ratelimit, "_LIMITERS", dict(ratelimit._LIMITERS))
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", uri)


@pytest.fixture(params=["sqlite", "redis"])
def storage(request, app, tmp_path, monkeypatch, connection) -> str:
    """A limiter storage of this test's own, empty, that the app counts in."""
    if request.param == "redis":
        _redis_or_skip()
        uri = REDIS
    else:
        uri = f"sqlite:///{tmp_path / 'ratelimits.sqlite'}"
    _count_in(app, monkeypatch, uri)
    if request.param == "redis":
        # Keys of this process's own: .ci/run runs two suites at once against one Redis.
        ratelimit._LIMITERS[uri] = MovingWindowRateLimiter(
            RedisStorage(uri, key_prefix=f"LIMITS-test-{os.getpid()}"))
    ratelimit.limiter(uri).storage.reset()
    yield uri
    ratelimit.limiter(uri).storage.reset()


@pytest.fixture
def sqlite_storage(app, tmp_path, monkeypatch, connection) -> SQLiteStorage:
    uri = f"sqlite:///{tmp_path / 'ratelimits.sqlite'}"
    _count_in(app, monkeypatch, uri)
    return ratelimit.limiter(uri).storage


def login(client, username, password, address):
    return client.post(LOGIN, json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def timed_login(client, username, password, address):
    started = time.perf_counter()
    response = login(client, username, password, address)
    return response, time.perf_counter() - started


def test_a_stranger_cannot_lock_the_admin_out(world, client, storage):
    admin = world.users["county_admin"].username
    answers = [login(client, admin, f"guess-{i}", STRANGER) for i in range(50)]
    # The stranger's pair is refused after five, with the time to wait ...
    assert [a.status_code for a in answers] == [401] * 5 + [429] * 45
    refused = answers[-1]
    assert refused.json["code"] == "too_many_attempts"
    assert refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60
    # ... even with the right password, from there ...
    assert login(client, admin, PASSWORD, STRANGER).status_code == 429
    # ... while the admin, from anywhere else, logs in.
    mine = login(client, admin, PASSWORD, OWNER)
    assert mine.status_code == 200, mine.json
    assert mine.json["token_type"] == "Bearer"


def test_rotating_addresses_only_slows_the_account_down(world, client, storage, app,
                                                         monkeypatch):
    admin = world.users["county_admin"].username
    monkeypatch.setitem(app.config, "LOGIN_SLOWDOWN_SECONDS", 0.01)
    # One try from each of 200 addresses: none is refused, the last 100 are past the
    # per-username ceiling (100 per 15 minutes) and wait.
    tries = [timed_login(client, admin, f"guess-{i}", f"10.0.{i // 250}.{i % 250 + 1}")
             for i in range(200)]
    assert [r.status_code for r, _ in tries] == [401] * 200
    assert min(took for _, took in tries[100:]) >= 0.01
    # The admin still gets in, slowed (a larger slowdown, to see it above the noise) ...
    monkeypatch.setitem(app.config, "LOGIN_SLOWDOWN_SECONDS", 0.3)
    mine, took = timed_login(client, admin, PASSWORD, OWNER)
    assert mine.status_code == 200, mine.json
    assert took >= 0.3
    # ... and only that username is slowed.
    other, took_other = timed_login(client, world.users["inspector"].username, PASSWORD, OWNER)
    assert other.status_code == 200 and took_other < 0.3
    # From an address the admin logged in from, no slowdown at all.
    again, took_again = timed_login(client, admin, PASSWORD, OWNER)
    assert again.status_code == 200 and took_again < 0.3
    print(f"slowed login {took:.3f} s (slowdown 0.3 s), unslowed {took_other:.3f} s, "
          f"from a known address {took_again:.3f} s")


def test_one_slowed_attempt_sleeps_at_a_time_and_the_owners_known_address_goes_first(
        world, client, storage, app, monkeypatch):
    """A sleeping attempt holds a worker thread: while one sleeps, another for the targeted
    username from an unknown address hears 429 at once, and the owner from a known address
    is not slowed at all."""
    from service.users import login as logins

    admin = world.users["county_admin"].username
    assert login(client, admin, PASSWORD, OWNER).status_code == 200  # a known address
    monkeypatch.setitem(app.config, "LOGIN_SLOWDOWN_SECONDS", 5.0)
    for i in range(101):  # past the ceiling, from many addresses
        login(client, admin, f"guess-{i}", f"10.1.{i // 250}.{i % 250 + 1}")
    assert logins._SLEEPING.acquire(blocking=False)  # another thread's attempt sleeps
    try:
        refused, took = timed_login(client, admin, PASSWORD, "10.2.0.1")
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
        assert took < 1
        mine, took = timed_login(client, admin, PASSWORD, OWNER)
        assert mine.status_code == 200 and took < 1
    finally:
        logins._SLEEPING.release()


def test_one_address_spraying_usernames_is_stopped(world, client, storage):
    answers = [login(client, f"guess{i}", "Spray-2026!", STRANGER).status_code
               for i in range(50)]
    assert answers == [401] * 50
    refused = login(client, world.users["cadre"].username, PASSWORD, STRANGER)
    assert refused.status_code == 429 and refused.json["code"] == "too_many_attempts"
    assert int(refused.headers["Retry-After"]) >= 1
    # the owner of that account, elsewhere, is not concerned
    assert login(client, world.users["cadre"].username, PASSWORD, OWNER).status_code == 200


def test_a_successful_login_forgives_its_own_pairs_typos(world, client, storage):
    username = world.users["unit_admin"].username
    for _ in range(4):
        assert login(client, username, "typo-password", OWNER).status_code == 401
    assert login(client, username, PASSWORD, OWNER).status_code == 200
    # five more typos are allowed before the pair waits
    assert [login(client, username, "typo-password", OWNER).status_code
            for _ in range(6)] == [401] * 5 + [429]


def test_a_login_body_larger_than_a_login_is_refused_unread(world, client):
    body = json.dumps({f"k{i}": 1 for i in range(700_000)}).encode()
    assert len(body) > 8_000_000
    started = time.perf_counter()
    response = client.post(LOGIN, data=body, headers={"Content-Type": "application/json"},
                           environ_base={"REMOTE_ADDR": STRANGER})
    took = time.perf_counter() - started
    assert response.status_code == 413, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "payload_too_large"
    assert str(LOGIN_MAX_BYTES) in response.json["detail"]
    assert len(response.get_data()) < 1024
    assert took < 1.0, took
    print(f"8 MB login body: 413 in {took * 1000:.0f} ms, {len(response.get_data())} bytes")


def test_a_login_body_within_the_limit_is_read(world, client):
    padded = {"username": world.users["cadre"].username, "password": PASSWORD}
    body = json.dumps(padded) + " " * (LOGIN_MAX_BYTES - len(json.dumps(padded)))
    assert len(body.encode()) == LOGIN_MAX_BYTES
    response = client.post(LOGIN, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200


# --- the SQLite storage forgets expired windows --------------------------------------------


def test_expired_windows_are_pruned_for_keys_never_used_again(world, client, sqlite_storage,
                                                              monkeypatch):
    now = [time.time()]
    monkeypatch.setattr(sqlite_storage, "now", lambda: now[0])
    sqlite_storage.prune()
    # 30 addresses each try a guessed username once: three rows each (pair, address, username)
    for i in range(30):
        assert login(client, f"nobody{i}", "Guess-2026!", f"10.9.0.{i + 1}").status_code == 401
    rows = sqlite_storage._db().execute("SELECT count(*) FROM hits").fetchone()[0]
    assert rows == 90
    # Sixteen minutes on, the windows (15 minutes) have passed; none of those keys comes back,
    # but the next write, a minute or more after the last prune, removes their rows.
    now[0] += 16 * 60
    assert login(client, "somebody-else", "Guess-2026!", "10.9.1.1").status_code == 401
    left = sqlite_storage._db().execute("SELECT key FROM hits").fetchall()
    assert len(left) == 3 and all("somebody-else" in k or "10.9.1.1" in k for (k,) in left)


def test_the_storage_prunes_every_few_hundred_writes(tmp_path):
    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'limits.sqlite'}")
    now = [1_000_000.0]
    storage.now = lambda: now[0]
    storage.PRUNE_SECONDS = float("inf")  # only the count of writes prunes here
    storage.prune()
    for i in range(100):  # one-minute windows of keys never used again
        assert storage.acquire_entry(f"old-{i}", 5, 60)
    now[0] += 61

    def old_rows():
        return storage._db().execute(
            "SELECT count(*) FROM hits WHERE key LIKE 'old-%'").fetchone()[0]

    writes = 100
    while old_rows():
        assert storage.acquire_entry(f"new-{writes}", 5, 3600)
        writes += 1
        assert writes <= SQLiteStorage.PRUNE_EVERY
    assert writes == SQLiteStorage.PRUNE_EVERY
    assert storage._db().execute("SELECT count(*) FROM hits").fetchone()[0] == writes - 100
    print(f"pruned 100 expired rows at write {writes}")


def test_a_file_from_before_expiries_is_upgraded_in_place(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE hits (key TEXT NOT NULL, at REAL NOT NULL)")
    old.execute("INSERT INTO hits VALUES ('k', ?)", (time.time(),))
    old.commit()
    old.close()
    storage = SQLiteStorage(f"sqlite:///{path}")
    assert storage.get_moving_window("k", 5, 900)[1] == 1  # the old count still holds
    assert storage.acquire_entry("k", 5, 900)
    assert storage.prune() == 0  # the old row is kept for a day, the new one its window


def test_an_ipv6_network_counts_as_one_address(world, client, storage):
    """One subscriber's /64 holds 2^64 addresses: counted as one, a stranger cannot step
    around the pair's limit by changing the last bits."""
    admin = world.users["county_admin"].username
    answers = [login(client, admin, f"guess-{i}", f"2001:db8:1:2::{i + 1:x}").status_code
               for i in range(6)]
    assert answers == [401] * 5 + [429]
    assert login(client, admin, PASSWORD, "2001:db8:1:3::1").status_code == 200
