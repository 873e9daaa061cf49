"""Demands: idempotent on the client's UUID, followed until the household confirms."""

from datetime import UTC, timedelta

from sqlalchemy import and_, not_, or_, select
from sqlalchemy.exc import IntegrityError

from service import names, scope
from service.audit.recorder import mark
from service.context import Caller, Context
from service.demands import rules
from service.demands.models import Demand, DemandTransition
from service.exceptions import ValidationFailed
from service.households.models import Household
from service.idempotency import IdConflict, canonical_hash
from service.listing import Listing
from service.messages import _
from service.records import Precondition, apply_changes


def present(demand: Demand, ctx: Context) -> dict:
    """One demand as a table shows it."""
    return shown(ctx, [demand])[0]


def shown(ctx: Context, demands: list[Demand]) -> list[dict]:
    """Demands with their household's head, village and unit by name, the name of the cadre
    that took them down (one query for the lot), and whether, and how many days, each is
    overdue."""
    named = names.of_households(ctx.session, [d.household_id for d in demands])
    cadres = names.of_cadres(ctx.session, [d.cadre_id for d in demands])
    now, days = ctx.clock.now(), ctx.settings.demand_overdue_days
    out = []
    for demand in demands:
        data = {c: getattr(demand, c) for c in (
            "id", "household_id", "visit_id", "cadre_id", "category", "description", "status",
            "opened_at", "received_at", "in_progress_at", "resolved_at", "confirmed_at",
            "resolution", "updated_at")}
        data["overdue"] = rules.is_overdue(demand.status, demand.opened_at, now, days)
        data["days_overdue"] = rules.days_overdue(demand.status, demand.opened_at, now, days,
                                                  ctx.clock.zone)
        household = named[demand.household_id]
        data["household_head_name"] = household["household_head_name"]
        data["village_name"] = household["village_name"]
        data["unit_id"] = household["unit_id"]
        data["unit_name"] = household["unit_name"]
        data["cadre_name"] = cadres.get(demand.cadre_id)
        out.append(data)
    return out


def overdue_demand_condition(now, days: int):
    """rules.is_overdue as SQL: still unresolved more than `days` after it was raised."""
    return and_(Demand.status.in_(rules.UNRESOLVED),
                Demand.opened_at < now - timedelta(days=days))


def list_demands(ctx: Context, args: dict) -> Listing:
    """Demands in scope with filters, oldest unresolved first."""
    now, overdue_days = ctx.clock.now(), ctx.settings.demand_overdue_days
    stmt = scope.household_filters(scope.within(select(Demand), ctx.caller, Demand),
                                   Demand.household_id,
                                   {k: v for k, v in args.items() if k != "cadre_id"})
    if args.get("cadre_id") is not None:
        # The cadre's demands: those it raised and those of the households it follows now.
        stmt = stmt.where(or_(Demand.cadre_id == args["cadre_id"], Demand.household_id.in_(
            scope.paired_household_ids(args["cadre_id"]))))
    for key in ("status", "category"):
        if args.get(key):
            stmt = stmt.where(getattr(Demand, key) == args[key])
    if args.get("overdue") is not None:
        late = overdue_demand_condition(now, overdue_days)
        stmt = stmt.where(late if args["overdue"] else not_(late))
    return Listing(stmt.order_by(Demand.opened_at, Demand.id),
                   present=lambda items: shown(ctx, items),
                   sorts={"household_head_name": names.household_head_of(Demand.household_id),
                          "unit_name": names.holding_unit_name_of(Demand.household_id)})


def get_demand(ctx: Context, demand_id: str) -> Demand:
    """One demand in scope, or 404."""
    return scope.find(ctx.session, ctx.caller, Demand, demand_id, _("demand"))


def _replay(existing: Demand, caller: Caller, digest: str) -> Demand:
    if existing.body_hash != digest or existing.created_by != caller.user_id:
        raise IdConflict(_("Demand %(id)s was already sent with another body.", id=existing.id),
                         id=existing.id)
    return existing


def create_demand(ctx: Context, data: dict) -> tuple[Demand, bool]:
    """Record a demand; the same id and body again returns the stored one (created=False)."""
    session, caller, now = ctx.session, ctx.caller, ctx.clock.now()
    demand_id = str(data["id"])
    digest = canonical_hash(data)
    existing = session.get(Demand, demand_id)
    if existing is not None:
        return _replay(existing, caller, digest), False
    scope.reference(session, caller, Household, data["household_id"], "household_id",
                    _("household"))
    opened_at = (data.get("opened_at") or now).astimezone(UTC)
    if opened_at > now + rules.CLOCK_SKEW:
        raise ValidationFailed({"opened_at": [_("cannot be in the future")]})
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
    return demand, True


def update_demand(ctx: Context, demand_id: str, changes: dict,
                  precondition: Precondition = None) -> Demand:
    """Correct the category or wording of a demand still open."""
    demand = get_demand(ctx, demand_id)
    rules.check_editable(demand.status)
    apply_changes(demand, changes, precondition)
    ctx.session.flush()
    return demand


def transition(ctx: Context, demand_id: str, data: dict) -> Demand:
    """Move a demand toward confirmation, stamping when and keeping who and why."""
    session, caller = ctx.session, ctx.caller
    demand = get_demand(ctx, demand_id)
    to = data["to"]
    rules.check_transition(demand.status, to, caller.role, data.get("resolution"),
                           data.get("note"))
    session.add(DemandTransition(demand_id=demand.id, from_status=demand.status, to_status=to,
                                 note=data.get("note"), user_id=caller.user_id))
    if to == "resolved":
        demand.resolution = data["resolution"]
    if (demand.status, to) == ("resolved", "in_progress"):
        demand.resolved_at = None
    setattr(demand, rules.STAMPS[to], ctx.clock.now())
    demand.status = to
    mark(session, demand, "transition")
    session.flush()
    return demand
