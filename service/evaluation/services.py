"""The annual evaluation (年度考核) of every cadre paired during a year, from the record."""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, delete, func, insert, or_, select

from service import scope
from service.audit.models import AuditEvent
from service.context import Context
from service.demands.history import resolved_as_of
from service.demands.models import Demand
from service.evaluation import rules
from service.evaluation.models import EvaluationRow, EvaluationSnapshot
from service.exceptions import ValidationFailed
from service.history.asof import load_versions, pick
from service.history.models import CadreVersion, UnitVersion
from service.households.models import Household
from service.inspections import rules as inspection_rules
from service.inspections.models import HouseholdCheck, Inspection
from service.messages import _
from service.pairings.models import Pairing
from service.pairings.rules import in_force_on
from service.places.models import Village
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


@dataclass(frozen=True)
class Year:
    """The evaluated year up to today: its days and the instants that bound them."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), self.zone)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone)

    def day(self, at: datetime) -> date:
        """The county day of an instant."""
        return at.astimezone(self.zone).date()

    def span(self, p) -> tuple[date, date]:
        """The days of a pairing inside the year."""
        return max(p.started_on, self.first), min(p.ended_on or self.last, self.last)


@dataclass
class Facts:
    """What the year's record says, gathered once for every cadre."""

    pairings: list
    by_household: dict[int, list]
    by_cadre: dict[int, list]
    village_of: dict[int, int]
    visits: dict[int, list[date]]  # pairing → direct visit days
    inspections: dict[int, list[date]]  # village → inspection days
    asked: dict[int, list[date]]  # pairing → days the household came asking
    demands: dict[int, list]  # cadre → days to resolve (None: unresolved)
    tasks_of: dict[int, list]  # household → tasks
    status: dict[int, str]  # task → status at the year's end
    checks: dict[int, list[dict]]  # cadre → inspection answers

    def owner(self, household_id: int, day: date):
        return in_force_on(self.by_household.get(household_id, []), day)


def build_evaluation(ctx: Context, year: int) -> dict:
    """Per cadre: months paired and with a direct visit, tasks, demands, inspections, the
    three failure patterns and a score with its parts; ranked within unit and county."""
    session, today = ctx.session, ctx.clock.today()
    weights = dict(ctx.settings.evaluation_weights)
    first = date(year, 1, 1)
    if first > today:
        raise ValidationFailed({"year": [_("is in the future")]})
    span = Year(first, min(date(year, 12, 31), today), ctx.settings.county_zone)
    out = {"year": year, "through": span.last.isoformat(), "weights": weights, "cadres": []}
    facts = _facts(session, span)
    if facts is None:
        return out
    cadre_ids = sorted({p.cadre_id for p in facts.pairings})
    cadres = load_versions(session, CadreVersion, cadre_ids)
    shown = {cid: pick(cadres.get(cid, []), span.end) for cid in cadre_ids}
    units = load_versions(session, UnitVersion, {c.unit_id for c in shown.values() if c})
    rows = [_row(facts, span, cid, shown[cid], units, weights) for cid in cadre_ids]
    out["cadres"] = _ranked(rows)
    return out


def _facts(session, span: Year) -> Facts | None:
    """Everything the rows are made of, a statement per kind; None without pairings."""
    pairings = session.execute(select(
        Pairing.id, Pairing.cadre_id, Pairing.household_id, Pairing.started_on,
        Pairing.ended_on).where(Pairing.started_on <= span.last, or_(
            Pairing.ended_on.is_(None), Pairing.ended_on >= span.first))).all()
    if not pairings:
        return None
    household_ids = {p.household_id for p in pairings}
    by_household: dict[int, list] = {}
    by_cadre: dict[int, list] = {}
    for p in pairings:
        by_household.setdefault(p.household_id, []).append(p)
        by_cadre.setdefault(p.cadre_id, []).append(p)
    facts = Facts(
        pairings=pairings, by_household=by_household, by_cadre=by_cadre,
        village_of=dict(session.execute(select(Household.id, Household.village_id).where(
            Household.id.in_(household_ids))).all()),
        visits=_visit_days(session, span, [p.id for p in pairings]),
        inspections=_inspection_days(session, span), asked={}, demands={},
        tasks_of={}, status={},
        checks=_checks(session, span, {p.cadre_id for p in pairings}))
    _demands(session, span, facts, household_ids)
    _tasks(session, span, facts, household_ids)
    return facts


def _visit_days(session, span: Year, pairing_ids: list[int]) -> dict[int, list[date]]:
    """Each pairing's days with a direct visit in the year (one per visit). The year's visits
    are read whole and kept for these pairings here: an IN list of every pairing of a county
    cost more than the rows it saved."""
    wanted = set(pairing_ids)
    if session.get_bind().dialect.name == "postgresql":
        # The county day, from PostgreSQL itself: no instant made and moved per visit here.
        column, day_of = cast(func.timezone(span.zone.key, Visit.visited_at), Date), None
    else:
        column, day_of = Visit.visited_at, span.day
    visits: dict[int, list[date]] = {}
    for pairing_id, at in session.execute(select(Visit.pairing_id, column).where(
            Visit.direct, Visit.visited_at >= span.start, Visit.visited_at < span.end)):
        if pairing_id in wanted:
            visits.setdefault(pairing_id, []).append(day_of(at) if day_of else at)
    return visits


def _inspection_days(session, span: Year) -> dict[int, list[date]]:
    inspections: dict[int, list[date]] = {}
    for village_id, day in session.execute(select(Inspection.village_id, Inspection.inspected_on)
                                           .where(Inspection.inspected_on >= span.first,
                                                  Inspection.inspected_on <= span.last)):
        inspections.setdefault(village_id, []).append(day)
    return inspections


def _demands(session, span: Year, facts: Facts, household_ids: set[int]) -> None:
    """Demands: the household came asking (not raised on a visit) → the demand-led pattern;
    every demand → resolution, for the cadre paired with the household that day."""
    resolved_at = resolved_as_of(session, span.end, household_ids, since=span.start)
    for demand_id, household_id, opened_at, visit_id in session.execute(
            select(Demand.id, Demand.household_id, Demand.opened_at, Demand.visit_id).where(
                Demand.household_id.in_(household_ids), Demand.opened_at >= span.start,
                Demand.opened_at < span.end)):
        p = facts.owner(household_id, span.day(opened_at))
        if p is None:
            continue
        if visit_id is None:
            facts.asked.setdefault(p.id, []).append(span.day(opened_at))
        done = resolved_at.get(demand_id)
        facts.demands.setdefault(p.cadre_id, []).append(
            None if done is None else (done - opened_at).total_seconds() / 86400)


def _tasks(session, span: Year, facts: Facts, household_ids: set[int]) -> None:
    """The households' tasks of the year and where each stood at its end."""
    tasks = session.execute(select(Task.id, Task.household_id).where(
        Task.household_id.in_(household_ids), Task.created_at < span.end,
        or_(Task.closed_on.is_(None), Task.closed_on > span.last))).all()
    facts.status = status_as_of(session, [t.id for t in tasks], span.end)
    for t in tasks:
        facts.tasks_of.setdefault(t.household_id, []).append(t)


def _checks(session, span: Year, cadre_ids: set[int]) -> dict[int, list[dict]]:
    """What households said of their cadre in the year's inspections."""
    checks: dict[int, list[dict]] = {}
    for row in session.execute(
            select(HouseholdCheck.cadre_id, HouseholdCheck.knows_cadre,
                   HouseholdCheck.has_contact_card, HouseholdCheck.visit_confirmed,
                   HouseholdCheck.satisfaction)
            .join(Inspection, Inspection.id == HouseholdCheck.inspection_id)
            .where(HouseholdCheck.cadre_id.in_(cadre_ids),
                   Inspection.inspected_on >= span.first,
                   Inspection.inspected_on <= span.last)):
        checks.setdefault(row.cadre_id, []).append(dict(row._mapping))
    return checks


def _row(facts: Facts, span: Year, cadre_id: int, shown, units: dict, weights: dict) -> dict:
    """One cadre's parts, patterns and score."""
    mine = facts.by_cadre[cadre_id]
    paired_months, visit_months, days, asked_days, inspection_days = set(), set(), [], [], []
    periods = []
    for p in mine:
        s, e = span.span(p)
        paired_months |= _months(s, e)
        pv = facts.visits.get(p.id, [])
        days += pv
        visit_months |= {(d.year, d.month) for d in pv}
        asked_days += facts.asked.get(p.id, [])
        inspection_days += facts.inspections.get(facts.village_of.get(p.household_id), [])
        periods.append((s, e, pv))
    visit_months &= paired_months
    own_tasks = [t for h in {p.household_id for p in mine} for t in facts.tasks_of.get(h, [])]
    finished = sum(1 for t in own_tasks
                   if facts.status.get(t.id, "open") in ("done", "verified"))
    durations = facts.demands.get(cadre_id, [])
    resolved = [d for d in durations if d is not None]
    rates = inspection_rules.rates(facts.checks.get(cadre_id, []))
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
    unit = pick(units.get(shown.unit_id, []), span.end) if shown else None
    return {
        "cadre_id": cadre_id, "cadre": shown.name if shown else str(cadre_id),
        "unit_id": shown.unit_id if shown else None, "unit": unit.name if unit else None,
        "months_paired": len(paired_months), "months_with_direct_visit": len(visit_months),
        "direct_visits": len(days),
        "tasks": {"total": len(own_tasks), "finished": finished,
                  "completion": parts["tasks"]},
        "demands": {"total": len(durations), "resolved": len(resolved),
                    "resolution_rate": parts["demands"],
                    "median_days": median_days(resolved)},
        "inspections": rates, "patterns": patterns, **scored}


def _ranked(rows: list[dict]) -> list[dict]:
    """Rows ranked within their unit and in the county, in county order."""
    rules.rank(rows, "unit_id", "rank_in_unit")
    for row in rows:
        row["county"] = 0
    rules.rank(rows, "county", "rank_in_county")
    for row in rows:
        del row["county"]
    rows.sort(key=lambda r: r["rank_in_county"])
    return rows


# --- the evaluation as last computed, a page at a time (issue 17) ----------------------------


def _weights_key(weights: dict) -> str:
    return json.dumps(weights, sort_keys=True, separators=(",", ":"))[:200]


def _audit_mark(session) -> int:
    return session.scalar(select(func.max(AuditEvent.id))) or 0


def _townships(session, rows: list[dict], span_last: date) -> dict[int, int | None]:
    """Each cadre's township: that of the village of its latest pairing of the year."""
    latest = {}
    for cadre_id, village_id, _started in session.execute(
            select(Pairing.cadre_id, Household.village_id, Pairing.started_on)
            .join(Household, Household.id == Pairing.household_id)
            .where(Pairing.cadre_id.in_([r["cadre_id"] for r in rows]),
                   Pairing.started_on <= span_last)
            .order_by(Pairing.started_on, Pairing.id)):
        latest[cadre_id] = village_id
    township_of = dict(session.execute(select(Village.id, Village.township_id)).all())
    return {cadre_id: township_of.get(village_id) for cadre_id, village_id in latest.items()}


def snapshot(ctx: Context, year: int) -> EvaluationSnapshot | None:
    """The year's evaluation as last computed, when it may still be shown; else computed now
    and kept (its rows in rank order). None when caching is off."""
    cache_seconds = ctx.settings.evaluation_cache_seconds
    if cache_seconds < 0:
        return None
    session, now, today = ctx.session, ctx.clock.now(), ctx.clock.today()
    first = date(year, 1, 1)
    if first > today:
        raise ValidationFailed({"year": [_("is in the future")]})
    through = min(date(year, 12, 31), today)
    key = _weights_key(dict(ctx.settings.evaluation_weights))
    mark = _audit_mark(session)
    kept = session.scalars(select(EvaluationSnapshot).where(
        EvaluationSnapshot.year == year, EvaluationSnapshot.through == through,
        EvaluationSnapshot.weights_key == key).order_by(EvaluationSnapshot.id.desc())
        .limit(1)).first()
    # "Nothing changed" is "no audit event newer than the mark". A transaction still open
    # while the figures were computed, committed later with a lower id, is not seen by that
    # test; the age bound (EVALUATION_CACHE_SECONDS) still renews the figures after it.
    if kept is not None and (kept.audit_mark == mark or
                             (now - kept.computed_at).total_seconds() <= cache_seconds):
        return kept
    body = build_evaluation(ctx, year)
    made = EvaluationSnapshot(year=year, through=through, weights_key=key, audit_mark=mark,
                              computed_at=now, cadres=len(body["cadres"]))
    session.add(made)
    session.flush()
    townships = _townships(session, body["cadres"], through) if body["cadres"] else {}
    if body["cadres"]:
        session.execute(insert(EvaluationRow), [
            {"snapshot_id": made.id, "position": n, "cadre_id": row["cadre_id"],
             "unit_id": row["unit_id"], "township_id": townships.get(row["cadre_id"]),
             "row": row} for n, row in enumerate(body["cadres"], 1)])
    # Older snapshots of the same year go (their rows with them).
    session.execute(delete(EvaluationRow).where(EvaluationRow.snapshot_id.in_(
        select(EvaluationSnapshot.id).where(EvaluationSnapshot.year == year,
                                            EvaluationSnapshot.id != made.id))))
    session.execute(delete(EvaluationSnapshot).where(EvaluationSnapshot.year == year,
                                                     EvaluationSnapshot.id != made.id))
    return made


def evaluation_rows(ctx: Context, year: int, filters: dict, page: int | None,
                    per_page: int) -> dict:
    """{year, through, weights, computed_at, total, page, per_page, cadres}: the cadres of
    the year's evaluation in rank order, filtered by unit or township, a page (or, with
    page None, every one of them). A unit admin's are its own unit's cadres."""
    filters = scope.pinned_to_own_unit(ctx.caller, filters,
                                       _("A unit admin sees its own unit's evaluation only."))
    kept = snapshot(ctx, year)
    weights = dict(ctx.settings.evaluation_weights)
    if kept is None:  # no cache: computed now, filtered and cut here
        body = build_evaluation(ctx, year)
        rows = body["cadres"]
        if filters.get("unit_id") is not None:
            rows = [r for r in rows if r["unit_id"] == filters["unit_id"]]
        if filters.get("township_id") is not None and rows:
            townships = _townships(ctx.session, rows, date.fromisoformat(body["through"]))
            rows = [r for r in rows if townships.get(r["cadre_id"]) == filters["township_id"]]
        total = len(rows)
        if page is not None:
            rows = rows[(page - 1) * per_page:page * per_page]
        return {**body, "computed_at": ctx.clock.now(), "total": total, "page": page or 1,
                "per_page": per_page if page is not None else total, "cadres": rows}
    stmt = select(EvaluationRow.row).where(EvaluationRow.snapshot_id == kept.id)
    count = select(func.count()).select_from(EvaluationRow).where(
        EvaluationRow.snapshot_id == kept.id)
    for key in ("unit_id", "township_id"):
        if filters.get(key) is not None:
            stmt = stmt.where(getattr(EvaluationRow, key) == filters[key])
            count = count.where(getattr(EvaluationRow, key) == filters[key])
    stmt = stmt.order_by(EvaluationRow.position)
    if page is not None:
        stmt = stmt.limit(per_page).offset((page - 1) * per_page)
    rows = ctx.session.scalars(stmt).all()
    total = ctx.session.scalar(count)
    return {"year": year, "through": kept.through.isoformat(), "weights": weights,
            "computed_at": kept.computed_at, "total": total, "page": page or 1,
            "per_page": per_page if page is not None else total, "cadres": rows}
