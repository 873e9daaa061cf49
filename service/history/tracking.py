"""Write a version row whenever a tracked field of a cadre, household or unit is set."""

from datetime import UTC, datetime

from sqlalchemy import event, insert, inspect, literal, select
from sqlalchemy.orm import Session

from service.cadres.models import Cadre
from service.clock import utcnow
from service.db import UTCDateTime
from service.history.models import CadreVersion, HouseholdVersion, UnitVersion
from service.households.models import Household
from service.units.models import Unit

# model → (version table, foreign key column, fields copied)
TRACKED = {
    Cadre: (CadreVersion, "cadre_id", ("name", "unit_id", "rank")),
    Household: (HouseholdVersion, "household_id", ("village_id", "head_name", "difficulty")),
    Unit: (UnitVersion, "unit_id", ("name", "head_cadre_id")),
}


def _changed(obj, fields) -> bool:
    state = inspect(obj)
    return any(state.attrs[f].history.has_changes() for f in fields)


@event.listens_for(Session, "after_flush")
def _write_versions(session: Session, _context) -> None:
    """After the flush (ids known), one version row per new record or changed tracked field."""
    rows: dict = {}
    new = session.new  # a set built on each access: once per flush, not once per object
    for obj in list(new) + list(session.dirty):
        spec = TRACKED.get(type(obj))
        if spec is None:
            continue
        version, key, fields = spec
        if obj not in new and not _changed(obj, fields):
            continue
        rows.setdefault(version, []).append(
            {key: obj.id, "valid_from": utcnow(), **{f: getattr(obj, f) for f in fields}})
    for version, batch in rows.items():
        session.connection().execute(insert(version), batch)


FIRST_KNOWN = datetime(2000, 1, 1, tzinfo=UTC)


def seed_versions(session) -> None:
    """One "as first known" version for every record that has none (bulk loads bypass the
    flush listener)."""
    for model, (version, key, fields) in TRACKED.items():
        has = select(getattr(version, key))
        source = select(model.id, literal(FIRST_KNOWN, UTCDateTime()),
                        *[getattr(model, f) for f in fields]).where(model.id.not_in(has))
        session.execute(insert(version).from_select([key, "valid_from", *fields], source))
