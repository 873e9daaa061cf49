"""Counters of refusals (the `limits` library): failed logins per username-and-address pair,
per address and per username, wrong card codes per cadre, card lookups per address. One
limiter per storage (RATELIMIT_STORAGE_URI); keys are namespaced by their first part. No
Flask: services pass their settings' storage URI.

SPEC §13: counts hold across every worker. `memory://` would count within one process (five
gunicorn workers let 5 × 5 failures through), so the embedded default is `sqlite:///FILE`: a
small SQLite file beside the database that every worker of the machine shares (SQLiteStorage
below). `redis://HOST:PORT` shares counts between machines.
"""

import math
import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from limits import parse
from limits.storage import MovingWindowSupport, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

_LIMITERS: dict[str, MovingWindowRateLimiter] = {}


class SQLiteStorage(Storage, MovingWindowSupport):
    """A moving-window storage in an SQLite file, shared by the processes of one machine.

    Each hit is a row (key, time, when it leaves its window); a window is counted with one
    indexed query and taken in one IMMEDIATE transaction, so two workers cannot both take the
    last place. A key's rows older than its window go as the key is used; the rows of keys
    never used again (a stranger's guessed usernames, a phone's address of yesterday) go in
    one indexed DELETE that each process runs every PRUNE_EVERY writes or PRUNE_SECONDS,
    whichever comes first. Only refusals and public card lookups are counted, so the file
    stays small and its lock is rarely waited on."""

    STORAGE_SCHEME = ["sqlite"]
    PRUNE_EVERY = 500
    PRUNE_SECONDS = 60.0

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        path = urlparse(uri).path
        self.path = Path(path[1:] if path.startswith("//") else path)
        self._local = threading.local()
        self.now = time.time  # tests move it
        self._writes, self._pruned_at = 0, self.now()

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        """This thread's connection (made after a fork, never inherited from the master)."""
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, at REAL NOT NULL, "
                         "expires REAL NOT NULL)")
            _add_expires(conn)
            conn.execute("CREATE INDEX IF NOT EXISTS hits_key_at ON hits (key, at)")
            conn.execute("CREATE INDEX IF NOT EXISTS hits_expires ON hits (expires)")
            conn.execute("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, "
                         "value INTEGER NOT NULL, expires REAL NOT NULL)")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def prune(self) -> int:
        """Remove every row whose window has passed, whatever its key; how many went."""
        db, now = self._db(), self.now()
        self._writes, self._pruned_at = 0, now
        removed = db.execute("DELETE FROM hits WHERE expires <= ?", (now,)).rowcount
        return removed + db.execute("DELETE FROM counters WHERE expires <= ?", (now,)).rowcount

    def _wrote(self, now: float) -> None:
        self._writes += 1
        if self._writes >= self.PRUNE_EVERY or now - self._pruned_at >= self.PRUNE_SECONDS:
            self.prune()

    def _window(self, db, key: str, expiry: int, now: float) -> tuple[float, int]:
        oldest, count = db.execute("SELECT min(at), count(*) FROM hits WHERE key = ? AND at > ?",
                                   (key, now - expiry)).fetchone()
        return (oldest if oldest is not None else now), count

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        db, now = self._db(), self.now()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM hits WHERE key = ? AND at <= ?", (key, now - expiry))
            _, count = self._window(db, key, expiry, now)
            if count + amount > limit:
                db.execute("COMMIT")
                return False
            db.executemany("INSERT INTO hits (key, at, expires) VALUES (?, ?, ?)",
                           [(key, now, now + expiry)] * amount)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._wrote(now)
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        return self._window(self._db(), key, expiry, self.now())

    # The fixed-window half of the interface (the service uses moving windows only).

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        db, now = self._db(), self.now()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM counters WHERE key = ? AND expires <= ?", (key, now))
            db.execute("INSERT INTO counters (key, value, expires) VALUES (?, ?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                       (key, amount, now + expiry))
            (value,) = db.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._wrote(now)
        return value

    def get(self, key: str) -> int:
        row = self._db().execute("SELECT value FROM counters WHERE key = ? AND expires > ?",
                                 (key, self.now())).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._db().execute("SELECT expires FROM counters WHERE key = ?",
                                 (key,)).fetchone()
        return row[0] if row else self.now()

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1")
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        db = self._db()
        count = db.execute("SELECT count(*) FROM hits").fetchone()[0]
        db.execute("DELETE FROM hits")
        db.execute("DELETE FROM counters")
        return count

    def clear(self, key: str) -> None:
        db = self._db()
        db.execute("DELETE FROM hits WHERE key = ?", (key,))
        db.execute("DELETE FROM counters WHERE key = ?", (key,))


def _add_expires(conn: sqlite3.Connection) -> None:
    """A file made before hits carried their expiry gets the column; its rows are given a day
    (longer than any window the service counts) and go at a later prune."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(hits)")}
    if "expires" in columns:
        return
    conn.execute("BEGIN IMMEDIATE")  # one worker adds it; the others then see it
    try:
        if "expires" not in {row[1] for row in conn.execute("PRAGMA table_info(hits)")}:
            conn.execute("ALTER TABLE hits ADD COLUMN expires REAL NOT NULL DEFAULT 0")
            conn.execute("UPDATE hits SET expires = at + 86400")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def limiter(storage_uri: str) -> MovingWindowRateLimiter:
    """The limiter counting in `storage_uri` (made once per process)."""
    if storage_uri not in _LIMITERS:
        _LIMITERS[storage_uri] = MovingWindowRateLimiter(storage_from_string(storage_uri))
    return _LIMITERS[storage_uri]


def allowed(storage_uri: str, rule: str, *key: str) -> bool:
    """True while `key` is within `rule` (e.g. "5 per hour"); counts nothing."""
    return limiter(storage_uri).test(parse(rule), *key)


def count(storage_uri: str, rule: str, *key: str) -> None:
    """Count one event against `key`."""
    limiter(storage_uri).hit(parse(rule), *key)


def retry_after(storage_uri: str, rule: str, *key: str) -> int:
    """Whole seconds until `key` may be counted once more under `rule` (at least 1)."""
    each = limiter(storage_uri)
    reset_at, _ = each.get_window_stats(parse(rule), *key)
    return max(1, math.ceil(reset_at - getattr(each.storage, "now", time.time)()))


def clear(storage_uri: str, rule: str, *key: str) -> None:
    """Forget every count of `key` under `rule`."""
    limiter(storage_uri).clear(parse(rule), *key)


def reset_limits(storage_uri: str | None = None) -> None:
    """Forget every count (tests, or an admin after an incident); all storages when None."""
    for uri, each in list(_LIMITERS.items()):
        if storage_uri is None or uri == storage_uri:
            each.storage.reset()
