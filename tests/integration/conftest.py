"""Fixtures for tests that commit for real (many threads, many transactions)."""

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.orm import Session

from service.db import Base
from service.units.models import Unit

# As the migration creates it: the wipe below drops it on SQLite and puts it back.
SQLITE_DELETE_TRIGGER = (
    "CREATE TRIGGER disclosures_immutable_delete BEFORE DELETE ON disclosures BEGIN "
    "SELECT RAISE(ABORT, 'published disclosures never change'); END")


@pytest.fixture
def committed(app, engine):
    """A session whose data is committed for real, wiped afterwards (published disclosures
    refuse deletion, so the wipe goes around their triggers as the database owner could)."""
    session = Session(engine, expire_on_commit=False)
    yield session
    session.rollback()
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        session.execute(text("DROP TRIGGER disclosures_immutable_delete"))
    session.execute(update(Unit).values(head_cadre_id=None))
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(delete(table))
    if not postgres:
        session.execute(text(SQLITE_DELETE_TRIGGER))
    session.commit()
    session.close()
