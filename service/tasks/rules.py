"""包扶任务: one task per household need (doc 003 line 18) and the R9 life cycle."""

from datetime import date, timedelta

from service.exceptions import Conflict, Forbidden
from service.labels.table import word
from service.messages import _

STATUSES = ("open", "in_progress", "done", "verified")
FINISHED = ("done", "verified")
SOURCES = ("generated", "manual")

# Category → (description, default target, days until due): doc 003, line 18.
TEMPLATES: dict[str, tuple[str, str, int]] = {
    "low_income": ("低收入户: 帮助发展产业、拓宽门路, 完成增收任务",
                   "人均可支配收入达到当年脱贫标准以上", 365),
    "school_dropout": ("失学: 帮助筹集学费, 完成义务教育",
                       "适龄子女返校就读, 完成义务教育", 90),
    "unemployed_labor": ("有劳动力找不到就业门路: 帮助劳动力就业",
                         "至少一名劳动力实现稳定就业", 180),
    "entrepreneurship": ("有特长、愿意创业: 帮助筹集启动资金, 打开销售市场",
                         "落实启动资金并打开销售渠道", 365),
    "skills_training": ("愿意学技术: 联系部门进行培训",
                        "参加一期职业技能培训并取得结业证明", 180),
    "large_grower": ("种养殖大户: 提供技术支持",
                     "落实技术指导, 解决生产中的技术难题", 180),
    "college_grad_official": ("大学生村官: 帮助提供信息, 开办创业园区",
                              "提供致富信息, 对接创业园区或项目", 365),
}

# R9: the moves allowed, and the one move back (done → in_progress) that needs a reason.
MOVES = {("open", "in_progress"), ("in_progress", "done"), ("done", "verified"),
         ("done", "in_progress")}
VERIFIERS = ("county_admin", "inspector")


class InvalidTransition(Conflict):
    code, title = "invalid_transition", _("This status change is not allowed (R9)")


class TaskInHistory(Conflict):
    code, title = "task_in_history", _("Only a hand-made task that never moved can be deleted")


NEED_REMOVED = "需求已撤销 (need removed from the household)"


def check_deletable(source: str, status: str, moved: bool) -> None:
    """Only a hand-made task entered by mistake, still open and never moved, is deleted;
    everything else stays in history."""
    if source != "manual" or moved or status != "open":
        raise TaskInHistory(_("Generated tasks and tasks that moved stay in history."))


def template_for(category: str, today: date) -> dict:
    """The task a need generates: description, target and due date."""
    description, target, days = TEMPLATES[category]
    return {"category": category, "description": description, "target": target,
            "due_on": today + timedelta(days=days)}


def needs_to_open(needs: list[str], open_categories: set[str]) -> list[str]:
    """Needs that have no live generated task yet."""
    return [n for n in needs if n not in open_categories]


def categories_to_close(needs: list[str], open_categories: set[str]) -> set[str]:
    """Live generated tasks whose need was removed."""
    return open_categories - set(needs)


def check_transition(current: str, to: str, role: str, note: str | None,
                     closed: bool) -> None:
    """R9: open → in_progress → done → verified; done → in_progress only with a reason;
    verified only by a county admin or an inspector; a closed task does not move."""
    if closed:
        raise InvalidTransition(_("The task was closed; it no longer moves."), current=current,
                                to=to)
    if (current, to) not in MOVES:
        raise InvalidTransition(_("A task cannot go from %(current)s to %(to)s.",
                                  current=word("task_status", current),
                                  to=word("task_status", to)), current=current, to=to)
    if to == "verified" and role not in VERIFIERS:
        raise Forbidden(_("Only a county admin or an inspector verifies a task."))
    if to != "verified" and role == "inspector":
        raise Forbidden(_("An inspector only verifies tasks."))
    if (current, to) == ("done", "in_progress") and not (note and note.strip()):
        raise InvalidTransition(_("Reopening a done task needs a reason in `note`."),
                                current=current, to=to)


def is_overdue(status: str, closed: bool, due_on: date, today: date) -> bool:
    """Past its due date and neither finished nor closed."""
    return not closed and status not in FINISHED and due_on < today


def days_overdue(status: str, closed: bool, due_on: date, today: date) -> int | None:
    """Whole days since its due date for an overdue task (1 the day after); None otherwise."""
    return (today - due_on).days if is_overdue(status, closed, due_on, today) else None
