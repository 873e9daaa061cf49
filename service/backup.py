"""Backing up and restoring the county's database (SPEC §13): `flask backup FILE` and
`flask restore FILE`, for either database.

- SQLite: SQLite's online backup (the database stays in use while it is copied, and the copy
  is consistent); restore copies the file's pages into the configured database.
- PostgreSQL: `pg_dump --format=custom` (one consistent snapshot) and `pg_restore` in one
  transaction, without owners or privileges, so the backup restores into any database. The
  client programs must be on PATH (Debian: `postgresql-client`), of the server's major
  version or newer.

A restore goes into an empty database only: it never overwrites a county. Everything comes
back as it was, the audit trail's append-only triggers and the publication chain's hashes
included (a test restores a backup and verifies every publication).
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url


class BackupFailed(RuntimeError):
    """The backup or restore could not be made (the message says why, and what to do)."""


def _sqlite_path(url) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupFailed("an in-memory database has nothing to back up")
    return url.database


def _libpq(url) -> str:
    """The SQLAlchemy URL as a libpq connection string (pg_dump's --dbname)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(f"{name} is not on PATH: install the PostgreSQL client programs "
                           "(Debian: apt-get install postgresql-client)")
    return found


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True,
                            env={**os.environ, "PGAPPNAME": "shuangbao-backup"})
    if result.returncode != 0:
        raise BackupFailed(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def backup(database_url: str, path: Path) -> None:
    """Write a consistent copy of the database to `path` (which must not exist)."""
    url, path = make_url(database_url), Path(path)
    if path.exists():
        raise BackupFailed(f"{path} exists; name a new file")
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(path)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={path}", f"--dbname={_libpq(url)}"])
    else:  # pragma: no cover - the service runs on these two
        raise BackupFailed(f"no backup for {url.get_backend_name()}")


def _tables(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return inspect(conn).get_table_names()
    finally:
        engine.dispose()


def restore(path: Path, database_url: str) -> None:
    """Load a backup into the configured database, which must be empty."""
    url, path = make_url(database_url), Path(path)
    if not path.is_file():
        raise BackupFailed(f"{path} is not a file")
    if _tables(database_url):
        raise BackupFailed("the database is not empty: restore into a new, empty database "
                           "(a restore never overwrites a county)")
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupFailed(f"{path} is not a sound SQLite database")
            with target:
                source.backup(target)
        except sqlite3.DatabaseError as exc:
            raise BackupFailed(f"{path} is not a SQLite backup: {exc}") from None
        finally:
            target.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={_libpq(url)}", str(path)])
    else:  # pragma: no cover
        raise BackupFailed(f"no restore for {url.get_backend_name()}")
