"""Small helpers shared by the CRUD services."""

from sqlalchemy import exists, select

from service.api import check_if_match
from service.errors import HasDependents, ValidationFailed


def apply_changes(record, changes: dict) -> None:
    """Copy validated fields onto a record after the If-Match check."""
    check_if_match(record)
    for key, value in changes.items():
        setattr(record, key, value)


def delete_unless_used(session, record, dependents: list[tuple[str, object]],
                       cascade: list | None = None) -> None:
    """Delete the record, or 409 has_dependents naming what still points at it; `cascade`
    statements remove rows that may go with it."""
    check_if_match(record)
    blocking = [label for label, condition in dependents
                if session.scalar(select(exists().where(condition)))]
    if blocking:
        raise HasDependents(
            "Still referenced by: " + ", ".join(blocking) + ". End or move those first.",
            dependents=blocking,
        )
    for statement in cascade or ():
        session.execute(statement)
    session.delete(record)
    session.commit()


def start_date(data: dict, today):
    """The requested start date (default today); history may be recorded, the future not."""
    started_on = data.get("started_on") or today
    if started_on > today:
        raise ValidationFailed({"started_on": ["cannot be in the future"]})
    return started_on


def end_date(record, data: dict, today):
    """The requested end date (default today), between the record's start and today."""
    ended_on = data.get("ended_on") or today
    if not record.started_on <= ended_on <= today:
        raise ValidationFailed({"ended_on": ["must be between the start and today"]})
    return ended_on


def require_records(session, references: dict[str, tuple[type, int]]) -> None:
    """422 naming every field whose id points at no record."""
    errors = {field: [f"no record with id {record_id}"]
              for field, (model, record_id) in references.items()
              if session.get(model, record_id) is None}
    if errors:
        raise ValidationFailed(errors)
