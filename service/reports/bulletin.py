"""The situation bulletin (情况通报) for a month: every unit's contact work, ranked."""

from datetime import datetime

from sqlalchemy import func, or_, select

from service.context import Context
from service.demands.history import resolved_as_of
from service.demands.models import Demand
from service.history.asof import load_versions, pick
from service.history.models import CadreVersion, UnitVersion
from service.pairings.models import Pairing
from service.pairings.rules import in_force_or_last
from service.reports import rules
from service.reports.disclosure import Month
from service.units.models import Unit
from service.visits.models import Visit


def _all_cadre_versions(session) -> dict[int, list]:
    """Every cadre's versions, oldest first, as plain rows (10,000 cadres: no ORM objects)."""
    out: dict[int, list] = {}
    for row in session.execute(
            select(CadreVersion.cadre_id, CadreVersion.valid_from, CadreVersion.name,
                   CadreVersion.unit_id)
            .order_by(CadreVersion.cadre_id, CadreVersion.valid_from, CadreVersion.id)):
        out.setdefault(row.cadre_id, []).append(row)
    return out


def build_bulletin(ctx: Context, month: Month, inspection_rates=None) -> dict:
    """Per unit: cadres, pairings, share visited, cadres with no direct visit, demands; ranked.

    `inspection_rates(month)` gives ({unit_id: (knowledge_rate, satisfaction_rate)}, whether
    any inspection was recorded in the month); without it both rates are null."""
    session = ctx.session
    cadres = _all_cadre_versions(session)
    rows = _unit_rows(session, month)
    for versions in cadres.values():
        cadre = pick(versions, month.end)
        if cadre.unit_id in rows:
            rows[cadre.unit_id]["cadres"] += 1
    unit_of_pairing, by_household = _count_pairings(session, month, cadres, rows)
    _count_demands(session, month, rows, unit_of_pairing, by_household)
    rates, inspected = inspection_rates(month) if inspection_rates else ({}, False)
    return {"month": month.name, "complete": month.complete,
            "generated_at": ctx.clock.now().astimezone(month.zone).isoformat(timespec="seconds"),
            "inspections_counted": inspected,
            "units": rules.rank_units([_finished(unit_id, row, rates)
                                       for unit_id, row in rows.items()])}


def _unit_rows(session, month: Month) -> dict[int, dict]:
    """An empty row per unit, named as it was at the month's end."""
    unit_ids = list(session.scalars(select(Unit.id)))
    units = load_versions(session, UnitVersion, unit_ids)
    rows = {}
    for unit_id in unit_ids:
        unit = pick(units.get(unit_id, []), month.end)
        rows[unit_id] = {"unit_id": unit_id, "unit": unit.name if unit else str(unit_id),
                         "cadres": 0, "pairings": 0, "pairings_visited": 0,
                         "cadres_without_direct_visit": [], "demands_opened": 0,
                         "demands_resolved": 0, "resolution_rate": None,
                         "median_days_to_resolve": None, "knowledge_rate": None,
                         "satisfaction_rate": None, "_visits": {}, "_days": [],
                         "_opened_resolved": 0}
    return rows


def _count_pairings(session, month: Month, cadres: dict, rows: dict) -> tuple[dict, dict]:
    """Each unit's pairings of the month (by the cadre's unit then) and their direct visits;
    returns {pairing: unit} and each household's pairings, for counting demands."""
    pairings = session.execute(
        select(Pairing.id, Pairing.cadre_id, Pairing.household_id, Pairing.started_on,
               Pairing.ended_on)
        .where(*month.overlaps(Pairing.started_on, Pairing.ended_on))).all()
    visits = dict(session.execute(
        select(Visit.pairing_id, func.count()).where(*month.direct_visits())
        .group_by(Visit.pairing_id)).all())
    by_household: dict[int, list] = {}
    unit_of_pairing: dict[int, int] = {}
    for p in pairings:
        cadre = pick(cadres.get(p.cadre_id, []), month.as_of(p.ended_on))
        if cadre is None or cadre.unit_id not in rows:
            continue
        row = rows[cadre.unit_id]
        row["pairings"] += 1
        n = visits.get(p.id, 0)
        row["pairings_visited"] += 1 if n else 0
        key = (cadre.cadre_id, cadre.name)
        row["_visits"][key] = row["_visits"].get(key, 0) + n
        by_household.setdefault(p.household_id, []).append(p)
        unit_of_pairing[p.id] = cadre.unit_id
    return unit_of_pairing, by_household


def _count_demands(session, month: Month, rows: dict, unit_of_pairing: dict,
                   by_household: dict) -> None:
    """Demands raised and resolved in the month, each for the unit of the household's pairing
    in force that day. Resolved = resolved (or confirmed) at the month's end, when it was last
    resolved: the same reading as the disclosure's."""
    def unit_of(household_id: int, at: datetime) -> int | None:
        p = in_force_or_last(by_household.get(household_id, []),
                             at.astimezone(month.zone).date())
        return unit_of_pairing[p.id] if p else None

    resolved_at = resolved_as_of(session, month.end, since=month.start)
    for demand_id, household_id, opened_at in session.execute(
            select(Demand.id, Demand.household_id, Demand.opened_at).where(
                Demand.opened_at < month.end, or_(Demand.opened_at >= month.start,
                                                   Demand.id.in_(list(resolved_at))))):
        done = resolved_at.get(demand_id)
        if opened_at >= month.start:
            unit_id = unit_of(household_id, opened_at)
            if unit_id is not None:
                rows[unit_id]["demands_opened"] += 1
                rows[unit_id]["_opened_resolved"] += 1 if done is not None else 0
        if done is not None and done >= month.start:
            unit_id = unit_of(household_id, done)
            if unit_id is not None:
                rows[unit_id]["demands_resolved"] += 1
                rows[unit_id]["_days"].append((done - opened_at).total_seconds() / 86400)


def _finished(unit_id: int, row: dict, rates: dict) -> dict:
    """A unit's row with its shares, medians and inspection rates, the working counts gone."""
    row["visited_share"] = rules.share(row["pairings_visited"], row["pairings"])
    row["cadres_without_direct_visit"] = [
        {"cadre_id": cid, "cadre": name}
        for (cid, name), n in sorted(row.pop("_visits").items(), key=lambda kv: kv[0][1])
        if n == 0]
    row["resolution_rate"] = rules.share(row.pop("_opened_resolved"), row["demands_opened"])
    row["median_days_to_resolve"] = rules.median_days(row.pop("_days"))
    row["knowledge_rate"], row["satisfaction_rate"] = rates.get(unit_id, (None, None))
    return row
