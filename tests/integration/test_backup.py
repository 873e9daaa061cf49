"""Backup and restore (SPEC §13): `flask backup FILE` on a demo county with publications,
`flask restore FILE` into a fresh database; every table holds what it held, every
publication still verifies, the audit trail is still append-only, new records get new ids,
and a restore never overwrites a database that holds anything. On SQLite (its online backup)
and, with TEST_DATABASE_URL, on PostgreSQL (pg_dump / pg_restore into databases of its own on
the same server)."""

import os

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from service import create_app, migrate
from service.auth import issue_token
from service.db import Base, make_engine
from service.demo import DemoSizes, load_demo
from service.places.models import Township
from service.users.services import create_user
from service.web import cli_context

pytestmark = pytest.mark.slow  # independent of the date (it sets the clock)

SIZES = DemoSizes(townships=2, villages=6, units=3, cadres=40, households=120)


@pytest.fixture
def databases(tmp_path):
    """A source and an empty target database, dropped afterwards on PostgreSQL."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path / 'county.db'}", f"sqlite:///{tmp_path / 'restored.db'}"
        return
    import psycopg

    base = make_url(server)
    names = [f"{base.database}_backup_source", f"{base.database}_backup_target"]
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    yield tuple(base.set(database=n).render_as_string(hide_password=False) for n in names)
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_on(url: str, tmp_path):
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "backup-test-" + "k" * 40,
                       "PASSWORD_HASH_FAST": True,
                       "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'limits.sqlite'}"})


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: conn.scalar(select(func.count()).select_from(t))
                    for t in Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def test_a_backup_restores_every_record_and_every_publication_still_verifies(
        databases, clock, tmp_path):
    source, target = databases
    # The demo publishes October (the month before the clock's) for each village a unit holds;
    # a clerk publishes a correction of one of them.
    clock.set("2026-11-23T10:00:00+08:00")
    migrate.upgrade(source)
    county = app_on(source, tmp_path)
    with county.test_request_context():
        ctx = cli_context()
        load_demo(ctx, SIZES, 1, progress=False)
        clerk = create_user(ctx, {"username": "clerk", "role": "county_admin",
                                  "password": "a-long-password-1"})
        ctx.session.commit()
        held = ctx.session.execute(text(
            "SELECT DISTINCT village_id FROM village_assignments ORDER BY village_id")).scalars()
        villages = list(held)
        token, _ = issue_token(clerk)
        ctx.session.close()
    publisher = county.test_client()
    response = publisher.post("/api/v1/disclosures", headers={
        "Authorization": f"Bearer {token}"}, json={
        "village_id": villages[0], "month": "2026-10", "correction_reason": "人名写错，更正"})
    assert response.status_code == 201, response.get_json()
    before = counts(source)
    assert before["disclosures"] == len(villages) + 1
    assert before["households"] == SIZES.households

    file = tmp_path / "county.backup"
    made = county.test_cli_runner().invoke(args=["backup", str(file)])
    assert made.exit_code == 0, made.output
    assert file.stat().st_size > 0
    county.extensions["db"].engine.dispose()

    restored = app_on(target, tmp_path)
    loaded = restored.test_cli_runner().invoke(args=["restore", str(file)])
    assert loaded.exit_code == 0, loaded.output
    assert counts(target) == before

    # Every publication verifies against the restored chain, through the public endpoint.
    client = restored.test_client()
    engine = make_engine(target)
    with engine.connect() as conn:
        ids = conn.execute(text("SELECT id FROM disclosures ORDER BY seq")).scalars().all()
    for disclosure_id in ids:
        answer = client.get(f"/api/v1/disclosures/{disclosure_id}/verify")
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["valid"] is True and answer.get_json()["broken_at"] is None
    assert answer.get_json()["checked"] == len(villages) + 1

    # The audit trail is still append-only; new records still get new ids.
    with engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text("UPDATE audit_events SET action = 'delete'"))
    with engine.begin() as conn:
        newest = conn.scalar(select(func.max(Township.id)))
        made_id = conn.execute(Township.__table__.insert().values(
            code="140427999", name="新乡镇").returning(Township.__table__.c.id)).scalar()
    assert made_id > newest
    engine.dispose()

    # A restore never overwrites a county.
    again = restored.test_cli_runner().invoke(args=["restore", str(file)])
    assert again.exit_code != 0 and "not empty" in again.output
    restored.extensions["db"].engine.dispose()
