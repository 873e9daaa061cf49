"""Small helpers shared by the CRUD services.

A `precondition` is what the caller asks of the record before it changes: a route passes its
If-Match check (service/api.py `check_if_match`), the command line nothing. It runs once the
record is loaded and the change is known to be allowed and valid, where the change is made."""

from collections.abc import Callable

from sqlalchemy import exists, select

from service.exceptions import HasDependents, ValidationFailed
from service.messages import _

Precondition = Callable[[object], None] | None


def apply_changes(record, changes: dict, precondition: Precondition = None) -> None:
    """Copy validated fields onto a record, once the precondition holds."""
    if precondition is not None:
        precondition(record)
    for key, value in changes.items():
        setattr(record, key, value)


def delete_unless_used(session, record, dependents: list[tuple[str, object]],
                       along: list | None = None, precondition: Precondition = None) -> None:
    """Delete the record, or 409 has_dependents naming what still points at it; `along` are
    records that go with it (each deleted, and so audited, on its own)."""
    if precondition is not None:
        precondition(record)
    blocking = [label for label, condition in dependents
                if session.scalar(select(exists().where(condition)))]
    if blocking:
        raise HasDependents(
            _("Still referenced by: %(kinds)s. End or move those first.",
              kinds=", ".join(blocking)),
            dependents=blocking,
        )
    for other in along or ():
        session.delete(other)
    session.flush()  # what points at the record goes first
    session.delete(record)
    session.flush()


def start_date(data: dict, today):
    """The requested start date (default today); history may be recorded, the future not."""
    started_on = data.get("started_on") or today
    if started_on > today:
        raise ValidationFailed({"started_on": [_("cannot be in the future")]})
    return started_on


def end_date(record, data: dict, today):
    """The requested end date (default today), between the record's start and today."""
    ended_on = data.get("ended_on") or today
    if not record.started_on <= ended_on <= today:
        raise ValidationFailed({"ended_on": [_("must be between the start and today")]})
    return ended_on


def require_records(session, references: dict[str, tuple[type, int]]) -> None:
    """422 naming every field whose id points at no record."""
    errors = {field: [_("no record with id %(id)s", id=record_id)]
              for field, (model, record_id) in references.items()
              if session.get(model, record_id) is None}
    if errors:
        raise ValidationFailed(errors)


def load_reference(session, model, record_id: int, field: str, what: str = _("record")):
    """The record a request's field names, or 422 naming the field."""
    record = session.get(model, record_id)
    if record is None:
        raise ValidationFailed({field: [_("no %(what)s with id %(id)s", what=what,
                                           id=record_id)]})
    return record
