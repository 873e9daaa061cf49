"""Households: scoped reads, masked personal data, admin writes."""

from sqlalchemy import exists, or_, select

from service import names, scope
from service.cadres.models import Cadre
from service.context import Context
from service.demands.models import Demand
from service.households.models import Household, HouseholdNeed
from service.households.rules import mask_id_number, mask_phone
from service.listing import Listing
from service.messages import _
from service.pairings.models import Pairing
from service.pairings.rules import VillageNotHeldByUnit
from service.places.models import Village
from service.records import Precondition, apply_changes, delete_unless_used
from service.tasks.models import Task, TaskTransition
from service.tasks.services import sync_generated_tasks
from service.unique import flush_unique
from service.visits.models import Visit


def present(household: Household, ctx: Context) -> dict:
    """One household as the caller may see it."""
    return shown(ctx, [household])[0]


def shown(ctx: Context, households: list[Household]) -> list[dict]:
    """Households as the caller may see them (SPEC §7: personal data by role), each with its
    village, township and current cadre by name (one query for the lot)."""
    sees = scope.personal_fields(ctx.caller)
    named = names.of_households(ctx.session, [h.id for h in households])
    return [_present(h, sees, named[h.id]) for h in households]


def _present(household: Household, sees: frozenset[str], named: dict) -> dict:
    income = household.income_per_capita
    return {
        "id": household.id,
        "village_id": household.village_id,
        "village_name": named["village_name"],
        "township_id": named["township_id"],
        "township_name": named["township_name"],
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
        "cadre_id": named["cadre_id"],
        "cadre_name": named["cadre_name"],
        "masked": sorted(set(scope.PERSONAL) - sees),
    }


# A fragment of an ID number or a phone this short would match too many to be a search.
SEARCH_MIN_DIGITS = 4


def search(q: str, sees: frozenset[str]):
    """SPEC §15: households whose head's name contains `q`, or, for a caller who reads them
    unmasked, whose ID number or phone contains it (at least SEARCH_MIN_DIGITS characters):
    a caller never finds a household by a field it may not read."""
    found = [Household.head_name.ilike(f"%{_escaped(q)}%", escape="\\")]
    text = q.strip().upper()
    digits = text[:-1] if text.endswith("X") else text  # an ID number may end in X
    if len(text) >= SEARCH_MIN_DIGITS and digits.isdigit():
        if "id_number" in sees:
            found.append(Household.id_number.like(f"%{text}%"))
        if "phone" in sees and text.isdigit():
            found.append(Household.phone.like(f"%{text}%"))
    return or_(*found)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_households(ctx: Context, args: dict) -> Listing:
    """Households in the caller's scope, with filters, masked for the role."""
    stmt = scope.within(select(Household), ctx.caller, Household).order_by(
        Household.village_id, Household.id)
    if args.get("village_id") is not None:
        stmt = stmt.where(Household.village_id == args["village_id"])
    if args.get("township_id") is not None:
        stmt = stmt.where(Household.village_id.in_(
            select(Village.id).where(Village.township_id == args["township_id"])))
    if args.get("unit_id") is not None:
        stmt = stmt.where(Household.village_id.in_(scope.held_village_ids(args["unit_id"])))
    if args.get("difficulty"):
        stmt = stmt.where(Household.difficulty == args["difficulty"])
    if args.get("need"):
        stmt = stmt.where(exists().where(HouseholdNeed.household_id == Household.id,
                                         HouseholdNeed.need == args["need"]))
    if args.get("q"):
        stmt = stmt.where(search(args["q"], scope.personal_fields(ctx.caller)))
    return Listing(stmt, present=lambda items: shown(ctx, items),
                   sorts={"village_name": names.village_name_of(Household.village_id)})


def get_household(ctx: Context, household_id: int) -> Household:
    """One household, or 404 when missing or outside scope."""
    return scope.find(ctx.session, ctx.caller, Household, household_id, _("household"))


def _check_village(ctx: Context, village_id: int) -> None:
    scope.reference(ctx.session, ctx.caller, Village, village_id, "village_id", _("village"))


def create_household(ctx: Context, data: dict) -> Household:
    """Register a household in a village."""
    _check_village(ctx, data["village_id"])
    needs = data.pop("needs", [])
    household = Household(**data)
    household.needs = needs
    ctx.session.add(household)
    flush_unique(ctx.session, "households", household)
    sync_generated_tasks(ctx, household)
    ctx.session.flush()
    return household


def update_household(ctx: Context, household_id: int, changes: dict,
                     precondition: Precondition = None) -> Household:
    """Edit a household in scope."""
    session = ctx.session
    household = get_household(ctx, household_id)
    if "village_id" in changes and changes["village_id"] != household.village_id:
        session.refresh(household, with_for_update=True)  # the pairing trigger shares this lock
        _check_village(ctx, changes["village_id"])
        unit_id = session.scalar(select(Cadre.unit_id).join(Pairing, Pairing.cadre_id == Cadre.id)
                                 .where(Pairing.household_id == household.id,
                                        Pairing.ended_on.is_(None)))
        if unit_id is not None and not scope.unit_holds_village(session, unit_id,
                                                                changes["village_id"]):
            raise VillageNotHeldByUnit(unit_id, changes["village_id"])
    apply_changes(household, changes, precondition)
    if "needs" in changes:
        # Needs live in their own rows; touch the household so its version (ETag) moves too.
        household.updated_at = ctx.clock.now()
    flush_unique(session, "households", household)
    if "needs" in changes:
        sync_generated_tasks(ctx, household)
    session.flush()
    return household


def delete_household(ctx: Context, household_id: int, precondition: Precondition = None) -> None:
    """Delete a household that was never paired (history is kept otherwise)."""
    household = get_household(ctx, household_id)
    worked_on = Task.id.in_(select(TaskTransition.task_id))
    # A household entered by mistake takes its untouched generated tasks with it.
    tasks = ctx.session.scalars(select(Task).where(Task.household_id == household.id)).all()
    delete_unless_used(ctx.session, household, [
        ("pairings", Pairing.household_id == household.id),
        ("tasks under way", (Task.household_id == household.id)
         & ((Task.status != "open") | worked_on)),
        ("demands", Demand.household_id == household.id),
        ("visits", Visit.household_id == household.id)],
        along=tasks, precondition=precondition)
