"""The one scope policy (SPEC §4 Roles, §7): which rows of each model a caller may see, which it
may change, and which personal fields of a household it may read. Every list, read and write in
the services asks here; nothing else branches on a caller's role (auth checks the role an
endpoint admits; a rule may take a role as a plain value where the rule is about roles).

For each model and role the policy is ALL (every row), NONE (no row), or a condition on the
model's rows built from the caller. A caller of None is the command line, which sees and changes
everything; ANONYMOUS (role "public") is whoever calls a public endpoint.
"""

from sqlalchemy import ColumnElement, Select, String, and_, cast, false, or_, select

from service.assignments.models import VillageAssignment
from service.audit.models import AuditEvent
from service.cadres.models import Cadre
from service.contacts.models import ContactPoint, PartyOrganization
from service.context import Caller
from service.demands.models import Demand
from service.disclosures.models import Disclosure
from service.exceptions import Forbidden, NotFound, ValidationFailed
from service.households.models import Household
from service.inspections.models import Inspection
from service.messages import _
from service.pairings.models import Pairing
from service.places.models import Township, Village
from service.planner.models import PairingPlan
from service.tasks.models import Task
from service.units.models import Unit
from service.users.models import User
from service.visits.models import Visit

ROLES = ("county_admin", "unit_admin", "cadre", "inspector", "public")

ALL = "all"
NONE = "none"


# --- the sets the conditions are made of --------------------------------------------------


def held_village_ids(unit_id: int | None) -> Select:
    """Villages the unit holds now (active 包村)."""
    return select(VillageAssignment.village_id).where(
        VillageAssignment.unit_id == unit_id, VillageAssignment.ended_on.is_(None))


def paired_household_ids(cadre_id: int | None) -> Select:
    """Households the cadre is actively paired with (联户)."""
    return select(Pairing.household_id).where(
        Pairing.cadre_id == cadre_id, Pairing.ended_on.is_(None))


def unit_holds_village(session, unit_id: int | None, village_id: int) -> bool:
    """True when the unit holds the village now."""
    held = held_village_ids(unit_id).where(VillageAssignment.village_id == village_id)
    return session.scalar(held.limit(1)) is not None


def unit_cadre_ids(unit_id: int | None) -> Select:
    """The unit's cadres."""
    return select(Cadre.id).where(Cadre.unit_id == unit_id)


def _about_households(column) -> dict:
    """Rows about a household (tasks, demands): as the household itself is seen."""
    return {
        "county_admin": ALL, "inspector": ALL, "public": NONE,
        "unit_admin": lambda c: column.in_(select(Household.id).where(
            Household.village_id.in_(held_village_ids(c.unit_id)))),
        "cadre": lambda c: column.in_(paired_household_ids(c.cadre_id)),
    }


def _everyone() -> dict:
    return dict.fromkeys(ROLES, ALL)


def _staff() -> dict:
    return {**dict.fromkeys(ROLES, ALL), "public": NONE}


# --- the policy: rows each role may see ---------------------------------------------------

SEE: dict[type, dict[str, object]] = {
    Township: _staff(),
    Village: _staff(),
    Unit: _staff(),
    PartyOrganization: _staff(),
    Disclosure: _everyone(),  # published for anyone to read and verify
    Cadre: {**_staff(),
            "unit_admin": lambda c: Cadre.unit_id == c.unit_id,
            "cadre": lambda c: Cadre.id == c.cadre_id},
    Household: {**_staff(),
                "unit_admin": lambda c: Household.village_id.in_(held_village_ids(c.unit_id)),
                "cadre": lambda c: Household.id.in_(paired_household_ids(c.cadre_id))},
    # A unit's own villages: its admin and its cadres see which unit holds what.
    VillageAssignment: {**_staff(),
                        "unit_admin": lambda c: VillageAssignment.unit_id == c.unit_id,
                        "cadre": lambda c: VillageAssignment.unit_id == c.unit_id},
    Pairing: {**_staff(),
              "unit_admin": lambda c: Pairing.cadre_id.in_(unit_cadre_ids(c.unit_id)),
              "cadre": lambda c: Pairing.cadre_id == c.cadre_id},
    ContactPoint: {**_staff(),
                   "unit_admin": lambda c: ContactPoint.cadre_id.in_(unit_cadre_ids(c.unit_id)),
                   "cadre": lambda c: ContactPoint.cadre_id == c.cadre_id},
    Task: _about_households(Task.household_id),
    Demand: _about_households(Demand.household_id),
    # Visits (their diaries) stay with the unit whose households they are about: a cadre who
    # moves to another unit does not take them along to its new admin. A cadre reads its own.
    Visit: {**_about_households(Visit.household_id),
            "cadre": lambda c: Visit.cadre_id == c.cadre_id},
    Inspection: {**dict.fromkeys(ROLES, NONE), "county_admin": ALL, "inspector": ALL},
    AuditEvent: {**dict.fromkeys(ROLES, NONE), "county_admin": ALL, "inspector": ALL,
                 "unit_admin": lambda c: unit_events(c)},
    User: {**dict.fromkeys(ROLES, lambda c: User.id == c.user_id), "county_admin": ALL,
           "public": NONE},
}


def unit_events(c: Caller) -> ColumnElement:
    """A unit admin's audit trail: events on its unit's own records, each kind of record as
    this policy lets the unit admin see or change it — the unit itself, the villages it holds
    and their publications, its village assignments, its cadres with their pairings and
    contact points, the households of its villages with their tasks, demands and visits, its
    accounts (its admins' and its cadres') and its pairing plans. Never the county's own
    records (townships, party organisations), inspections (no unit admin sees them), another
    unit's, or a record since deleted (nothing says whose it was). A record that moves (a
    household to another unit's village, a cadre to another unit) shows its whole history
    where it is now, as its rows do."""
    role = "unit_admin"

    def ids(model, condition) -> Select:
        return select(cast(model.id, String)).where(condition)

    kinds = {
        "unit": ids(Unit, MANAGE[Unit][role](c)),
        "village": ids(Village, MANAGE[Village][role](c)),
        "disclosure": ids(Disclosure, Disclosure.village_id.in_(held_village_ids(c.unit_id))),
        "user": ids(User, User.unit_id == c.unit_id),
        "pairing_plan": ids(PairingPlan, PairingPlan.unit_id == c.unit_id),
        **{record_type: ids(model, SEE[model][role](c)) for record_type, model in (
            ("village_assignment", VillageAssignment), ("cadre", Cadre), ("pairing", Pairing),
            ("contact_point", ContactPoint), ("household", Household), ("task", Task),
            ("demand", Demand), ("visit", Visit))},
    }
    return or_(*(and_(AuditEvent.record_type == kind, AuditEvent.record_id.in_(records))
                 for kind, records in kinds.items()))


# --- rows each role may change, where that differs from what it sees ----------------------

MANAGE: dict[type, dict[str, object]] = {
    # Everyone reads units and villages; a unit admin acts on its own unit and the villages it
    # holds (registers households there, prints their contact cards).
    Unit: {**dict.fromkeys(ROLES, NONE), "county_admin": ALL,
           "unit_admin": lambda c: Unit.id == c.unit_id},
    Village: {**dict.fromkeys(ROLES, NONE), "county_admin": ALL,
              "unit_admin": lambda c: Village.id.in_(held_village_ids(c.unit_id))},
}

# --- reports over units (coverage): the whole county, or only the caller's own unit --------

OWN_UNIT = "own_unit"
REPORTS: dict[str, str] = {"county_admin": ALL, "inspector": ALL, "unit_admin": OWN_UNIT,
                           "cadre": OWN_UNIT, "public": NONE}

# --- personal data of a household each role may read (SPEC §7) ----------------------------

PERSONAL = ("card_code", "id_number", "income_per_capita", "phone")
SEES_PERSONAL: dict[str, frozenset[str]] = {
    "county_admin": frozenset(PERSONAL),
    "unit_admin": frozenset({"id_number", "phone", "income_per_capita"}),
    "cadre": frozenset({"phone", "income_per_capita"}),
    "inspector": frozenset(),
    "public": frozenset(),
}


# --- asking the policy ----------------------------------------------------------------------


def _condition(policy: dict, caller: Caller | None, model: type) -> ColumnElement | None:
    if caller is None:
        return None
    rule = policy[model][caller.role]
    if rule == ALL:
        return None
    if rule == NONE:
        return false()
    return rule(caller)


def visible(caller: Caller | None, model: type) -> ColumnElement | None:
    """The condition on `model`'s rows that the caller may see; None: every row."""
    return _condition(SEE, caller, model)


def manageable(caller: Caller | None, model: type) -> ColumnElement | None:
    """The condition on `model`'s rows that the caller may change; None: every row."""
    return _condition(MANAGE if model in MANAGE else SEE, caller, model)


def within(stmt: Select, caller: Caller | None, model: type) -> Select:
    """`stmt` limited to the rows of `model` the caller may see."""
    condition = visible(caller, model)
    return stmt if condition is None else stmt.where(condition)


def _missing(what: str, record_id) -> NotFound:
    return NotFound(_("No %(what)s with id %(id)s.", what=what, id=record_id))


def _record(session, condition: ColumnElement | None, model: type, record_id):
    """The record with this id that meets `condition` (None: any), or None."""
    if condition is None:
        return session.get(model, record_id)
    return session.scalar(select(model).where(model.id == record_id, condition))


def find(session, caller: Caller | None, model: type, record_id, what: str,
         manage: bool = False):
    """The record the caller may see (or, with `manage`, change); 404 when it is missing or
    outside scope alike, so existence does not leak."""
    record = _record(session, (manageable if manage else visible)(caller, model), model,
                     record_id)
    if record is None:
        raise _missing(what, record_id)
    return record


def find_row(session, caller: Caller | None, model: type, stmt: Select, record_id,
             what: str):
    """The row of `stmt` (a select of `model` with what it joins) for a record the caller may
    see, in one statement; 404 as `find`."""
    row = session.execute(within(stmt, caller, model).where(model.id == record_id)).first()
    if row is None:
        raise _missing(what, record_id)
    return row


def reference(session, caller: Caller | None, model: type, record_id, field: str, what: str):
    """The record a request's body names, when the caller may change or build on it; else 422
    naming the field, in the same words whether the record is missing or outside the caller's
    scope (SPEC §9 "no oracle": a write never tells one from the other)."""
    record = _record(session, manageable(caller, model), model, record_id)
    if record is None:
        raise ValidationFailed({field: [_("no %(what)s with id %(id)s in your scope", what=what,
                                           id=record_id)]})
    return record


def personal_fields(caller: Caller | None) -> frozenset[str]:
    """The household fields of personal data the caller may read unmasked."""
    return frozenset(PERSONAL) if caller is None else SEES_PERSONAL[caller.role]


def pinned_to_own_unit(caller: Caller | None, args: dict, detail: str) -> dict:
    """Filters pinned to the caller's unit when the caller sees only its unit's records (a unit
    admin's reports); asking for another unit is refused (403)."""
    if caller is None or REPORTS[caller.role] == ALL:
        return args
    if REPORTS[caller.role] == NONE or args.get("unit_id") not in (None, caller.unit_id):
        raise Forbidden(detail)
    return {**args, "unit_id": caller.unit_id}



def household_filters(stmt: Select, household_id_column, args: dict) -> Select:
    """The usual household_id / village_id / unit_id / cadre_id filters of rows about
    households (tasks, demands), by the same sets the policy uses."""
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
