"""Village assignments (包村): one active unit per village (R6), history kept."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service import scope
from service.assignments import rules
from service.assignments.models import VillageAssignment
from service.audit.recorder import mark
from service.cadres.models import Cadre
from service.context import Caller, Context
from service.exceptions import NotFound
from service.households.models import Household
from service.listing import Listing
from service.messages import _
from service.pairings.models import Pairing
from service.pairings.rules import ActivePairingsRemain
from service.places.models import Village
from service.records import end_date, require_records, start_date
from service.tasks.models import Task
from service.tasks.services import open_task_condition
from service.units.models import Unit


def _select():
    return (select(VillageAssignment, Unit.name, Village.name, Cadre.id, Cadre.name)
            .join(Unit, Unit.id == VillageAssignment.unit_id)
            .join(Village, Village.id == VillageAssignment.village_id)
            .outerjoin(Cadre, Cadre.id == Unit.head_cadre_id))


def _present(row) -> dict:
    a, unit_name, village_name, head_id, head_name = row
    return {"id": a.id, "unit_id": a.unit_id, "unit_name": unit_name, "village_id": a.village_id,
            "village_name": village_name, "started_on": a.started_on, "ended_on": a.ended_on,
            "end_reason": a.end_reason, "active": a.ended_on is None,
            "team_leader": {"cadre_id": head_id, "name": head_name} if head_id else None}


def list_assignments(ctx: Context, args: dict) -> Listing:
    """Assignments in scope, newest first, with filters."""
    stmt = scope.within(_select(), ctx.caller, VillageAssignment).order_by(
        VillageAssignment.started_on.desc(), VillageAssignment.id.desc())
    for key in ("unit_id", "village_id"):
        if args.get(key) is not None:
            stmt = stmt.where(getattr(VillageAssignment, key) == args[key])
    if args.get("township_id") is not None:
        stmt = stmt.where(Village.township_id == args["township_id"])
    if args.get("active") is not None:
        stmt = stmt.where(VillageAssignment.ended_on.is_(None) if args["active"]
                          else VillageAssignment.ended_on.is_not(None))
    return Listing(stmt, rows=True, present=lambda rows: [_present(r) for r in rows])


def _shown(ctx: Context, assignment_id: int, caller: Caller | None = None) -> dict:
    """The record as the API shows it; with a caller, only one in its scope (404 otherwise)."""
    row = scope.find_row(ctx.session, caller, VillageAssignment, _select(), assignment_id,
                         _("village assignment"))
    return _present(row)


def get_assignment(ctx: Context, assignment_id: int) -> dict:
    """One assignment in the caller's scope."""
    return _shown(ctx, assignment_id, ctx.caller)


def create_assignment(ctx: Context, data: dict) -> dict:
    """Give a village to a unit; refused while another unit holds it (R6)."""
    session = ctx.session
    require_records(session, {"unit_id": (Unit, data["unit_id"]),
                              "village_id": (Village, data["village_id"])})
    started_on = start_date(data, ctx.clock.today())
    holder = session.scalar(select(VillageAssignment.unit_id).where(
        VillageAssignment.village_id == data["village_id"], VillageAssignment.ended_on.is_(None)))
    if holder is not None:
        raise rules.VillageAlreadyAssigned(
            _("Village %(village_id)s is held by unit %(unit_id)s; end that assignment first.",
              village_id=data["village_id"], unit_id=holder),
            village_id=data["village_id"], unit_id=holder)
    assignment = VillageAssignment(unit_id=data["unit_id"], village_id=data["village_id"],
                                   started_on=started_on)
    session.add(assignment)
    try:
        session.flush()
    except IntegrityError:
        # Another request assigned the village between our check and our insert.
        session.rollback()
        raise rules.VillageAlreadyAssigned(_("Village %(village_id)s was just assigned.",
                                             village_id=data["village_id"]),
                                           village_id=data["village_id"]) from None
    return _shown(ctx, assignment.id)


def end_assignment(ctx: Context, assignment_id: int, data: dict) -> dict:
    """End a unit's hold on a village; its active pairings there must end first or with it."""
    session = ctx.session
    # Lock first: a pairing being written for this village either finishes before we count
    # (and is counted) or waits and then finds the village no longer held.
    assignment = session.get(VillageAssignment, assignment_id, with_for_update=True)
    if assignment is None:
        raise NotFound(_("No %(what)s with id %(id)s.", what=_("village assignment"),
                         id=assignment_id))
    if assignment.ended_on is not None:
        raise rules.AssignmentAlreadyEnded(_("Assignment %(id)s ended on %(day)s.",
                                             id=assignment_id,
                                             day=assignment.ended_on.isoformat()))
    ended_on = end_date(assignment, data, ctx.clock.today())
    rules.check_no_open_tasks(session.scalars(
        select(Task.id).join(Household, Household.id == Task.household_id)
        .where(Household.village_id == assignment.village_id, open_task_condition())
        .order_by(Task.id)).all())
    pairings = session.scalars(
        select(Pairing).join(Cadre, Cadre.id == Pairing.cadre_id)
        .join(Household, Household.id == Pairing.household_id)
        .where(Cadre.unit_id == assignment.unit_id,
               Household.village_id == assignment.village_id,
               Pairing.ended_on.is_(None))).all()
    if pairings and not data.get("end_pairings"):
        raise ActivePairingsRemain(
            _("%(count)s active pairings of this unit remain in the village; hand them over "
              "or send end_pairings: true.", count=len(pairings)),
            pairing_ids=[p.id for p in pairings])
    for pairing in pairings:
        pairing.ended_on = max(ended_on, pairing.started_on)
        pairing.end_reason = rules.pairing_end_reason(data["reason"])
        mark(session, pairing, "end")
    assignment.ended_on = ended_on
    assignment.end_reason = data["reason"]
    mark(session, assignment, "end")
    session.flush()
    return _shown(ctx, assignment.id)
