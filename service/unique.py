"""Map a unique-constraint refusal from the database to the field it guards."""

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.exceptions import AlreadyExists
from service.messages import _


def unique_field(exc: IntegrityError, table: str) -> str | None:
    """The column of `table` whose unique constraint refused the write, if that was the cause."""
    message = str(exc.orig)
    # SQLite names table.column; PostgreSQL names the constraint (see NAMING_CONVENTION).
    for pattern in (rf"UNIQUE constraint failed: {table}\.(\w+)", rf'"uq_{table}_(\w+)"'):
        m = re.search(pattern, message)
        if m:
            return m.group(1)
    return None


def _already(field: str) -> AlreadyExists:
    # The same words wherever the other record is, in the caller's scope or not (SPEC §9).
    return AlreadyExists(_("Another record already has this %(field)s.", field=field),
                         errors={field: [_("already exists")]})


def flush_unique(session, table: str, record=None) -> None:
    """Flush; a duplicate value becomes 409 already_exists naming the field. With `record`,
    its unique columns are looked up first, so the database is not asked to refuse the row:
    PostgreSQL logs a refused row's values (an ID number) in its DETAIL line. The constraint
    still decides a race between two requests."""
    if record is not None:
        model = type(record)
        with session.no_autoflush:
            for column in model.__table__.columns:
                value = getattr(record, column.key, None)
                if not column.unique or value is None:
                    continue
                other = select(model.id).where(getattr(model, column.key) == value)
                if record.id is not None:
                    other = other.where(model.id != record.id)
                if session.scalar(other.limit(1)) is not None:
                    raise _already(column.key)
    try:
        session.flush()
    except IntegrityError as exc:
        field = unique_field(exc, table)
        session.rollback()
        if field is None:
            raise
        raise _already(field) from None
