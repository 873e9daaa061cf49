"""The monthly public disclosure (每月公示) of a village, built from the record as it stood in
that month: pairings, cadres, households and units as of then (service/history), task status
from its transitions, visits and demands by their own times. Built for one village or for a
batch of them (a month's publication) by the same statements, each fact read for the batch."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select, union

from service.assignments.models import VillageAssignment
from service.context import Context
from service.dates import month_bounds
from service.demands.history import resolved_as_of
from service.demands.models import Demand
from service.exceptions import NotFound, ValidationFailed
from service.history.asof import load_versions, pick
from service.history.models import CadreVersion, HouseholdVersion, UnitVersion
from service.households.models import Household
from service.labels.table import label
from service.messages import _
from service.pairings.models import Pairing
from service.pairings.rules import in_force_or_last
from service.places.models import Township, Village
from service.reports import rules
from service.tasks.history import status_as_of
from service.tasks.models import Task
from service.visits.models import Visit


class Month:
    """A county-local month: its days and the UTC instants that bound it."""

    def __init__(self, month: str, zone, today: date):
        self.name, self.zone = month, zone
        self.first, self.last = month_bounds(month)
        if self.first > today:
            raise ValidationFailed({"month": [_("is in the future")]})
        self.complete = self.last < today
        self.start = self.instant(self.first)
        self.end = self.instant(self.last + timedelta(days=1))

    def instant(self, day: date) -> datetime:
        """Local midnight at the start of `day`."""
        return datetime.combine(day, time(), self.zone)

    def as_of(self, ended_on: date | None) -> datetime:
        """The moment a record that ended on `ended_on` is shown as of: its last day's end,
        or the month's end."""
        if ended_on is not None and ended_on < self.last:
            return self.instant(ended_on + timedelta(days=1))
        return self.end

    def overlaps(self, column_start, column_end):
        return [column_start <= self.last,
                or_(column_end.is_(None), column_end >= self.first)]

    def direct_visits(self) -> list:
        """The visits the month's reports count: direct ones (R8: a phone call is not) made
        in the month."""
        return [Visit.direct, Visit.visited_at >= self.start, Visit.visited_at < self.end]


def _ended_by(ended_on: date | None, month: Month) -> str | None:
    """An end date as the month saw it: an end after the month had not happened yet."""
    return ended_on.isoformat() if ended_on is not None and ended_on <= month.last else None


def _holding_units(session, village_ids: list[int], month: Month) -> dict[int, list[dict]]:
    """Each village's units holding it in the month, with their team leaders, as of then."""
    assignments = session.scalars(
        select(VillageAssignment).where(VillageAssignment.village_id.in_(village_ids),
                                        *month.overlaps(VillageAssignment.started_on,
                                                        VillageAssignment.ended_on))
        .order_by(VillageAssignment.started_on, VillageAssignment.id)).all()
    units = load_versions(session, UnitVersion, [a.unit_id for a in assignments])
    shown = {a.id: pick(units.get(a.unit_id, []), month.as_of(a.ended_on))
             for a in assignments}
    heads = load_versions(session, CadreVersion,
                          [u.head_cadre_id for u in shown.values() if u and u.head_cadre_id])
    out: dict[int, list[dict]] = {village_id: [] for village_id in village_ids}
    for a in assignments:
        unit = shown[a.id]
        head = pick(heads.get(unit.head_cadre_id, []), month.as_of(a.ended_on)) if (
            unit and unit.head_cadre_id) else None
        out[a.village_id].append({"unit": unit.name if unit else None,
                                  "team_leader": head.name if head else None,
                                  "from": a.started_on.isoformat(),
                                  "to": _ended_by(a.ended_on, month)})
    return out


def month_of(ctx: Context, month: str) -> Month:
    """A report month in the county's time zone (422 when it has not begun)."""
    return Month(month, ctx.settings.county_zone, ctx.clock.today())


def build_disclosure(ctx: Context, village_id: int, month: Month) -> dict:
    """The disclosure's content: public, masked, and the same whenever it is built again."""
    built = build_disclosures(ctx, [village_id], month)
    if village_id not in built:
        raise NotFound(_("No %(what)s with id %(id)s.", what=_("village"), id=village_id))
    return built[village_id]


def build_disclosures(ctx: Context, village_ids: list[int], month: Month) -> dict[int, dict]:
    """The disclosures of several villages (those that exist), each exactly as
    build_disclosure makes it, from one statement per kind of fact for them all: a month's
    publication builds its villages a batch at a time."""
    session = ctx.session
    places = _villages(session, village_ids)
    village_ids = [v for v in dict.fromkeys(village_ids) if v in places]
    if not village_ids:
        return {}
    shown_in = _pairings_shown(session, village_ids, month)
    every = [s for shown in shown_in.values() for s in shown]
    units = load_versions(session, UnitVersion, [s.cadre.unit_id for s in every])
    household_ids = list({s.pairing.household_id for s in every})
    visits = _direct_visits(session, [s.pairing.id for s in every], month)
    tasks = _tasks(session, household_ids, month)
    demands = _demands(session, household_ids, month)
    holding = _holding_units(session, village_ids, month)
    generated_at = ctx.clock.now().astimezone(month.zone).isoformat(timespec="seconds")
    out = {}
    for village_id in village_ids:
        village, township = places[village_id]
        shown = shown_in[village_id]
        items = _items(shown, units, month, visits=visits, tasks=tasks,
                       demands=_demand_counts(shown, demands, month))
        out[village_id] = {
            "title": "双包双联每月公示", "county": ctx.settings.county_name,
            "township": township.name,
            "village": {"id": village.id, "code": village.code, "name": village.name},
            "month": month.name, "complete": month.complete,
            "holding_units": holding[village_id],
            "supervision_phone": ctx.settings.supervision_phone,
            "pairings": items,
            "cadres_without_direct_visit": _without_direct_visit(shown, units, visits),
            "summary": {
                "pairings": len(items),
                "households": len({s.pairing.household_id for s in shown}),
                "direct_visits": sum(i["direct_visits"] for i in items),
                "pairings_visited": sum(1 for i in items if i["direct_visits"]),
                "demands_opened": sum(i["demands_opened"] for i in items),
                "demands_resolved": sum(i["demands_resolved"] for i in items)},
            "generated_at": generated_at,
        }
    return out


def _villages(session, village_ids: list[int]) -> dict[int, tuple]:
    """{village id: (village, township)} of those that exist."""
    return {village.id: (village, township) for village, township in session.execute(
        select(Village, Township).join(Township).where(Village.id.in_(village_ids)))}


@dataclass(frozen=True)
class Shown:
    """A pairing of the month with the household and cadre as they stood at `moment`."""

    pairing: object
    moment: datetime
    household: object
    cadre: object


def _pairings_shown(session, village_ids: list[int], month: Month) -> dict[int, list[Shown]]:
    """Each village's pairings of the month: those of households that were in the village
    then, with the household and the cadre as of the pairing's end or the month's end."""
    shown_in: dict[int, list[Shown]] = {village_id: [] for village_id in village_ids}
    # Households that are or were in the villages (their village in the month is checked
    # below), fetched first: as a list the planner takes the household index on pairings.
    in_villages = set(session.scalars(union(
        select(HouseholdVersion.household_id).where(
            HouseholdVersion.village_id.in_(village_ids)),
        select(Household.id).where(Household.village_id.in_(village_ids)))))
    if not in_villages:
        return shown_in
    pairings = session.scalars(
        select(Pairing).where(Pairing.household_id.in_(in_villages),
                              *month.overlaps(Pairing.started_on, Pairing.ended_on))
        .order_by(Pairing.id)).all()
    households = load_versions(session, HouseholdVersion, [p.household_id for p in pairings])
    cadres = load_versions(session, CadreVersion, [p.cadre_id for p in pairings])
    for p in pairings:
        moment = month.as_of(p.ended_on)
        household = pick(households.get(p.household_id, []), moment)
        cadre = pick(cadres.get(p.cadre_id, []), moment)
        if household is not None and cadre is not None and household.village_id in shown_in:
            shown_in[household.village_id].append(Shown(p, moment, household, cadre))
    return shown_in


def _direct_visits(session, pairing_ids: list[int], month: Month) -> dict[int, int]:
    """Direct visits (R8: phone calls excluded) per pairing in the month."""
    if not pairing_ids:
        return {}
    return dict(session.execute(
        select(Visit.pairing_id, func.count()).where(
            Visit.pairing_id.in_(pairing_ids), *month.direct_visits())
        .group_by(Visit.pairing_id)).all())


def _tasks(session, household_ids: list[int], month: Month) -> dict[int, list[dict]]:
    """Each household's tasks of the month with their status at its end."""
    if not household_ids:
        return {}
    tasks = session.scalars(select(Task).where(
        Task.household_id.in_(household_ids), Task.created_at < month.end,
        or_(Task.closed_on.is_(None), Task.closed_on >= month.first))
        .order_by(Task.household_id, Task.category, Task.id)).all()
    status = status_as_of(session, [t.id for t in tasks], month.end)
    by_household: dict[int, list[dict]] = {}
    for t in tasks:
        s = status.get(t.id, "open")
        by_household.setdefault(t.household_id, []).append({
            "category": t.category, "category_label": label("task_kind", t.category),
            "status": s, "status_label": label("task_status", s),
            "due_on": t.due_on.isoformat(),
            "closed": t.closed_on is not None and t.closed_on <= month.last})
    return by_household


@dataclass(frozen=True)
class Demands:
    """The households' demands raised before the month's end, and when those resolved at its
    end were last resolved."""

    raised: dict[int, list[tuple[str, datetime]]]  # household → (demand id, opened at)
    resolved_at: dict[str, datetime]


def _demands(session, household_ids: list[int], month: Month) -> Demands:
    if not household_ids:
        return Demands({}, {})
    raised: dict[int, list[tuple[str, datetime]]] = {}
    for demand_id, household_id, opened_at in session.execute(
            select(Demand.id, Demand.household_id, Demand.opened_at).where(
                Demand.household_id.in_(household_ids), Demand.opened_at < month.end)):
        raised.setdefault(household_id, []).append((demand_id, opened_at))
    return Demands(raised, resolved_as_of(session, month.end, household_ids,
                                          since=month.start))


def _demand_counts(shown: list[Shown], demands: Demands, month: Month) -> dict[int, list[int]]:
    """[opened, resolved] per pairing of a village: demands raised in the month, and those
    resolved in it and still resolved at its end, each counted for the village's pairing of
    the household in force that day."""
    counts: dict[int, list[int]] = {s.pairing.id: [0, 0] for s in shown}
    by_household: dict[int, list] = {}
    for s in shown:
        by_household.setdefault(s.pairing.household_id, []).append(s.pairing)

    def count(column: int, household_id: int, at: datetime) -> None:
        p = in_force_or_last(by_household.get(household_id, []),
                             at.astimezone(month.zone).date())
        if p is not None:
            counts[p.id][column] += 1

    done = demands.resolved_at
    for household_id in by_household:
        for demand_id, opened_at in demands.raised.get(household_id, []):
            if opened_at >= month.start:
                count(0, household_id, opened_at)
            if demand_id in done and done[demand_id] >= month.start:
                count(1, household_id, done[demand_id])
    return counts


def _unit_name(units: dict, s: Shown) -> str | None:
    unit = pick(units.get(s.cadre.unit_id, []), s.moment)
    return unit.name if unit else None


def _items(shown: list[Shown], units: dict, month: Month, visits: dict, tasks: dict,
           demands: dict) -> list[dict]:
    """One public row per pairing, in unit, cadre, start, household order."""
    items = []
    for s in shown:
        p, household, cadre = s.pairing, s.household, s.cadre
        items.append({
            "cadre": cadre.name, "unit": _unit_name(units, s), "rank": cadre.rank,
            "rank_label": label("rank", cadre.rank),
            "household": rules.mask_name(household.head_name),
            "difficulty": household.difficulty,
            "difficulty_label": label("difficulty", household.difficulty),
            "paired_from": p.started_on.isoformat(),
            "paired_to": _ended_by(p.ended_on, month),
            # Only whether R4 was waived, never the admin's reason: it is staff free text,
            # and public outputs carry only fields chosen for the public (SPEC §9).
            "difficulty_override": bool(p.override_reason),
            "tasks": tasks.get(p.household_id, []),
            "direct_visits": visits.get(p.id, 0), "demands_opened": demands[p.id][0],
            "demands_resolved": demands[p.id][1]})
    items.sort(key=lambda i: (i["unit"] or "", i["cadre"], i["paired_from"], i["household"]))
    return items


def _without_direct_visit(shown: list[Shown], units: dict, visits: dict) -> list[dict]:
    """Cadres with no direct visit in the month, by cadre, not by name: two 王伟 in one unit
    are two people."""
    totals: dict[tuple, int] = {}
    for s in shown:
        key = (_unit_name(units, s) or "", s.cadre.name, s.pairing.cadre_id)
        totals[key] = totals.get(key, 0) + visits.get(s.pairing.id, 0)
    return [{"cadre": name, "unit": unit or None}
            for (unit, name, _id), n in sorted(totals.items()) if n == 0]
