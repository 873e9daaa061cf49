"""The overview a console's first screen shows (SPEC §15): the county's contact work in a dozen
figures, in total, per unit and per township, from eight grouped statements whatever the size
of the county (tests/api/test_overview.py counts them).

Each figure counts what is defined once elsewhere:

- needy_households: households with a need; paired_households: those of them with an active
  pairing; unpaired_households: the rest (the coverage report's households without a cadre);
- cadres; cadres_without_households, cadres_below_quota: the coverage report's two cadre gaps
  (R1's quota, as SQL: service/coverage/services.py);
- pairings: pairings in force on some day of the month, as the disclosure and the bulletin
  take them; pairings_with_direct_visit: those with a visit the month's reports count
  (Month.direct_visits: direct, R8);
- overdue_tasks, overdue_demands: tasks and demands overdue today (their rules' is_overdue, as
  SQL: service/tasks/services.py, service/demands/services.py);
- villages; villages_published: those with a publication of the month (any revision).

pairings, pairings_with_direct_visit and villages_published are the month's; the other figures
are the record as it stands today (gaps and arrears are not kept per month), so the overview of
last month and of this one differ only in those three.

Rows: a village, its households and their tasks and demands belong to the unit holding the
village now and to the village's township; a pairing to its cadre's unit and its household's
township; a cadre to its unit, and to each township where its unit holds a village (a unit
holding villages in two townships counts its cadres in both, so township rows may add up to
more cadres than the total). Filters (`unit_id`, `township_id`) keep the records that belong
to them in the same sense; a unit admin's overview is pinned to its unit (service/scope.py).
"""

from sqlalchemy import case, func, select

from service import scope
from service.assignments.models import VillageAssignment
from service.cadres.models import Cadre
from service.context import Context
from service.coverage.services import (
    active_pairing_of,
    active_per_cadre,
    below_quota,
    has_needs,
    without_households,
)
from service.demands.models import Demand
from service.demands.services import overdue_demand_condition
from service.disclosures.models import Disclosure
from service.households.models import Household
from service.messages import _
from service.pairings.models import Pairing
from service.places.models import Township, Village
from service.reports.disclosure import Month
from service.tasks.models import Task
from service.tasks.services import overdue_task_condition
from service.units.models import Unit
from service.visits.models import Visit

FIGURES = ("needy_households", "paired_households", "unpaired_households", "cadres",
           "cadres_without_households", "cadres_below_quota", "pairings",
           "pairings_with_direct_visit", "overdue_tasks", "overdue_demands", "villages",
           "villages_published")


def _held():
    """Which unit holds each village now (R6: at most one)."""
    return (select(VillageAssignment.village_id, VillageAssignment.unit_id)
            .where(VillageAssignment.ended_on.is_(None)).subquery("held"))


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class _Counted:
    """The figures of the totals and of every row, added up as grouped rows arrive."""

    def __init__(self, units: dict[int, dict], townships: dict[int, dict]):
        self.totals = dict.fromkeys(FIGURES, 0)
        self.units, self.townships = units, townships
        self.links: dict[int, set[int]] = {}  # unit → townships where it holds villages

    def add(self, unit_id, township_id, **figures) -> None:
        """Figures of records of a unit (or none) and a township (or none)."""
        for row in (self.totals, self.units.get(unit_id), self.townships.get(township_id)):
            _add_to(row, figures)

    def add_cadres(self, unit_id, **figures) -> None:
        """A unit's cadres: in the totals, the unit's row, and each township it holds in."""
        self.add(unit_id, None, **figures)
        for township_id in self.links.get(unit_id, ()):
            _add_to(self.townships.get(township_id), figures)


def _add_to(row: dict | None, figures: dict) -> None:
    if row is not None:
        for name, value in figures.items():
            row[name] += int(value or 0)


def build_overview(ctx: Context, month: Month, args: dict) -> dict:
    """{month, generated_at, totals, units, townships}: the figures of FIGURES for the
    caller's scope and the filters (a unit admin: its unit)."""
    args = scope.pinned_to_own_unit(ctx.caller, args,
                                    _("A unit admin sees its own unit's overview only."))
    session, unit_id, township_id = ctx.session, args.get("unit_id"), args.get("township_id")
    held = _held()

    def placed(stmt, village_id):
        """A statement over records placed by `village_id`: grouped by the holding unit and
        the township, and kept to the filters."""
        if village_id is not Village.id:
            stmt = stmt.join(Village, Village.id == village_id)
        stmt = (stmt.outerjoin(held, held.c.village_id == village_id)
                .group_by(held.c.unit_id, Village.township_id))
        if unit_id is not None:
            stmt = stmt.where(held.c.unit_id == unit_id)
        if township_id is not None:
            stmt = stmt.where(Village.township_id == township_id)
        return stmt

    held_in_township = select(held.c.unit_id).join(Village, Village.id == held.c.village_id)
    units = select(Unit.id, Unit.name)
    townships = select(Township.id, Township.name, Township.code)
    if unit_id is not None:
        units = units.where(Unit.id == unit_id)
        townships = townships.where(Township.id.in_(
            select(Village.township_id).join(held, held.c.village_id == Village.id)
            .where(held.c.unit_id == unit_id)))
    if township_id is not None:
        townships = townships.where(Township.id == township_id)
        units = units.where(Unit.id.in_(held_in_township.where(
            Village.township_id == township_id)))
    unit_rows = {row.id: {"unit_id": row.id, "unit_name": row.name,
                          **dict.fromkeys(FIGURES, 0)}
                 for row in session.execute(units)}
    township_rows = {row.id: {"township_id": row.id, "township_name": row.name,
                              **dict.fromkeys(FIGURES, 0), "_code": row.code}
                     for row in session.execute(townships)}
    counted = _Counted(unit_rows, township_rows)

    # Villages, and which of them the month's publications cover.
    published = (select(Disclosure.village_id).where(Disclosure.month == month.name)
                 .distinct().subquery("published"))
    for u, t, villages, done in session.execute(placed(
            select(held.c.unit_id, Village.township_id, func.count(),
                   func.count(published.c.village_id)).select_from(Village)
            .outerjoin(published, published.c.village_id == Village.id), Village.id)):
        counted.add(u, t, villages=villages, villages_published=done)
        if u is not None:
            counted.links.setdefault(u, set()).add(t)

    # Households with needs, and those of them with a cadre now.
    for u, t, needy, paired in session.execute(placed(
            select(held.c.unit_id, Village.township_id, func.count(),
                   func.count(Pairing.id)).select_from(Household)
            .outerjoin(Pairing, active_pairing_of(Household.id))
            .where(has_needs()), Household.village_id)):
        counted.add(u, t, needy_households=needy, paired_households=paired)

    # Tasks and demands overdue today, by their households' places.
    today, now = ctx.clock.today(), ctx.clock.now()
    for u, t, n in session.execute(placed(
            select(held.c.unit_id, Village.township_id, func.count()).select_from(Task)
            .join(Household, Household.id == Task.household_id)
            .where(overdue_task_condition(today)), Household.village_id)):
        counted.add(u, t, overdue_tasks=n)
    for u, t, n in session.execute(placed(
            select(held.c.unit_id, Village.township_id, func.count()).select_from(Demand)
            .join(Household, Household.id == Demand.household_id)
            .where(overdue_demand_condition(now, ctx.settings.demand_overdue_days)),
            Household.village_id)):
        counted.add(u, t, overdue_demands=n)

    # The month's pairings, by the cadre's unit and the household's township.
    visited = select(Visit.pairing_id).where(*month.direct_visits()).distinct().subquery()
    pairings = (select(Cadre.unit_id, Village.township_id, func.count(),
                       func.count(visited.c.pairing_id)).select_from(Pairing)
                .join(Cadre, Cadre.id == Pairing.cadre_id)
                .join(Household, Household.id == Pairing.household_id)
                .join(Village, Village.id == Household.village_id)
                .outerjoin(visited, visited.c.pairing_id == Pairing.id)
                .where(*month.overlaps(Pairing.started_on, Pairing.ended_on))
                .group_by(Cadre.unit_id, Village.township_id))
    if unit_id is not None:
        pairings = pairings.where(Cadre.unit_id == unit_id)
    if township_id is not None:
        pairings = pairings.where(Village.township_id == township_id)
    for u, t, n, visited_n in session.execute(pairings):
        counted.add(u, t, pairings=n, pairings_with_direct_visit=visited_n)

    # Cadres and their gaps, by unit (each township its units hold counts them too).
    active = active_per_cadre()
    n = func.coalesce(active.c.n, 0)
    cadres = (select(Cadre.unit_id, func.count(), _count(without_households(n)),
                     _count(below_quota(n)))
              .outerjoin(active, active.c.cadre_id == Cadre.id).group_by(Cadre.unit_id))
    if unit_id is not None:
        cadres = cadres.where(Cadre.unit_id == unit_id)
    if township_id is not None:
        cadres = cadres.where(Cadre.unit_id.in_(held_in_township.where(
            Village.township_id == township_id)))
    for u, total, without, below in session.execute(cadres):
        counted.add_cadres(u, cadres=total, cadres_without_households=without,
                           cadres_below_quota=below)

    for row in [counted.totals, *unit_rows.values(), *township_rows.values()]:
        row["unpaired_households"] = row["needy_households"] - row["paired_households"]
    return {
        "month": month.name,
        "generated_at": now.astimezone(month.zone).isoformat(timespec="seconds"),
        "totals": counted.totals,
        "units": sorted(unit_rows.values(), key=lambda r: (r["unit_name"], r["unit_id"])),
        "townships": [{k: v for k, v in r.items() if k != "_code"} for r in sorted(
            township_rows.values(), key=lambda r: (r["_code"], r["township_id"]))],
    }
