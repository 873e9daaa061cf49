"""诉求: the everyday problems of doc 003 (line 22) and how a demand moves to confirmation."""

from datetime import datetime, timedelta, tzinfo

from service.exceptions import Conflict, Forbidden
from service.labels.table import word
from service.messages import _

CATEGORIES = ("fake_seeds", "harvest_help", "housing_repair", "winter_heating", "tuition",
              "dispute_mediation", "sick_care", "left_behind_children", "unpaid_wages",
              "road_repair", "water_supply", "other")
STATUSES = ("open", "in_progress", "resolved", "confirmed")
UNRESOLVED = ("open", "in_progress")
MOVES = {("open", "in_progress"), ("in_progress", "resolved"), ("resolved", "confirmed"),
         ("resolved", "in_progress")}
# The household's confirmation is recorded by someone other than the cadre who solved it.
CONFIRMERS = ("county_admin", "unit_admin", "inspector")


class InvalidDemandTransition(Conflict):
    code, title = "invalid_transition", _("This status change is not allowed")


class DemandNotEditable(InvalidDemandTransition):
    code, title = "demand_not_editable", _("Only an open demand can be edited")


# When a transition stamps the demand.
STAMPS = {"in_progress": "in_progress_at", "resolved": "resolved_at",
          "confirmed": "confirmed_at"}
# How far ahead of the service's clock a phone's clock may run.
CLOCK_SKEW = timedelta(minutes=5)


def check_editable(status: str) -> None:
    """Only an open demand's category and wording may be corrected."""
    if status != "open":
        raise DemandNotEditable(_("Only an open demand can be edited."))


def check_transition(current: str, to: str, role: str, resolution: str | None,
                     note: str | None) -> None:
    """open → in_progress → resolved → confirmed; resolved → in_progress when the household is
    not satisfied (with a note). Resolving needs the resolution text."""
    if (current, to) not in MOVES:
        raise InvalidDemandTransition(_("A demand cannot go from %(current)s to %(to)s.",
                                        current=word("demand_status", current),
                                        to=word("demand_status", to)), current=current, to=to)
    if to == "confirmed" and role not in CONFIRMERS:
        raise Forbidden(_("The household's confirmation is recorded by an admin or "
                          "inspector."))
    if role == "inspector" and to != "confirmed":
        raise Forbidden(_("An inspector only records confirmations."))
    if to == "resolved" and not (resolution and resolution.strip()):
        raise InvalidDemandTransition(_("Resolving a demand needs `resolution`: what was "
                                        "done."),
                                      current=current, to=to)
    if (current, to) == ("resolved", "in_progress") and not (note and note.strip()):
        raise InvalidDemandTransition(_("Reopening needs a reason in `note`."),
                                      current=current, to=to)


def is_overdue(status: str, opened_at: datetime, now: datetime, days: int) -> bool:
    """Still unresolved more than `days` after it was raised."""
    return status in UNRESOLVED and opened_at < now - timedelta(days=days)


def days_overdue(status: str, opened_at: datetime, now: datetime, days: int,
                 zone: tzinfo) -> int | None:
    """Calendar days in the county since an overdue demand's `days` ran out, as a task's are
    counted from its due date (1 on the day they ran out and the next); None otherwise."""
    if not is_overdue(status, opened_at, now, days):
        return None
    ran_out = (opened_at + timedelta(days=days)).astimezone(zone).date()
    return max(1, (now.astimezone(zone).date() - ran_out).days)
