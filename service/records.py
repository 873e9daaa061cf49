"""Small helpers shared by the CRUD services."""

from sqlalchemy import exists, select

from service.api import check_if_match
from service.errors import HasDependents


def apply_changes(record, changes: dict) -> None:
    """Copy validated fields onto a record after the If-Match check."""
    check_if_match(record)
    for key, value in changes.items():
        setattr(record, key, value)


def delete_unless_used(session, record, dependents: list[tuple[str, object]]) -> None:
    """Delete the record, or 409 has_dependents naming what still points at it."""
    check_if_match(record)
    blocking = [label for label, condition in dependents
                if session.scalar(select(exists().where(condition)))]
    if blocking:
        raise HasDependents(
            "Still referenced by: " + ", ".join(blocking) + ". End or move those first.",
            dependents=blocking,
        )
    session.delete(record)
    session.commit()
