"""Data scope: which rows each role may see (SPEC §4 Roles). Used by every service."""

from sqlalchemy import Select, select

from service.assignments.models import VillageAssignment
from service.context import Caller
from service.errors import Forbidden, NotFound
from service.pairings.models import Pairing


def held_village_ids(unit_id: int | None) -> Select:
    """Villages the unit holds now (active 包村)."""
    return select(VillageAssignment.village_id).where(
        VillageAssignment.unit_id == unit_id, VillageAssignment.ended_on.is_(None)
    )


def paired_household_ids(cadre_id: int | None) -> Select:
    """Households the cadre is actively paired with (联户)."""
    return select(Pairing.household_id).where(
        Pairing.cadre_id == cadre_id, Pairing.ended_on.is_(None)
    )


def village_is_held_by(session, unit_id: int | None, village_id: int) -> bool:
    """True when the unit holds the village now."""
    held = held_village_ids(unit_id).where(VillageAssignment.village_id == village_id)
    return session.scalar(held.limit(1)) is not None


def village_is_held(session, caller: Caller, village_id: int) -> bool:
    """True when the caller's unit holds the village."""
    return village_is_held_by(session, caller.unit_id, village_id)


def get_or_404(session, model, record_id: int, what: str):
    """Load a row by id or raise 404."""
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(f"No {what} with id {record_id}.")
    return record


def hidden(what: str, record_id: int) -> NotFound:
    """Outside scope reads look exactly like a missing record, so existence does not leak."""
    return NotFound(f"No {what} with id {record_id}.")


def refuse(detail: str) -> Forbidden:
    """A write outside the caller's scope."""
    return Forbidden(detail)


def households_in_scope(caller: Caller, household_id_column):
    """A condition limiting rows about households to the caller's scope (None: no limit)."""
    from service.households.models import Household

    if caller.role == "unit_admin":
        return household_id_column.in_(select(Household.id).where(
            Household.village_id.in_(held_village_ids(caller.unit_id))))
    if caller.role == "cadre":
        return household_id_column.in_(paired_household_ids(caller.cadre_id))
    return None


def household_filters(stmt, household_id_column, args: dict):
    """Apply the usual household_id / village_id / unit_id / cadre_id filters."""
    from service.households.models import Household

    if args.get("household_id") is not None:
        stmt = stmt.where(household_id_column == args["household_id"])
    if args.get("village_id") is not None:
        stmt = stmt.where(household_id_column.in_(
            select(Household.id).where(Household.village_id == args["village_id"])))
    if args.get("unit_id") is not None:
        stmt = stmt.where(household_id_column.in_(select(Household.id).where(
            Household.village_id.in_(held_village_ids(args["unit_id"])))))
    if args.get("cadre_id") is not None:
        stmt = stmt.where(household_id_column.in_(paired_household_ids(args["cadre_id"])))
    return stmt
