"""Sync down (SPEC §5): what a cadre's phone needs, changed since its last cursor."""

import base64
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select

from service.context import Context
from service.dates import EARLIEST, LATEST
from service.demands import services as demands
from service.demands.models import Demand
from service.demands.rules import UNRESOLVED
from service.exceptions import ValidationFailed
from service.households import services as households_shown
from service.households.models import Household
from service.messages import _
from service.pairings.models import Pairing
from service.tasks import services as tasks
from service.tasks.models import Task
from service.visits.models import Visit

# Rows committed by transactions that started before the cursor was taken may carry earlier
# timestamps; each sync looks back this far and the phone applies rows idempotently.
OVERLAP = timedelta(minutes=2)
# How far back the phone keeps a cadre's own visits (a year and a day: last year's same month).
HISTORY = timedelta(days=366)


def encode_cursor(at: datetime) -> str:
    """An opaque cursor for a point in time."""
    return base64.urlsafe_b64encode(f"v1:{at.astimezone(UTC).isoformat()}".encode()).decode()


def decode_cursor(cursor: str | None) -> datetime | None:
    """The time inside a cursor; 422 when it is not one of ours."""
    if not cursor:
        return None
    try:
        version, _colon, stamp = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        at = datetime.fromisoformat(stamp)
        if version != "v1" or at.tzinfo is None or not EARLIEST <= at.date() <= LATEST:
            raise ValueError
        return at
    except ValueError:
        raise ValidationFailed({"since": [_("is not a cursor from /api/v1/sync")]}) from None


def sync_down(ctx: Context, cursor: str | None) -> dict:
    """The caller's households, tasks, open demands and own visits of the last year changed
    since the cursor (the caller is a cadre: these are its own pairings' households)."""
    session, caller, now = ctx.session, ctx.caller, ctx.clock.now()
    since = decode_cursor(cursor)
    window = since - OVERLAP if since else None
    active = session.execute(select(Pairing.household_id, Pairing.updated_at).where(
        Pairing.cadre_id == caller.cadre_id, Pairing.ended_on.is_(None))).all()
    household_ids = [h for h, _ in active]
    stmt = select(Household).where(Household.id.in_(household_ids)).order_by(Household.id)
    new_pairings: list[int] = []
    if window:
        new_pairings = [h for h, changed in active if changed > window]
        stmt = stmt.where(or_(Household.updated_at > window, Household.id.in_(new_pairings)))
    households = households_shown.shown(ctx, session.scalars(stmt).all())
    removed = []
    if window:
        removed = sorted(set(session.scalars(select(Pairing.household_id).where(
            Pairing.cadre_id == caller.cadre_id, Pairing.ended_on.is_not(None),
            Pairing.updated_at > window))) - set(household_ids))
    task_stmt = select(Task).where(Task.household_id.in_(household_ids)).order_by(Task.id)
    demand_stmt = (select(Demand).where(Demand.household_id.in_(household_ids))
                   .order_by(Demand.opened_at))
    if window:
        # A household new to this phone brings all its live tasks and open demands.
        task_stmt = task_stmt.where(or_(Task.updated_at > window, and_(
            Task.household_id.in_(new_pairings), Task.closed_on.is_(None))))
        demand_stmt = demand_stmt.where(or_(Demand.updated_at > window, and_(
            Demand.household_id.in_(new_pairings), Demand.status.in_(UNRESOLVED))))
    else:
        task_stmt = task_stmt.where(Task.closed_on.is_(None))
        demand_stmt = demand_stmt.where(Demand.status.in_(UNRESOLVED))
    visit_stmt = (select(Visit).where(Visit.cadre_id == caller.cadre_id,
                                      Visit.household_id.in_(household_ids),
                                      Visit.visited_at >= now - HISTORY)
                  .order_by(Visit.visited_at, Visit.id))
    if window:
        visit_stmt = visit_stmt.where(or_(Visit.updated_at > window,
                                          Visit.household_id.in_(new_pairings)))
    return {
        "cursor": encode_cursor(now),
        "visits": [{"id": v.id, "household_id": v.household_id, "visited_at": v.visited_at,
                    "received_at": v.received_at, "kind": v.kind, "direct": v.direct,
                    "diary": v.diary, "help_given": v.help_given, "flags": v.flags or []}
                   for v in session.scalars(visit_stmt)],
        "households": households,
        "removed_household_ids": removed,
        "tasks": tasks.shown(ctx, session.scalars(task_stmt).all()),
        "demands": demands.shown(ctx, session.scalars(demand_stmt).all()),
    }
