"""One migration history builds the database; it matches the models and round-trips."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import service.models  # noqa: F401
from service import migrate
from service.db import Base, built_on


def test_there_is_exactly_one_head():
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1


def test_models_and_migrations_do_not_differ(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_object": built_on(conn.dialect.name)})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models differ from migrations; add a migration: {diff}"


def test_downgrade_to_base_and_upgrade_again_round_trips(engine, database_url):
    with engine.connect() as conn:
        tables_before = set(engine.dialect.get_table_names(conn))
    migrate.downgrade(database_url, revision="base")
    with engine.connect() as conn:
        assert set(engine.dialect.get_table_names(conn)) <= {"alembic_version"}
    migrate.upgrade(database_url)
    with engine.connect() as conn:
        assert set(engine.dialect.get_table_names(conn)) == tables_before
        ctx = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_object": built_on(conn.dialect.name)})
        assert compare_metadata(ctx, Base.metadata) == []
