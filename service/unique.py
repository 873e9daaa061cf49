"""Map a unique-constraint refusal from the database to the field it guards."""

import re

from sqlalchemy.exc import IntegrityError

from service.exceptions import AlreadyExists


def unique_field(exc: IntegrityError, table: str) -> str | None:
    """The column of `table` whose unique constraint refused the write, if that was the cause."""
    message = str(exc.orig)
    # SQLite names table.column; PostgreSQL names the constraint (see NAMING_CONVENTION).
    for pattern in (rf"UNIQUE constraint failed: {table}\.(\w+)", rf'"uq_{table}_(\w+)"'):
        m = re.search(pattern, message)
        if m:
            return m.group(1)
    return None


def flush_unique(session, table: str) -> None:
    """Flush; a duplicate value becomes 409 already_exists naming the field."""
    try:
        session.flush()
    except IntegrityError as exc:
        field = unique_field(exc, table)
        session.rollback()
        if field is None:
            raise
        raise AlreadyExists(
            f"Another record already has this {field}.", errors={field: ["already exists"]}
        ) from None
