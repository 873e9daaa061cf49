"""Tasks: generated from needs, added by hand, moved along R9 with who/when/why kept."""

from sqlalchemy import and_, exists, not_, select

from service.api import paginate
from service.assignments.models import VillageAssignment
from service.context import Caller
from service.errors import Conflict, Forbidden, ValidationFailed
from service.households.models import Household
from service.records import apply_changes
from service.scope import hidden, household_filters, households_in_scope
from service.tasks import rules
from service.tasks.models import Task, TaskTransition

NEED_REMOVED = "需求已撤销 (need removed from the household)"


class TaskInHistory(Conflict):
    code, title = "task_in_history", "Only a hand-made task that never moved can be deleted"


def live_generated(session, household_id: int) -> dict[str, Task]:
    """The household's generated tasks that are not closed, by category."""
    return {t.category: t for t in session.scalars(select(Task).where(
        Task.household_id == household_id, Task.source == "generated",
        Task.closed_on.is_(None)))}


def hold_village(session, household_id: int) -> None:
    """Share-lock the active assignment of the household's village: a unit ending it (R5,
    which locks it for update) waits for this task to land, then counts it."""
    session.execute(select(VillageAssignment.id).join(
        Household, Household.village_id == VillageAssignment.village_id)
        .where(Household.id == household_id, VillageAssignment.ended_on.is_(None))
        .with_for_update(read=True, of=VillageAssignment))


def sync_generated_tasks(session, household: Household, today) -> None:
    """Give each need its task (once) and close the tasks of needs that went away."""
    hold_village(session, household.id)
    live = live_generated(session, household.id)
    for category in rules.needs_to_open(household.needs, set(live)):
        session.add(Task(household_id=household.id, source="generated",
                         **rules.template_for(category, today)))
    for category in rules.categories_to_close(household.needs, set(live)):
        live[category].closed_on = today
        live[category].closed_reason = NEED_REMOVED


def open_task_condition():
    """Tasks that still block withdrawal (R5): not done/verified and not closed."""
    return and_(Task.status.not_in(rules.FINISHED), Task.closed_on.is_(None))


def present(task: Task, today) -> dict:
    """A task with its derived overdue flag."""
    data = {c: getattr(task, c) for c in (
        "id", "household_id", "category", "description", "target", "due_on", "status",
        "source", "closed_on", "closed_reason", "created_at", "updated_at")}
    data["overdue"] = rules.is_overdue(task.status, task.closed_on is not None, task.due_on,
                                       today)
    return data


def _visible(stmt, caller: Caller):
    condition = households_in_scope(caller, Task.household_id)
    return stmt if condition is None else stmt.where(condition)


def list_tasks(session, caller: Caller, args: dict, today) -> dict:
    """Tasks in scope with filters."""
    stmt = household_filters(_visible(select(Task), caller), Task.household_id, args)
    stmt = stmt.order_by(Task.due_on, Task.id)
    for key in ("category", "status", "source"):
        if args.get(key):
            stmt = stmt.where(getattr(Task, key) == args[key])
    if args.get("closed") is not None:
        stmt = stmt.where(Task.closed_on.is_not(None) if args["closed"]
                          else Task.closed_on.is_(None))
    if args.get("overdue") is not None:
        late = and_(open_task_condition(), Task.due_on < today)
        stmt = stmt.where(late if args["overdue"] else not_(late))
    page = paginate(session, stmt, args)
    page["items"] = [present(t, today) for t in page["items"]]
    return page


def get_task(session, caller: Caller, task_id: int) -> Task:
    """One task in scope, or 404."""
    task = session.scalar(_visible(select(Task).where(Task.id == task_id), caller))
    if task is None:
        raise hidden("task", task_id)
    return task


def detail(session, task: Task, today) -> dict:
    """A task with its transition history."""
    data = present(task, today)
    data["transitions"] = session.scalars(select(TaskTransition).where(
        TaskTransition.task_id == task.id).order_by(TaskTransition.id)).all()
    return data


def _household_in_scope(session, caller: Caller, household_id: int) -> None:
    stmt = select(Household.id).where(Household.id == household_id)
    condition = households_in_scope(caller, Household.id)
    if session.scalar(stmt) is None:
        raise ValidationFailed({"household_id": [f"no household with id {household_id}"]})
    if condition is not None and session.scalar(stmt.where(condition)) is None:
        raise Forbidden("That household is outside your scope.")


def create_task(session, caller: Caller, data: dict) -> Task:
    """Add a task by hand."""
    _household_in_scope(session, caller, data["household_id"])
    hold_village(session, data["household_id"])
    task = Task(source="manual", **data)
    session.add(task)
    session.commit()
    return task


def update_task(session, caller: Caller, task_id: int, changes: dict) -> Task:
    """Edit a task's wording, target or due date."""
    task = get_task(session, caller, task_id)
    apply_changes(task, changes)
    session.commit()
    return task


def delete_task(session, caller: Caller, task_id: int) -> None:
    """Delete a hand-made task entered by mistake, while it never moved."""
    task = get_task(session, caller, task_id)
    moved = session.scalar(select(exists().where(TaskTransition.task_id == task.id)))
    if task.source != "manual" or moved or task.status != "open":
        raise TaskInHistory("Generated tasks and tasks that moved stay in history.")
    apply_changes(task, {})
    session.delete(task)
    session.commit()


def transition(session, caller: Caller, task_id: int, to: str, note: str | None) -> Task:
    """Move a task along R9, keeping who, when and the note."""
    task = get_task(session, caller, task_id)
    rules.check_transition(task.status, to, caller.role, note, task.closed_on is not None)
    if to == "in_progress":
        hold_village(session, task.household_id)  # a reopened task blocks withdrawal again
    session.add(TaskTransition(task_id=task.id, from_status=task.status, to_status=to,
                               note=note, user_id=caller.user_id))
    task.status = to
    session.commit()
    return task
