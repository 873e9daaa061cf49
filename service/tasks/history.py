"""Where tasks stood at a moment, from their transitions (reports of past months)."""

from datetime import datetime

from sqlalchemy import select

from service.tasks.models import TaskTransition


def status_as_of(session, task_ids: list[int], end: datetime) -> dict[int, str]:
    """Each task's status at `end`, for tasks that had moved by then (a task starts open)."""
    status: dict[int, str] = {}
    if task_ids:
        for task_id, to_status in session.execute(
                select(TaskTransition.task_id, TaskTransition.to_status)
                .where(TaskTransition.task_id.in_(task_ids), TaskTransition.at < end)
                .order_by(TaskTransition.task_id, TaskTransition.at, TaskTransition.id)):
            status[task_id] = to_status
    return status
