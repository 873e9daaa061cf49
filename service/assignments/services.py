"""Village assignments (包村): one active unit per village (R6), history kept."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.api import paginate
from service.assignments.models import VillageAssignment
from service.cadres.models import Cadre
from service.context import Caller
from service.errors import Conflict
from service.households.models import Household
from service.pairings.models import Pairing
from service.places.models import Village
from service.records import end_date, require_records, start_date
from service.scope import hidden
from service.tasks.models import Task
from service.tasks.services import open_task_condition
from service.units.models import Unit


class VillageAlreadyAssigned(Conflict):
    code, title = "village_already_assigned", "The village is already held by a unit (R6)"


class ActivePairingsRemain(Conflict):
    code, title = "active_pairings_remain", "Active pairings would be left behind"


class OpenTasksRemain(Conflict):
    code, title = "open_tasks_remain", "Tasks in the village are not finished (R5)"


class AssignmentAlreadyEnded(Conflict):
    code, title = "assignment_already_ended", "The assignment has already ended"


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


def _visible(stmt, caller: Caller):
    if caller.role in ("unit_admin", "cadre"):
        return stmt.where(VillageAssignment.unit_id == caller.unit_id)
    return stmt


def list_assignments(session, caller: Caller, args: dict) -> dict:
    """Assignments in scope, newest first, with filters."""
    stmt = _visible(_select(), caller).order_by(VillageAssignment.started_on.desc(),
                                                VillageAssignment.id.desc())
    for key in ("unit_id", "village_id"):
        if args.get(key) is not None:
            stmt = stmt.where(getattr(VillageAssignment, key) == args[key])
    if args.get("township_id") is not None:
        stmt = stmt.where(Village.township_id == args["township_id"])
    if args.get("active") is not None:
        stmt = stmt.where(VillageAssignment.ended_on.is_(None) if args["active"]
                          else VillageAssignment.ended_on.is_not(None))
    page = paginate(session, stmt, args, rows=True)
    page["items"] = [_present(r) for r in page["items"]]
    return page


def get_assignment(session, caller: Caller | None, assignment_id: int) -> dict:
    """One assignment in the caller's scope (no caller: the service's own read)."""
    stmt = _select().where(VillageAssignment.id == assignment_id)
    row = session.execute(_visible(stmt, caller) if caller else stmt).first()
    if row is None:
        raise hidden("village assignment", assignment_id)
    return _present(row)


def create_assignment(session, data: dict, today) -> dict:
    """Give a village to a unit; refused while another unit holds it (R6)."""
    require_records(session, {"unit_id": (Unit, data["unit_id"]),
                              "village_id": (Village, data["village_id"])})
    started_on = start_date(data, today)
    holder = session.scalar(select(VillageAssignment.unit_id).where(
        VillageAssignment.village_id == data["village_id"], VillageAssignment.ended_on.is_(None)))
    if holder is not None:
        raise VillageAlreadyAssigned(
            f"Village {data['village_id']} is held by unit {holder}; end that assignment first.",
            village_id=data["village_id"], unit_id=holder)
    assignment = VillageAssignment(unit_id=data["unit_id"], village_id=data["village_id"],
                                   started_on=started_on)
    session.add(assignment)
    try:
        session.flush()
    except IntegrityError:
        # Another request assigned the village between our check and our insert.
        session.rollback()
        raise VillageAlreadyAssigned(f"Village {data['village_id']} was just assigned.",
                                     village_id=data["village_id"]) from None
    session.commit()
    return get_assignment(session, None, assignment.id)


def end_assignment(session, assignment_id: int, data: dict, today) -> dict:
    """End a unit's hold on a village; its active pairings there must end first or with it."""
    # Lock first: a pairing being written for this village either finishes before we count
    # (and is counted) or waits and then finds the village no longer held.
    assignment = session.get(VillageAssignment, assignment_id, with_for_update=True)
    if assignment is None:
        raise hidden("village assignment", assignment_id)
    if assignment.ended_on is not None:
        raise AssignmentAlreadyEnded(f"Assignment {assignment_id} ended on {assignment.ended_on}.")
    ended_on = end_date(assignment, data, today)
    # R5 (不完成不撤村): no role, no flag, gets past unfinished tasks in the village.
    open_tasks = session.scalars(
        select(Task.id).join(Household, Household.id == Task.household_id)
        .where(Household.village_id == assignment.village_id, open_task_condition())
        .order_by(Task.id)).all()
    if open_tasks:
        raise OpenTasksRemain(
            f"{len(open_tasks)} tasks in this village are not done or verified; the unit stays "
            "until they are.", count=len(open_tasks), task_ids=open_tasks[:200])
    pairings = session.scalars(
        select(Pairing).join(Cadre, Cadre.id == Pairing.cadre_id)
        .join(Household, Household.id == Pairing.household_id)
        .where(Cadre.unit_id == assignment.unit_id,
               Household.village_id == assignment.village_id,
               Pairing.ended_on.is_(None))).all()
    if pairings and not data.get("end_pairings"):
        raise ActivePairingsRemain(
            f"{len(pairings)} active pairings of this unit remain in the village; hand them over "
            "or send end_pairings: true.", pairing_ids=[p.id for p in pairings])
    for pairing in pairings:
        pairing.ended_on = max(ended_on, pairing.started_on)
        pairing.end_reason = f"包村结束: {data['reason']}"[:200]
    assignment.ended_on = ended_on
    assignment.end_reason = data["reason"]
    session.commit()
    return get_assignment(session, None, assignment.id)
