"""The monthly public disclosure (每月公示) of one village, built from the record as it stood
in that month: pairings, cadres, households and units as of then (service/history), task
status from its transitions, visits and demands by their own times."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select, union

from service.assignments.models import VillageAssignment
from service.cadres.rules import RANK_LABELS
from service.context import Context
from service.dates import month_bounds
from service.demands.history import resolved_as_of
from service.demands.models import Demand
from service.exceptions import NotFound, ValidationFailed
from service.history.asof import load_versions, pick
from service.history.models import CadreVersion, HouseholdVersion, UnitVersion
from service.households.models import Household
from service.pairings.models import Pairing
from service.pairings.rules import in_force_on
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
            raise ValidationFailed({"month": ["is in the future"]})
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


def _ended_by(ended_on: date | None, month: Month) -> str | None:
    """An end date as the month saw it: an end after the month had not happened yet."""
    return ended_on.isoformat() if ended_on is not None and ended_on <= month.last else None


def _holding_units(session, village_id: int, month: Month) -> list[dict]:
    assignments = session.scalars(
        select(VillageAssignment).where(VillageAssignment.village_id == village_id,
                                        *month.overlaps(VillageAssignment.started_on,
                                                        VillageAssignment.ended_on))
        .order_by(VillageAssignment.started_on, VillageAssignment.id)).all()
    units = load_versions(session, UnitVersion, [a.unit_id for a in assignments])
    shown = {a.id: pick(units.get(a.unit_id, []), month.as_of(a.ended_on))
             for a in assignments}
    heads = load_versions(session, CadreVersion,
                          [u.head_cadre_id for u in shown.values() if u and u.head_cadre_id])
    out = []
    for a in assignments:
        unit = shown[a.id]
        head = pick(heads.get(unit.head_cadre_id, []), month.as_of(a.ended_on)) if (
            unit and unit.head_cadre_id) else None
        out.append({"unit": unit.name if unit else None,
                    "team_leader": head.name if head else None,
                    "from": a.started_on.isoformat(),
                    "to": _ended_by(a.ended_on, month)})
    return out


def month_of(ctx: Context, month: str) -> Month:
    """A report month in the county's time zone (422 when it has not begun)."""
    return Month(month, ctx.settings.county_zone, ctx.clock.today())


def build_disclosure(ctx: Context, village_id: int, month: Month) -> dict:
    """The disclosure's content: public, masked, and the same whenever it is built again."""
    session, now = ctx.session, ctx.clock.now()
    county, supervision_phone = ctx.settings.county_name, ctx.settings.supervision_phone
    row = session.execute(select(Village, Township).join(Township)
                          .where(Village.id == village_id)).first()
    if row is None:
        raise NotFound(f"No village {village_id}.")
    village, township = row
    # Households that are or were in the village (their village in the month is checked
    # below), fetched first: as a list the planner takes the household index on pairings.
    in_village = set(session.scalars(union(
        select(HouseholdVersion.household_id).where(HouseholdVersion.village_id == village_id),
        select(Household.id).where(Household.village_id == village_id))))
    pairings = session.scalars(
        select(Pairing).where(Pairing.household_id.in_(in_village),
                              *month.overlaps(Pairing.started_on, Pairing.ended_on))
        .order_by(Pairing.id)).all() if in_village else []
    households = load_versions(session, HouseholdVersion, [p.household_id for p in pairings])
    cadres = load_versions(session, CadreVersion, [p.cadre_id for p in pairings])
    shown = []
    for p in pairings:
        moment = month.as_of(p.ended_on)
        household, cadre = pick(households.get(p.household_id, []), moment), pick(
            cadres.get(p.cadre_id, []), moment)
        if household is None or cadre is None or household.village_id != village_id:
            continue
        shown.append((p, moment, household, cadre))
    units = load_versions(session, UnitVersion, [c.unit_id for _, _, _, c in shown])
    pairing_ids = [p.id for p, *_ in shown]
    household_ids = list({p.household_id for p, *_ in shown})

    visits = dict(session.execute(
        select(Visit.pairing_id, func.count()).where(
            Visit.pairing_id.in_(pairing_ids), Visit.direct,
            Visit.visited_at >= month.start, Visit.visited_at < month.end)
        .group_by(Visit.pairing_id)).all()) if pairing_ids else {}

    tasks = session.scalars(select(Task).where(
        Task.household_id.in_(household_ids), Task.created_at < month.end,
        or_(Task.closed_on.is_(None), Task.closed_on >= month.first))
        .order_by(Task.household_id, Task.category, Task.id)).all() if household_ids else []
    status = status_as_of(session, [t.id for t in tasks], month.end)

    # Demands raised in the month, and those resolved in it and still resolved at its end.
    opened, resolved = [], []
    if household_ids:
        done = resolved_as_of(session, month.end, household_ids, since=month.start)
        for demand_id, household_id, opened_at in session.execute(
                select(Demand.id, Demand.household_id, Demand.opened_at).where(
                    Demand.household_id.in_(household_ids), Demand.opened_at < month.end)):
            if opened_at >= month.start:
                opened.append((household_id, opened_at))
            if demand_id in done and done[demand_id] >= month.start:
                resolved.append((household_id, done[demand_id]))

    by_household: dict[int, list] = {}
    for p, *_ in shown:
        by_household.setdefault(p.household_id, []).append(p)

    def owner(household_id: int, at: datetime) -> int | None:
        """The pairing of this household in force on the local day of `at` (else its last in
        the month)."""
        mine = by_household.get(household_id, [])
        p = in_force_on(mine, at.astimezone(month.zone).date()) or (mine[-1] if mine else None)
        return p.id if p else None

    demand_counts: dict[int, list[int]] = {pid: [0, 0] for pid in pairing_ids}
    for column, rows_ in ((0, opened), (1, resolved)):
        for household_id, at in rows_:
            pid = owner(household_id, at)
            if pid is not None:
                demand_counts[pid][column] += 1

    tasks_by_household: dict[int, list[dict]] = {}
    for t in tasks:
        s = status.get(t.id, "open")
        tasks_by_household.setdefault(t.household_id, []).append({
            "category": t.category, "category_label": rules.NEED_LABELS.get(t.category),
            "status": s, "status_label": rules.TASK_STATUS_LABELS[s],
            "due_on": t.due_on.isoformat(),
            "closed": t.closed_on is not None and t.closed_on <= month.last})

    items, cadre_visits = [], {}
    for p, moment, household, cadre in shown:
        unit = pick(units.get(cadre.unit_id, []), moment)
        direct = visits.get(p.id, 0)
        key = (unit.name if unit else "", cadre.name, p.cadre_id)
        cadre_visits[key] = cadre_visits.get(key, 0) + direct
        items.append({
            "cadre": cadre.name, "unit": unit.name if unit else None, "rank": cadre.rank,
            "rank_label": RANK_LABELS[cadre.rank], "household": rules.mask_name(
                household.head_name), "difficulty": household.difficulty,
            "difficulty_label": rules.DIFFICULTY_LABELS[household.difficulty],
            "paired_from": p.started_on.isoformat(),
            "paired_to": _ended_by(p.ended_on, month),
            "override_reason": p.override_reason,
            "tasks": tasks_by_household.get(p.household_id, []),
            "direct_visits": direct, "demands_opened": demand_counts[p.id][0],
            "demands_resolved": demand_counts[p.id][1]})
    items.sort(key=lambda i: (i["unit"] or "", i["cadre"], i["paired_from"], i["household"]))
    # By cadre, not by name: two 王伟 in one unit are two people.
    without = [{"cadre": name, "unit": unit or None}
               for (unit, name, _id), n in sorted(cadre_visits.items()) if n == 0]
    return {
        "title": "双包双联每月公示", "county": county, "township": township.name,
        "village": {"id": village.id, "code": village.code, "name": village.name},
        "month": month.name, "complete": month.complete,
        "holding_units": _holding_units(session, village_id, month),
        "supervision_phone": supervision_phone,
        "pairings": items,
        "cadres_without_direct_visit": without,
        "summary": {
            "pairings": len(items), "households": len({p.household_id for p, *_ in shown}),
            "direct_visits": sum(i["direct_visits"] for i in items),
            "pairings_visited": sum(1 for i in items if i["direct_visits"]),
            "demands_opened": sum(i["demands_opened"] for i in items),
            "demands_resolved": sum(i["demands_resolved"] for i in items)},
        "generated_at": now.astimezone(month.zone).isoformat(timespec="seconds"),
    }
