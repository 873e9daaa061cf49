"""Tasks: generated from needs, added by hand, moved along R9 with who/when/why kept."""

from sqlalchemy import and_, exists, not_, select

from service import names, scope
from service.assignments.models import VillageAssignment
from service.audit.recorder import mark
from service.context import Context
from service.households.models import Household
from service.listing import Listing
from service.messages import _
from service.records import Precondition, apply_changes
from service.tasks import rules
from service.tasks.models import Task, TaskTransition


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


def sync_generated_tasks(ctx: Context, household: Household) -> None:
    """Give each need its task (once) and close the tasks of needs that went away."""
    session, today = ctx.session, ctx.clock.today()
    hold_village(session, household.id)
    live = live_generated(session, household.id)
    for category in rules.needs_to_open(household.needs, set(live)):
        session.add(Task(household_id=household.id, source="generated",
                         **rules.template_for(category, today)))
    for category in rules.categories_to_close(household.needs, set(live)):
        live[category].closed_on = today
        live[category].closed_reason = rules.NEED_REMOVED


def open_task_condition():
    """Tasks that still block withdrawal (R5): not done/verified and not closed."""
    return and_(Task.status.not_in(rules.FINISHED), Task.closed_on.is_(None))


def overdue_task_condition(today):
    """rules.is_overdue as SQL: past its due date, neither finished nor closed."""
    return and_(open_task_condition(), Task.due_on < today)


def shown(ctx: Context, tasks: list[Task]) -> list[dict]:
    """Tasks as a table shows them: each with its household's head, village, unit and current
    cadre by name (one query for the lot) and whether, and how many days, it is overdue."""
    today = ctx.clock.today()
    named = names.of_households(ctx.session, [t.household_id for t in tasks])
    return [_present(t, today, named[t.household_id]) for t in tasks]


def _present(task: Task, today, named: dict) -> dict:
    data = {c: getattr(task, c) for c in (
        "id", "household_id", "category", "description", "target", "due_on", "status",
        "source", "closed_on", "closed_reason", "created_at", "updated_at")}
    data["overdue"] = rules.is_overdue(task.status, task.closed_on is not None, task.due_on,
                                       today)
    data["days_overdue"] = rules.days_overdue(task.status, task.closed_on is not None,
                                              task.due_on, today)
    for key in ("household_head_name", "village_name", "unit_id", "unit_name", "cadre_id",
                "cadre_name"):
        data[key] = named[key]
    return data


def list_tasks(ctx: Context, args: dict) -> Listing:
    """Tasks in scope with filters."""
    today = ctx.clock.today()
    stmt = scope.household_filters(scope.within(select(Task), ctx.caller, Task),
                                   Task.household_id, args)
    stmt = stmt.order_by(Task.due_on, Task.id)
    for key in ("category", "status", "source"):
        if args.get(key):
            stmt = stmt.where(getattr(Task, key) == args[key])
    if args.get("closed") is not None:
        stmt = stmt.where(Task.closed_on.is_not(None) if args["closed"]
                          else Task.closed_on.is_(None))
    if args.get("overdue") is not None:
        late = overdue_task_condition(today)
        stmt = stmt.where(late if args["overdue"] else not_(late))
    return Listing(stmt, present=lambda items: shown(ctx, items),
                   sorts={"household_head_name": names.household_head_of(Task.household_id),
                          "unit_name": names.holding_unit_name_of(Task.household_id)})


def get_task(ctx: Context, task_id: int) -> Task:
    """One task in scope, or 404."""
    return scope.find(ctx.session, ctx.caller, Task, task_id, _("task"))


def detail(ctx: Context, task: Task) -> dict:
    """A task with its transition history."""
    data = shown(ctx, [task])[0]
    data["transitions"] = ctx.session.scalars(select(TaskTransition).where(
        TaskTransition.task_id == task.id).order_by(TaskTransition.id)).all()
    return data


def create_task(ctx: Context, data: dict) -> Task:
    """Add a task by hand."""
    session = ctx.session
    household = scope.reference(session, ctx.caller, Household, data["household_id"],
                                "household_id", _("household"))
    hold_village(session, household.id)
    task = Task(source="manual", **data)
    session.add(task)
    session.flush()
    return task


def update_task(ctx: Context, task_id: int, changes: dict,
                precondition: Precondition = None) -> Task:
    """Edit a task's wording, target or due date."""
    task = get_task(ctx, task_id)
    apply_changes(task, changes, precondition)
    ctx.session.flush()
    return task


def delete_task(ctx: Context, task_id: int, precondition: Precondition = None) -> None:
    """Delete a hand-made task entered by mistake, while it never moved."""
    session = ctx.session
    task = get_task(ctx, task_id)
    moved = session.scalar(select(exists().where(TaskTransition.task_id == task.id)))
    rules.check_deletable(task.source, task.status, moved)
    if precondition is not None:
        precondition(task)
    session.delete(task)
    session.flush()


def transition(ctx: Context, task_id: int, to: str, note: str | None) -> Task:
    """Move a task along R9, keeping who, when and the note."""
    session, caller = ctx.session, ctx.caller
    task = get_task(ctx, task_id)
    rules.check_transition(task.status, to, caller.role, note, task.closed_on is not None)
    if to == "in_progress":
        hold_village(session, task.household_id)  # a reopened task blocks withdrawal again
    session.add(TaskTransition(task_id=task.id, from_status=task.status, to_status=to,
                               note=note, user_id=caller.user_id))
    task.status = to
    mark(session, task, "transition")
    session.flush()
    return task
