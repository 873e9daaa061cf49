"""Village assignments (包村): one active unit per village (R6), and a unit stays until the
village's tasks are finished (R5, 不完成不撤村).

The database backs R6 with a partial unique index (one active assignment per village); the
service maps its refusal to the same exception. R5 is checked under a lock on the assignment,
which task writes share (service/tasks/services.py hold_village)."""

from service.exceptions import Conflict
from service.messages import _


class VillageAlreadyAssigned(Conflict):
    code, title = "village_already_assigned", _("The village is already held by a unit (R6)")


class OpenTasksRemain(Conflict):
    code, title = "open_tasks_remain", _("Tasks in the village are not finished (R5)")


class AssignmentAlreadyEnded(Conflict):
    code, title = "assignment_already_ended", _("The assignment has already ended")


def check_no_open_tasks(open_task_ids: list[int]) -> None:
    """R5: no role, no flag, gets past unfinished tasks in the village."""
    if open_task_ids:
        raise OpenTasksRemain(
            _("%(count)s tasks in this village are not done or verified; the unit stays until "
              "they are.", count=len(open_task_ids)),
            count=len(open_task_ids), task_ids=open_task_ids[:200])


def pairing_end_reason(reason: str) -> str:
    """Why a pairing ended with its unit's hold on the village."""
    return f"包村结束: {reason}"[:200]
