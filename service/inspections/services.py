"""Recording inspections, their rates per village and unit, and the next sample."""

import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import select

from service import scope
from service.context import Context
from service.dates import month_bounds
from service.exceptions import ValidationFailed
from service.history.asof import load_versions, pick
from service.history.models import CadreVersion
from service.households.models import Household
from service.inspections import rules
from service.inspections.models import HouseholdCheck, Inspection
from service.listing import Listing
from service.messages import _
from service.pairings.models import Pairing
from service.places.models import Village

CHECK_FIELDS = ("knows_cadre", "has_contact_card", "visit_confirmed", "satisfaction")


def create_inspection(ctx: Context, data: dict) -> Inspection:
    """Record an inspection; each household must be in the village, and the cadre and unit
    paired with it that day are kept with its answers."""
    session, today, zone = ctx.session, ctx.clock.today(), ctx.settings.county_zone
    village = session.get(Village, data["village_id"])
    if village is None:
        raise ValidationFailed({"village_id": [_("no such village")]})
    if data["inspected_on"] > today:
        raise ValidationFailed({"inspected_on": [_("cannot be in the future")]})
    checks = data["household_checks"]
    ids = [c["household_id"] for c in checks]
    errors: dict = {}
    if len(set(ids)) != len(ids):
        errors["household_checks"] = [_("a household appears twice")]
    found = dict(session.execute(select(Household.id, Household.village_id)
                                 .where(Household.id.in_(ids))).all())
    for index, hid in enumerate(ids):
        if found.get(hid) != village.id:
            errors.setdefault("household_checks", []).append(
                _("item %(index)s: household %(household)s is not in village %(village)s",
                  index=index, household=hid, village=village.id))
    if errors:
        raise ValidationFailed(errors)
    day = data["inspected_on"]
    paired = {row.household_id: row.cadre_id for row in session.execute(
        select(Pairing.household_id, Pairing.cadre_id)
        .where(Pairing.household_id.in_(ids), Pairing.started_on <= day,
               (Pairing.ended_on.is_(None)) | (Pairing.ended_on >= day))
        .order_by(Pairing.started_on))}
    # The cadre's unit on the inspection day (an inspection may be entered after it moved).
    day_end = datetime.combine(day + timedelta(days=1), time(), zone)
    versions = load_versions(session, CadreVersion, paired.values())
    unit_on_day = {cid: pick(versions.get(cid, []), day_end) for cid in set(paired.values())}
    inspection = Inspection(village_id=village.id, inspected_on=day,
                            inspector_id=ctx.caller.user_id, notes=data.get("notes"))
    for c in checks:
        cadre_id = paired.get(c["household_id"])
        version = unit_on_day.get(cadre_id)
        inspection.checks.append(HouseholdCheck(
            household_id=c["household_id"], cadre_id=cadre_id,
            unit_id=version.unit_id if version else None, note=c.get("note"),
            **{f: c[f] for f in CHECK_FIELDS}))
    session.add(inspection)
    session.flush()
    return inspection


def present(inspection: Inspection) -> dict:
    """An inspection with its checks and its own rates."""
    checks = [{"household_id": c.household_id, "cadre_id": c.cadre_id, "unit_id": c.unit_id,
               "note": c.note, **{f: getattr(c, f) for f in CHECK_FIELDS}}
              for c in inspection.checks]
    return {"id": inspection.id, "village_id": inspection.village_id,
            "inspected_on": inspection.inspected_on, "inspector_id": inspection.inspector_id,
            "notes": inspection.notes, "created_at": inspection.created_at,
            "household_checks": checks, **rules.rates(checks)}


def get_inspection(ctx: Context, inspection_id: int) -> Inspection:
    """One inspection, or 404."""
    return scope.find(ctx.session, ctx.caller, Inspection, inspection_id, _("inspection"))


def _in_month(stmt, month: str | None):
    if month:
        first, last = month_bounds(month)
        stmt = stmt.where(Inspection.inspected_on >= first, Inspection.inspected_on <= last)
    return stmt


def list_inspections(ctx: Context, args: dict) -> Listing:
    """Inspections, newest first, by village, unit checked, inspector and month."""
    stmt = _in_month(scope.within(select(Inspection), ctx.caller, Inspection),
                     args.get("month")).order_by(
        Inspection.inspected_on.desc(), Inspection.id.desc())
    if args.get("village_id") is not None:
        stmt = stmt.where(Inspection.village_id == args["village_id"])
    if args.get("inspector_id") is not None:
        stmt = stmt.where(Inspection.inspector_id == args["inspector_id"])
    if args.get("unit_id") is not None:
        stmt = stmt.where(Inspection.id.in_(select(HouseholdCheck.inspection_id).where(
            HouseholdCheck.unit_id == args["unit_id"])))
    return Listing(stmt, present=lambda items: [present(i) for i in items])


def rates_by(ctx: Context, month: str | None, by: str) -> list[dict]:
    """知晓率 and 满意率 per village or per unit (of the cadre paired at the time)."""
    session = ctx.session
    key = Inspection.village_id if by == "village" else HouseholdCheck.unit_id
    rows = session.execute(_in_month(
        select(key.label("key"), *[getattr(HouseholdCheck, f) for f in CHECK_FIELDS])
        .join(Inspection, Inspection.id == HouseholdCheck.inspection_id), month))
    groups: dict = {}
    for row in rows:
        if row.key is not None:
            groups.setdefault(row.key, []).append(dict(row._mapping))
    return [{f"{by}_id": k, **rules.rates(v)} for k, v in sorted(groups.items())]


def bulletin_rates(ctx: Context, month) -> tuple[dict[int, tuple], bool]:
    """For the bulletin: {unit_id: (knowledge_rate, satisfaction_rate)} in a report month, and
    whether any inspection was recorded in it (households without a cadre count for no unit)."""
    rates = {r["unit_id"]: (r["knowledge_rate"], r["satisfaction_rate"])
             for r in rates_by(ctx, month.name, "unit")}
    any_inspection = ctx.session.scalar(_in_month(select(Inspection.id), month.name).limit(1))
    return rates, any_inspection is not None


def sample(ctx: Context, size: int, per_village: int, seed: int | None) -> dict:
    """Villages and households for the next unannounced inspection, drawn at random among
    households with a cadre now; the seed is returned so the draw can be repeated."""
    session = ctx.session
    seed = secrets.randbelow(2**31) if seed is None else seed
    candidates: dict[int, list[int]] = {}
    for village_id, household_id in session.execute(
            select(Household.village_id, Household.id).join(
                Pairing, Pairing.household_id == Household.id)
            .where(Pairing.ended_on.is_(None))):
        candidates.setdefault(village_id, []).append(household_id)
    drawn = rules.draw_sample(candidates, size, per_village, seed)
    names = dict(session.execute(select(Village.id, Village.name).where(
        Village.id.in_([v for v, _ in drawn]))).all())
    return {"seed": seed, "size": size, "per_village": per_village,
            "villages": [{"village_id": v, "village": names.get(v), "household_ids": hs}
                         for v, hs in drawn]}

