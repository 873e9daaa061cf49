"""Run Alembic from code: the CLI, the tests and the demo all build schemas this way."""

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy.engine import Connection

# The migrations ship inside the package, so an installed wheel migrates from any directory.
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None, connection: Connection | None = None) -> AlembicConfig:
    """Alembic configuration pointing at our migrations folder."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option(
        "file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s"
    )
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str | None = None, connection: Connection | None = None,
            revision: str = "head") -> None:
    """Apply migrations up to revision (idempotent)."""
    command.upgrade(alembic_config(url, connection), revision)


def downgrade(url: str | None = None, connection: Connection | None = None,
              revision: str = "base") -> None:
    """Revert migrations down to revision."""
    command.downgrade(alembic_config(url, connection), revision)
