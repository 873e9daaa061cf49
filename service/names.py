"""The names a table shows next to ids (SPEC §15 "rows a table can show"): one query for a
whole page, whatever its length, so no list asks once per row (tests/api/test_names.py counts
the statements)."""

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from service.assignments.models import VillageAssignment
from service.cadres.models import Cadre
from service.households.models import Household
from service.listing import JoinedSort
from service.pairings.models import Pairing
from service.places.models import Township, Village
from service.units.models import Unit


def of_households(session, ids) -> dict[int, dict]:
    """For each household: its head's name, village and township, the unit holding the village
    now and the cadre of its active pairing (None when there is none)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(Household.id, Household.head_name, Village.name, Township.id, Township.name,
               Cadre.id, Cadre.name, Unit.id, Unit.name)
        .join(Village, Village.id == Household.village_id)
        .join(Township, Township.id == Village.township_id)
        .outerjoin(Pairing, and_(Pairing.household_id == Household.id,
                                 Pairing.ended_on.is_(None)))
        .outerjoin(Cadre, Cadre.id == Pairing.cadre_id)
        .outerjoin(VillageAssignment, and_(VillageAssignment.village_id == Village.id,
                                           VillageAssignment.ended_on.is_(None)))
        .outerjoin(Unit, Unit.id == VillageAssignment.unit_id)
        .where(Household.id.in_(ids)))
    return {hid: {"household_head_name": head, "village_name": village,
                  "township_id": township_id, "township_name": township,
                  "cadre_id": cadre_id, "cadre_name": cadre,
                  "unit_id": unit_id, "unit_name": unit}
            for hid, head, village, township_id, township, cadre_id, cadre, unit_id, unit
            in rows}


# Ids per statement when a list may be long (a county's plan): PostgreSQL takes at most 65,535
# parameters a statement, SQLite 32,766.
CHUNK = 5_000


def heads_and_villages(session, ids) -> dict[int, tuple[str, str]]:
    """Each household's head's name and village's name, for any number of households."""
    ids = sorted({i for i in ids if i is not None})
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), CHUNK):
        for hid, head, village in session.execute(
                select(Household.id, Household.head_name, Village.name)
                .join(Village, Village.id == Household.village_id)
                .where(Household.id.in_(ids[start:start + CHUNK]))):
            found[hid] = (head, village)
    return found


def of_cadres(session, ids) -> dict[int, str]:
    """Each cadre's name (for any number of cadres)."""
    ids = sorted({i for i in ids if i is not None})
    found: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(session.execute(select(Cadre.id, Cadre.name).where(
            Cadre.id.in_(ids[start:start + CHUNK]))).all())
    return found


def of_units(session, ids) -> dict[int, str]:
    """Each unit's name."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())


def of_villages(session, ids) -> dict[int, dict]:
    """Each village's name, and its township's."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(Village.id, Village.name, Township.id, Township.name)
        .join(Township, Township.id == Village.township_id).where(Village.id.in_(ids)))
    return {vid: {"village_name": name, "township_id": tid, "township_name": township}
            for vid, name, tid, township in rows}


def _named(model, column, attribute: str) -> JoinedSort:
    """A sort key: `attribute` of the record `column` names (a required reference), its table
    joined under a name of its own for the sort only. A join, not a subquery per row, so the
    database can read the names in order and stop at the page (households by village name:
    1.4 ms, not 244 ms, at county scale)."""
    other = aliased(model, name=f"sorted_{model.__tablename__}")
    return JoinedSort(other, other.id == column, getattr(other, attribute))


def village_name_of(column) -> JoinedSort:
    """A sort key: the name of the village `column` names."""
    return _named(Village, column, "name")


def household_head_of(column) -> JoinedSort:
    """A sort key: the head's name of the household `column` names."""
    return _named(Household, column, "head_name")


def cadre_name_of(column) -> JoinedSort:
    """A sort key: the name of the cadre `column` names."""
    return _named(Cadre, column, "name")


def unit_name_of(column) -> JoinedSort:
    """A sort key: the name of the unit `column` names."""
    return _named(Unit, column, "name")


def holding_unit_name_of(household_column):
    """A sort key: the name of the unit holding now the village of the household
    `household_column` names (a task's or a demand's unit, as the overview counts them)."""
    return (select(Unit.name)
            .join(VillageAssignment, and_(VillageAssignment.unit_id == Unit.id,
                                          VillageAssignment.ended_on.is_(None)))
            .join(Household, Household.village_id == VillageAssignment.village_id)
            .where(Household.id == household_column).scalar_subquery())
