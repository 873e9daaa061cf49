"""The annual evaluation (年度考核) of every cadre paired during a year, from the record."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from service.context import Context
from service.demands.history import resolved_as_of
from service.demands.models import Demand
from service.evaluation import rules
from service.exceptions import ValidationFailed
from service.history.asof import load_versions, pick
from service.history.models import CadreVersion, UnitVersion
from service.households.models import Household
from service.inspections import rules as inspection_rules
from service.inspections.models import HouseholdCheck, Inspection
from service.pairings.models import Pairing
from service.pairings.rules import in_force_on
from service.reports.rules import median_days, share
from service.tasks.history import status_as_of
from service.tasks.models import Task
from service.visits.models import Visit


def _months(first: date, last: date) -> set[tuple[int, int]]:
    months, day = set(), first.replace(day=1)
    while day <= last:
        months.add((day.year, day.month))
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def build_evaluation(ctx: Context, year: int) -> dict:
    """Per cadre: months paired and with a direct visit, tasks, demands, inspections, the
    three failure patterns and a score with its parts; ranked within unit and county."""
    session, today, zone = ctx.session, ctx.clock.today(), ctx.settings.county_zone
    weights = dict(ctx.settings.evaluation_weights)
    first = date(year, 1, 1)
    if first > today:
        raise ValidationFailed({"year": ["is in the future"]})
    last = min(date(year, 12, 31), today)
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)

    pairings = session.execute(select(
        Pairing.id, Pairing.cadre_id, Pairing.household_id, Pairing.started_on,
        Pairing.ended_on).where(Pairing.started_on <= last, or_(
            Pairing.ended_on.is_(None), Pairing.ended_on >= first))).all()
    if not pairings:
        return {"year": year, "through": last.isoformat(), "weights": weights, "cadres": []}
    cadre_ids = {p.cadre_id for p in pairings}
    household_ids = {p.household_id for p in pairings}
    village_of = dict(session.execute(select(Household.id, Household.village_id).where(
        Household.id.in_(household_ids))).all())

    def local(at: datetime) -> date:
        return at.astimezone(zone).date()

    def span(p) -> tuple[date, date]:
        return max(p.started_on, first), min(p.ended_on or last, last)

    def owner(household_id: int, day: date):
        return in_force_on(by_household.get(household_id, []), day)

    by_household: dict[int, list] = {}
    for p in pairings:
        by_household.setdefault(p.household_id, []).append(p)

    visits: dict[int, list[date]] = {}  # pairing id → direct visit days
    for pairing_id, at in session.execute(select(Visit.pairing_id, Visit.visited_at).where(
            Visit.pairing_id.in_([p.id for p in pairings]), Visit.direct,
            Visit.visited_at >= start, Visit.visited_at < end)):
        visits.setdefault(pairing_id, []).append(local(at))

    inspections: dict[int, list[date]] = {}
    for village_id, day in session.execute(select(Inspection.village_id, Inspection.inspected_on)
                                           .where(Inspection.inspected_on >= first,
                                                  Inspection.inspected_on <= last)):
        inspections.setdefault(village_id, []).append(day)

    # Demands: the household came asking (not raised on a visit) → the demand-led pattern;
    # every demand → resolution.
    resolved_at = resolved_as_of(session, end, household_ids, since=start)
    asked: dict[int, list[date]] = {}
    demands: dict[int, list] = {}
    for demand_id, household_id, opened_at, visit_id in session.execute(
            select(Demand.id, Demand.household_id, Demand.opened_at, Demand.visit_id).where(
                Demand.household_id.in_(household_ids), Demand.opened_at >= start,
                Demand.opened_at < end)):
        p = owner(household_id, local(opened_at))
        if p is None:
            continue
        if visit_id is None:
            asked.setdefault(p.id, []).append(local(opened_at))
        done = resolved_at.get(demand_id)
        demands.setdefault(p.cadre_id, []).append(
            None if done is None else (done - opened_at).total_seconds() / 86400)

    tasks = session.execute(select(Task.id, Task.household_id).where(
        Task.household_id.in_(household_ids), Task.created_at < end,
        or_(Task.closed_on.is_(None), Task.closed_on > last))).all()
    status = status_as_of(session, [t.id for t in tasks], end)

    checks: dict[int, list[dict]] = {}
    for row in session.execute(
            select(HouseholdCheck.cadre_id, HouseholdCheck.knows_cadre,
                   HouseholdCheck.has_contact_card, HouseholdCheck.visit_confirmed,
                   HouseholdCheck.satisfaction)
            .join(Inspection, Inspection.id == HouseholdCheck.inspection_id)
            .where(HouseholdCheck.cadre_id.in_(cadre_ids), Inspection.inspected_on >= first,
                   Inspection.inspected_on <= last)):
        checks.setdefault(row.cadre_id, []).append(dict(row._mapping))

    cadres = load_versions(session, CadreVersion, cadre_ids)
    facts = {cid: pick(cadres.get(cid, []), end) for cid in cadre_ids}
    units = load_versions(session, UnitVersion, {c.unit_id for c in facts.values() if c})

    by_cadre: dict[int, list] = {}
    for p in pairings:
        by_cadre.setdefault(p.cadre_id, []).append(p)
    tasks_of: dict[int, list] = {}
    for t in tasks:
        tasks_of.setdefault(t.household_id, []).append(t)
    rows = []
    for cadre_id in sorted(cadre_ids):
        mine = by_cadre[cadre_id]
        paired_months, visit_months, days, asked_days, inspection_days = set(), set(), [], [], []
        periods = []
        for p in mine:
            s, e = span(p)
            paired_months |= _months(s, e)
            pv = visits.get(p.id, [])
            days += pv
            visit_months |= {(d.year, d.month) for d in pv}
            asked_days += asked.get(p.id, [])
            inspection_days += inspections.get(village_of.get(p.household_id), [])
            periods.append((s, e, pv))
        visit_months &= paired_months
        households = {p.household_id for p in mine}
        own_tasks = [t for h in households for t in tasks_of.get(h, [])]
        finished = sum(1 for t in own_tasks if status.get(t.id, "open") in ("done", "verified"))
        durations = demands.get(cadre_id, [])
        resolved = [d for d in durations if d is not None]
        rates = inspection_rules.rates(checks.get(cadre_id, []))
        patterns = {"bunched": rules.bunched(days, inspection_days),
                    "demand_led": rules.demand_led(days, asked_days),
                    "long_gaps": rules.longest_gap(periods)}
        inspection_part = (None if rates["checks"] == 0 else
                           round((rates["knowledge_rate"] + rates["satisfaction_rate"]) / 2, 4))
        parts = {"visits": share(len(visit_months), len(paired_months)),
                 "tasks": share(finished, len(own_tasks)),
                 "demands": share(len(resolved), len(durations)),
                 "inspections": inspection_part}
        scored = rules.score(parts, sum(1 for p in patterns.values() if p["found"]), weights)
        fact = facts[cadre_id]
        unit = pick(units.get(fact.unit_id, []), end) if fact else None
        rows.append({
            "cadre_id": cadre_id, "cadre": fact.name if fact else str(cadre_id),
            "unit_id": fact.unit_id if fact else None, "unit": unit.name if unit else None,
            "months_paired": len(paired_months), "months_with_direct_visit": len(visit_months),
            "direct_visits": len(days),
            "tasks": {"total": len(own_tasks), "finished": finished,
                      "completion": parts["tasks"]},
            "demands": {"total": len(durations), "resolved": len(resolved),
                        "resolution_rate": parts["demands"],
                        "median_days": median_days(resolved)},
            "inspections": rates, "patterns": patterns, **scored})
    rules.rank(rows, "unit_id", "rank_in_unit")
    for row in rows:
        row["county"] = 0
    rules.rank(rows, "county", "rank_in_county")
    for row in rows:
        del row["county"]
    rows.sort(key=lambda r: r["rank_in_county"])
    return {"year": year, "through": last.isoformat(), "weights": weights, "cadres": rows}
