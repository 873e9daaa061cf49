"""Writing the audit trail (SPEC §11) in the transaction of the change it records.

A session that carries an actor (every Context sets one: service/context.py) records each
create, update and delete of an audited record in the same flush, with the changed fields'
before and after; a service names a change's action when it is more than an update (`mark`:
end, transition, publish). Paths that write with Core instead of the ORM (the visit intake,
bulk loads, a failed login) add their events with `record` or `event_row`.
"""

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from service.audit import rules
from service.audit.models import AuditEvent
from service.clock import utcnow
from service.context import AUDIT_ACTOR, Actor
from service.households.models import Household
from service.households.rules import NEEDS

_MARKS = "audit_marks"


def mark(session: Session, record, action: str) -> None:
    """Record this record's change (at the next flush) as `action` rather than an update."""
    if action not in rules.ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.info.setdefault(_MARKS, {})[inspect(record)] = action


def event_row(actor: Actor, action: str, record_type: str, record_id, changes: dict,
              at=None) -> dict:
    """One event as a row for an INSERT (for paths that write with Core)."""
    return {"at": at or utcnow(), "user_id": actor.user_id, "actor": actor.name,
            "action": action, "record_type": record_type,
            "record_id": None if record_id is None else str(record_id),
            "changes": changes, "request_id": actor.request_id}


def record(session: Session, action: str, record_type: str, record_id, changes: dict) -> None:
    """Append one event now, in the session's transaction, for its actor."""
    actor = session.info.get(AUDIT_ACTOR)
    if actor is None:
        raise RuntimeError("this session has no actor: build a Context for it")
    session.execute(insert(AuditEvent), [event_row(actor, action, record_type, record_id,
                                                   changes)])


def _values(state) -> dict:
    return {attr.key: state.dict.get(attr.key) for attr in state.mapper.column_attrs}


def _needs(rows) -> list[str]:
    have = {r.need for r in rows}
    return [n for n in NEEDS if n in have]


def _update(state) -> dict:
    """Changed columns as {field: [before, after]} (and a household's needs)."""
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.has_changes():
            before[attr.key] = history.deleted[0] if history.deleted else None
            after[attr.key] = history.added[0] if history.added else None
    if state.class_ is Household:
        history = state.attrs.need_rows.history
        if history.has_changes():
            before["needs"] = _needs([*history.unchanged, *history.deleted])
            after["needs"] = _needs([*history.unchanged, *history.added])
    return rules.changed(before, after)


@event.listens_for(Session, "after_flush")
def _record_flush(session: Session, _context) -> None:
    """An event for every audited record this flush created, changed or deleted."""
    actor = session.info.get(AUDIT_ACTOR)
    marks = session.info.pop(_MARKS, {})
    if actor is None:
        return
    at = utcnow()
    rows = []
    for objects, default in ((session.new, "create"), (session.dirty, "update"),
                             (session.deleted, "delete")):
        for obj in objects:
            state = inspect(obj)
            record_type = rules.record_type_of(state.mapper.local_table.name)
            if record_type is None:
                continue
            if default == "create":
                changes = rules.created(_values(state))
                if state.class_ is Household:
                    changes["needs"] = [None, obj.needs]
            elif default == "delete":
                changes = rules.deleted(_values(state))
            else:
                changes = _update(state)
                if not changes and state not in marks:
                    continue  # touched, nothing audited changed (a version stamp)
            rows.append(event_row(actor, marks.get(state, default), record_type,
                                  state.dict.get("id"), changes, at))
    if rows:
        session.connection().execute(insert(AuditEvent), rows)
