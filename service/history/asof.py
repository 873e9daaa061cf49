"""Facts as they stood at a moment: the latest version at or before it, or, for a record first
entered later than that, the earliest version (the record as it was first known)."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from service.history.models import CadreVersion, HouseholdVersion, UnitVersion

KEYS = {CadreVersion: "cadre_id", HouseholdVersion: "household_id", UnitVersion: "unit_id"}


def load_versions(session, model, ids: Iterable[int]) -> dict[int, list]:
    """Every version of these records, oldest first."""
    ids = list(set(ids))
    if not ids:
        return {}
    key = getattr(model, KEYS[model])
    out: dict[int, list] = {}
    for row in session.scalars(select(model).where(key.in_(ids))
                               .order_by(key, model.valid_from, model.id)):
        out.setdefault(getattr(row, KEYS[model]), []).append(row)
    return out


def pick(versions: list, moment: datetime):
    """The version in force at `moment` (versions oldest first), or None when there are none."""
    chosen = versions[0] if versions else None
    for version in versions:
        if version.valid_from > moment:
            break
        chosen = version
    return chosen
