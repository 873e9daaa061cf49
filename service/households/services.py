"""Households: scoped reads, masked personal data, admin writes."""

from sqlalchemy import delete, exists, select

from service.api import paginate
from service.cadres.models import Cadre
from service.clock import utcnow
from service.context import Caller
from service.demands.models import Demand
from service.errors import ValidationFailed
from service.households.models import Household, HouseholdNeed
from service.households.rules import mask_id_number, mask_phone
from service.pairings.models import Pairing
from service.pairings.rules import VillageNotHeldByUnit
from service.places.models import Village
from service.records import apply_changes, delete_unless_used
from service.scope import (
    held_village_ids,
    hidden,
    paired_household_ids,
    refuse,
    village_is_held,
    village_is_held_by,
)
from service.tasks.models import Task, TaskTransition
from service.tasks.services import sync_generated_tasks
from service.unique import flush_unique
from service.visits.models import Visit

# What each role may see of a household's personal data (SPEC §7).
_FULL = {"id_number", "phone", "income_per_capita"}
SEES = {
    "county_admin": _FULL | {"card_code"},
    "unit_admin": _FULL,
    "cadre": {"phone", "income_per_capita"},
    "inspector": set(),
}


def present(household: Household, caller: Caller) -> dict:
    """The household as the caller may see it."""
    sees = SEES[caller.role]
    income = household.income_per_capita
    return {
        "id": household.id,
        "village_id": household.village_id,
        "head_name": household.head_name,
        "id_number": household.id_number if "id_number" in sees
        else mask_id_number(household.id_number),
        "phone": household.phone if "phone" in sees or household.phone is None
        else mask_phone(household.phone),
        "members": household.members,
        "difficulty": household.difficulty,
        "needs": household.needs,
        "income_per_capita": float(income) if income is not None and "income_per_capita" in sees
        else None,
        "card_code": household.card_code if "card_code" in sees else None,
        "masked": sorted((_FULL | {"card_code"}) - sees),
    }


def _visible(stmt, caller: Caller):
    if caller.role == "unit_admin":
        return stmt.where(Household.village_id.in_(held_village_ids(caller.unit_id)))
    if caller.role == "cadre":
        return stmt.where(Household.id.in_(paired_household_ids(caller.cadre_id)))
    return stmt


def list_households(session, caller: Caller, args: dict) -> dict:
    """Households in the caller's scope, with filters, masked for the role."""
    stmt = _visible(select(Household).order_by(Household.village_id, Household.id), caller)
    if args.get("village_id") is not None:
        stmt = stmt.where(Household.village_id == args["village_id"])
    if args.get("township_id") is not None:
        stmt = stmt.where(Household.village_id.in_(
            select(Village.id).where(Village.township_id == args["township_id"])))
    if args.get("unit_id") is not None:
        stmt = stmt.where(Household.village_id.in_(held_village_ids(args["unit_id"])))
    if args.get("difficulty"):
        stmt = stmt.where(Household.difficulty == args["difficulty"])
    if args.get("need"):
        stmt = stmt.where(exists().where(HouseholdNeed.household_id == Household.id,
                                         HouseholdNeed.need == args["need"]))
    if args.get("q"):
        stmt = stmt.where(Household.head_name.icontains(args["q"], autoescape=True))
    page = paginate(session, stmt, args)
    page["items"] = [present(h, caller) for h in page["items"]]
    return page


def get_household(session, caller: Caller, household_id: int) -> Household:
    """One household, or 404 when missing or outside scope."""
    household = session.scalar(
        _visible(select(Household).where(Household.id == household_id), caller))
    if household is None:
        raise hidden("household", household_id)
    return household


def _check_village(session, caller: Caller, village_id: int) -> None:
    if session.get(Village, village_id) is None:
        raise ValidationFailed({"village_id": [f"no village with id {village_id}"]})
    if caller.role == "unit_admin" and not village_is_held(session, caller, village_id):
        raise refuse("Your unit does not hold that village.")


def create_household(session, caller: Caller, data: dict, today) -> Household:
    """Register a household in a village."""
    _check_village(session, caller, data["village_id"])
    needs = data.pop("needs", [])
    household = Household(**data)
    household.needs = needs
    session.add(household)
    flush_unique(session, "households")
    sync_generated_tasks(session, household, today)
    session.commit()
    return household


def update_household(session, caller: Caller, household_id: int, changes: dict,
                     today) -> Household:
    """Edit a household in scope."""
    household = get_household(session, caller, household_id)
    if "village_id" in changes and changes["village_id"] != household.village_id:
        session.refresh(household, with_for_update=True)  # the pairing trigger shares this lock
        _check_village(session, caller, changes["village_id"])
        unit_id = session.scalar(select(Cadre.unit_id).join(Pairing, Pairing.cadre_id == Cadre.id)
                                 .where(Pairing.household_id == household.id,
                                        Pairing.ended_on.is_(None)))
        if unit_id is not None and not village_is_held_by(session, unit_id,
                                                          changes["village_id"]):
            raise VillageNotHeldByUnit(unit_id, changes["village_id"])
    apply_changes(household, changes)
    if "needs" in changes:
        # Needs live in their own rows; touch the household so its version (ETag) moves too.
        household.updated_at = utcnow()
    flush_unique(session, "households")
    if "needs" in changes:
        sync_generated_tasks(session, household, today)
    session.commit()
    return household


def delete_household(session, caller: Caller, household_id: int) -> None:
    """Delete a household that was never paired (history is kept otherwise)."""
    household = get_household(session, caller, household_id)
    worked_on = Task.id.in_(select(TaskTransition.task_id))
    delete_unless_used(session, household, [
        ("pairings", Pairing.household_id == household.id),
        ("tasks under way", (Task.household_id == household.id)
         & ((Task.status != "open") | worked_on)),
        ("demands", Demand.household_id == household.id),
        ("visits", Visit.household_id == household.id)],
        # A household entered by mistake takes its untouched generated tasks with it.
        cascade=[delete(Task).where(Task.household_id == household.id)])
