"""Where demands stood at a moment, from their transitions (reports of past months)."""

from datetime import datetime

from sqlalchemy import select

from service.demands.models import Demand, DemandTransition

RESOLVED = ("resolved", "confirmed")


def resolved_as_of(session, end: datetime, household_ids=None,
                   since: datetime | None = None) -> dict[str, datetime]:
    """{demand id: when it was last resolved} for the demands resolved (or confirmed) at
    `end`; a demand reopened before `end` is not in it. With `since`, only demands that moved
    in [since, end) are read — all a report of that span needs: a demand raised or resolved in
    it moved in it, and its last move before `end` decides its status."""
    stmt = (select(DemandTransition.demand_id, DemandTransition.to_status, DemandTransition.at)
            .where(DemandTransition.at < end)
            .order_by(DemandTransition.demand_id, DemandTransition.at, DemandTransition.id))
    if since is not None:
        stmt = stmt.where(DemandTransition.at >= since)
    if household_ids is not None:
        stmt = stmt.join(Demand, Demand.id == DemandTransition.demand_id).where(
            Demand.household_id.in_(household_ids))
    status: dict[str, str] = {}
    resolved_at: dict[str, datetime] = {}
    for demand_id, to_status, at in session.execute(stmt):
        status[demand_id] = to_status
        if to_status == "resolved":
            resolved_at[demand_id] = at
    return {d: at for d, at in resolved_at.items() if status[d] in RESOLVED}
