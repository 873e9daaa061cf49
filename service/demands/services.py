"""Demands: idempotent on the client's UUID, followed until the household confirms."""

from datetime import UTC, timedelta

from sqlalchemy import and_, not_, or_, select
from sqlalchemy.exc import IntegrityError

from service.api import paginate
from service.context import Caller
from service.demands import rules
from service.demands.models import Demand, DemandTransition
from service.errors import Forbidden, ValidationFailed
from service.households.models import Household
from service.idempotency import IdConflict, canonical_hash
from service.records import apply_changes
from service.scope import (
    hidden,
    household_filters,
    households_in_scope,
    paired_household_ids,
)

_STAMP = {"in_progress": "in_progress_at", "resolved": "resolved_at",
          "confirmed": "confirmed_at"}
CLOCK_SKEW = timedelta(minutes=5)


class DemandNotEditable(rules.InvalidDemandTransition):
    code, title = "demand_not_editable", "Only an open demand can be edited"


def present(demand: Demand, now, overdue_days: int) -> dict:
    """A demand with its derived overdue flag."""
    data = {c: getattr(demand, c) for c in (
        "id", "household_id", "visit_id", "cadre_id", "category", "description", "status",
        "opened_at", "received_at", "in_progress_at", "resolved_at", "confirmed_at",
        "resolution", "updated_at")}
    data["overdue"] = rules.is_overdue(demand.status, demand.opened_at, now, overdue_days)
    return data


def _visible(stmt, caller: Caller):
    condition = households_in_scope(caller, Demand.household_id)
    return stmt if condition is None else stmt.where(condition)


def list_demands(session, caller: Caller, args: dict, now, overdue_days: int) -> dict:
    """Demands in scope with filters, oldest unresolved first."""
    stmt = household_filters(_visible(select(Demand), caller), Demand.household_id,
                             {k: v for k, v in args.items() if k != "cadre_id"})
    if args.get("cadre_id") is not None:
        # The cadre's demands: those it raised and those of the households it follows now.
        stmt = stmt.where(or_(Demand.cadre_id == args["cadre_id"],
                              Demand.household_id.in_(paired_household_ids(args["cadre_id"]))))
    for key in ("status", "category"):
        if args.get(key):
            stmt = stmt.where(getattr(Demand, key) == args[key])
    if args.get("overdue") is not None:
        late = and_(Demand.status.in_(rules.UNRESOLVED),
                    Demand.opened_at < now - timedelta(days=overdue_days))
        stmt = stmt.where(late if args["overdue"] else not_(late))
    page = paginate(session, stmt.order_by(Demand.opened_at, Demand.id), args)
    page["items"] = [present(d, now, overdue_days) for d in page["items"]]
    return page


def get_demand(session, caller: Caller, demand_id: str) -> Demand:
    """One demand in scope, or 404."""
    demand = session.scalar(_visible(select(Demand).where(Demand.id == demand_id), caller))
    if demand is None:
        raise hidden("demand", demand_id)
    return demand


def _check_household(session, caller: Caller, household_id: int) -> None:
    if session.get(Household, household_id) is None:
        raise ValidationFailed({"household_id": [f"no household with id {household_id}"]})
    condition = households_in_scope(caller, Household.id)
    if condition is not None and session.scalar(
            select(Household.id).where(Household.id == household_id, condition)) is None:
        raise Forbidden("Demands are raised for households you are paired with.")


def _replay(existing: Demand, caller: Caller, digest: str) -> Demand:
    if existing.body_hash != digest or existing.created_by != caller.user_id:
        raise IdConflict(f"Demand {existing.id} was already sent with another body.",
                               id=existing.id)
    return existing


def create_demand(session, caller: Caller, data: dict, now) -> tuple[Demand, bool]:
    """Record a demand; the same id and body again returns the stored one (created=False)."""
    demand_id = str(data["id"])
    digest = canonical_hash(data)
    existing = session.get(Demand, demand_id)
    if existing is not None:
        return _replay(existing, caller, digest), False
    _check_household(session, caller, data["household_id"])
    opened_at = (data.get("opened_at") or now).astimezone(UTC)
    if opened_at > now + CLOCK_SKEW:
        raise ValidationFailed({"opened_at": ["cannot be in the future"]})
    demand = Demand(id=demand_id, household_id=data["household_id"],
                    visit_id=str(data["visit_id"]) if data.get("visit_id") else None,
                    cadre_id=caller.cadre_id, created_by=caller.user_id,
                    category=data["category"], description=data["description"],
                    opened_at=opened_at, received_at=now, body_hash=digest)
    session.add(demand)
    try:
        session.flush()
    except IntegrityError:
        # The same id arrived twice at once (a phone retrying): the first one won.
        session.rollback()
        return _replay(session.get(Demand, demand_id), caller, digest), False
    session.commit()
    return demand, True


def update_demand(session, caller: Caller, demand_id: str, changes: dict) -> Demand:
    """Correct the category or wording of a demand still open."""
    demand = get_demand(session, caller, demand_id)
    if demand.status != "open":
        raise DemandNotEditable("Only an open demand can be edited.")
    apply_changes(demand, changes)
    session.commit()
    return demand


def transition(session, caller: Caller, demand_id: str, data: dict, now) -> Demand:
    """Move a demand toward confirmation, stamping when and keeping who and why."""
    demand = get_demand(session, caller, demand_id)
    to = data["to"]
    rules.check_transition(demand.status, to, caller.role, data.get("resolution"),
                           data.get("note"))
    session.add(DemandTransition(demand_id=demand.id, from_status=demand.status, to_status=to,
                                 note=data.get("note"), user_id=caller.user_id))
    if to == "resolved":
        demand.resolution = data["resolution"]
    if (demand.status, to) == ("resolved", "in_progress"):
        demand.resolved_at = None
    setattr(demand, _STAMP[to], now)
    demand.status = to
    session.commit()
    return demand
