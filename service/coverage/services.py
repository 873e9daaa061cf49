"""两个全覆盖: every cadre has households or contact points, every household knows its cadre.

Counts come from SQL aggregates over the whole scope; each section lists at most `limit` rows.
"""

from sqlalchemy import and_, case, exists, func, select

from service import names, scope
from service.assignments.models import VillageAssignment
from service.cadres.models import Cadre
from service.contacts.models import ContactPoint, PartyOrganization
from service.contacts.rules import REQUIRED_BY_RANK, missing_contact_points
from service.context import Context
from service.households.models import Household, HouseholdNeed
from service.households.rules import NEEDS
from service.messages import _
from service.pairings.models import Pairing
from service.places.models import Township, Village
from service.units.models import Unit

# Mirrors service.cadres.rules.household_quota, as SQL.
QUOTA = case((Cadre.rank == "general", 1), else_=2)


# --- the gaps, as SQL the overview (service/reports/overview.py) counts by group too -------


def active_per_cadre():
    """Each cadre's active pairings (R1's count), as a subquery (cadre_id, n)."""
    return (select(Pairing.cadre_id, func.count().label("n"))
            .where(Pairing.ended_on.is_(None)).group_by(Pairing.cadre_id).subquery())


def without_households(n):
    """A cadre with no active pairing, given its count `n` (two 全覆盖's first gap)."""
    return n == 0


def below_quota(n):
    """A cadre with some households but fewer than its quota (R1)."""
    return and_(n > 0, n < QUOTA)


def has_needs():
    """A household with at least one need: one the programme must cover."""
    return exists().where(HouseholdNeed.household_id == Household.id)


def active_pairing_of(household_id):
    """The active pairing of a household (R2: at most one), as a condition on Pairing."""
    return and_(Pairing.household_id == household_id, Pairing.ended_on.is_(None))


def has_cadre():
    """A household with an active pairing."""
    return exists().where(active_pairing_of(Household.id))


def _villages_in(args: dict):
    """The villages the filters point at (None: all)."""
    stmt = select(Village.id)
    if args.get("village_id") is not None:
        stmt = stmt.where(Village.id == args["village_id"])
    if args.get("township_id") is not None:
        stmt = stmt.where(Village.township_id == args["township_id"])
    if args.get("unit_id") is not None:
        stmt = stmt.where(Village.id.in_(select(VillageAssignment.village_id).where(
            VillageAssignment.unit_id == args["unit_id"], VillageAssignment.ended_on.is_(None))))
    if all(args.get(k) is None for k in ("village_id", "township_id", "unit_id")):
        return None
    return stmt


def _units_in(args: dict):
    """The units the filters point at (None: all)."""
    if args.get("unit_id") is not None:
        return select(Unit.id).where(Unit.id == args["unit_id"])
    villages = _villages_in(args)
    if villages is None:
        return None
    return select(VillageAssignment.unit_id).where(VillageAssignment.ended_on.is_(None),
                                                   VillageAssignment.village_id.in_(villages))


def _section(session, stmt, limit: int, present) -> dict:
    count = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.execute(stmt.limit(limit)).all() if limit else []
    return {"count": count, "items": [present(r) for r in rows]}


def _cadre_sections(session, units, limit: int) -> tuple[dict, dict]:
    active = active_per_cadre()
    n = func.coalesce(active.c.n, 0)
    base = (select(Cadre.id, Cadre.name, Cadre.unit_id, Cadre.rank, n, QUOTA, Unit.name)
            .join(Unit, Unit.id == Cadre.unit_id)
            .outerjoin(active, active.c.cadre_id == Cadre.id).order_by(Cadre.unit_id, Cadre.id))
    if units is not None:
        base = base.where(Cadre.unit_id.in_(units))

    def present(r):
        return {"id": r[0], "name": r[1], "unit_id": r[2], "unit_name": r[6], "rank": r[3],
                "active": r[4], "quota": r[5]}

    return (_section(session, base.where(without_households(n)), limit, present),
            _section(session, base.where(below_quota(n)), limit, present))


def _household_section(session, villages, limit: int) -> dict:
    stmt = (select(Household.id, Household.head_name, Household.village_id, Household.difficulty,
                   Village.name, Village.township_id, Township.name)
            .join(Village, Village.id == Household.village_id)
            .join(Township, Township.id == Village.township_id)
            .where(has_needs(), ~has_cadre())
            .order_by(Household.id))
    if villages is not None:
        stmt = stmt.where(Household.village_id.in_(villages))
    section = _section(session, stmt, limit, lambda r: {
        "id": r[0], "head_name": r[1], "village_id": r[2], "village_name": r[4],
        "township_id": r[5], "township_name": r[6], "difficulty": r[3], "needs": []})
    ids = [h["id"] for h in section["items"]]
    needs: dict[int, set] = {}
    for hid, need in session.execute(select(HouseholdNeed.household_id, HouseholdNeed.need)
                                     .where(HouseholdNeed.household_id.in_(ids))):
        needs.setdefault(hid, set()).add(need)
    for h in section["items"]:
        h["needs"] = [n for n in NEEDS if n in needs.get(h["id"], ())]
    return section


def _village_section(session, args: dict, limit: int) -> dict:
    stmt = (select(Village.id, Village.code, Village.name, Village.township_id, Township.name)
            .join(Township, Township.id == Village.township_id)
            .where(~exists().where(VillageAssignment.village_id == Village.id,
                                   VillageAssignment.ended_on.is_(None)))
            .order_by(Village.code))
    if args.get("unit_id") is not None:
        stmt = stmt.where(False)  # a village held by the unit has, by definition, a unit
    if args.get("village_id") is not None:
        stmt = stmt.where(Village.id == args["village_id"])
    if args.get("township_id") is not None:
        stmt = stmt.where(Village.township_id == args["township_id"])
    return _section(session, stmt, limit, lambda r: {
        "id": r[0], "code": r[1], "name": r[2], "township_id": r[3], "township_name": r[4]})


def _unit_section(session, units, limit: int) -> dict:
    stmt = select(Unit.id, Unit.name).where(Unit.head_cadre_id.is_(None)).order_by(Unit.name)
    if units is not None:
        stmt = stmt.where(Unit.id.in_(units))
    return _section(session, stmt, limit, lambda r: {"id": r[0], "name": r[1]})


def _leader_section(session, units, limit: int) -> dict:
    leaders = select(Cadre).where(Cadre.rank.in_(REQUIRED_BY_RANK)).order_by(Cadre.unit_id,
                                                                             Cadre.id)
    if units is not None:
        leaders = leaders.where(Cadre.unit_id.in_(units))
    held: dict[int, list] = {}
    for cadre_id, kind, weak in session.execute(
            select(ContactPoint.cadre_id, PartyOrganization.kind, PartyOrganization.weak)
            .join(PartyOrganization, PartyOrganization.id == ContactPoint.organization_id)
            .where(ContactPoint.ended_on.is_(None),
                   ContactPoint.cadre_id.in_(leaders.with_only_columns(Cadre.id)))):
        held.setdefault(cadre_id, []).append((kind, weak))
    gaps = []
    for cadre in session.scalars(leaders):
        missing = missing_contact_points(cadre.rank, held.get(cadre.id, []))
        if missing:
            gaps.append({"id": cadre.id, "name": cadre.name, "unit_id": cadre.unit_id,
                         "rank": cadre.rank, "missing": missing})
    listed = gaps[:limit]
    unit_names = names.of_units(session, [g["unit_id"] for g in listed])
    for gap in listed:
        gap["unit_name"] = unit_names.get(gap["unit_id"])
    return {"count": len(gaps), "items": listed}


def _override_section(session, units, villages, limit: int) -> dict:
    stmt = (select(Pairing.id, Pairing.cadre_id, Cadre.name, Cadre.rank, Pairing.household_id,
                   Household.head_name, Household.village_id, Village.name,
                   Household.difficulty, Pairing.override_reason, Pairing.started_on)
            .join(Cadre, Cadre.id == Pairing.cadre_id)
            .join(Household, Household.id == Pairing.household_id)
            .join(Village, Village.id == Household.village_id)
            .where(Pairing.ended_on.is_(None), Pairing.override_reason.is_not(None))
            .order_by(Pairing.id))
    if units is not None:
        stmt = stmt.where(Cadre.unit_id.in_(units))
    if villages is not None:
        stmt = stmt.where(Household.village_id.in_(villages))
    keys = ("pairing_id", "cadre_id", "cadre_name", "cadre_rank", "household_id",
            "household_head_name", "village_id", "village_name", "difficulty",
            "override_reason", "started_on")
    return _section(session, stmt, limit, lambda r: dict(zip(keys, r, strict=True)))


def coverage(ctx: Context, args: dict) -> dict:
    """The coverage report for the caller's scope and the filters."""
    session = ctx.session
    args = scope.pinned_to_own_unit(ctx.caller, args,
                                    _("A unit admin sees its own unit's coverage only."))
    limit = args["limit"]
    units, villages = _units_in(args), _villages_in(args)
    without, below = _cadre_sections(session, units, limit)
    report = {
        "cadres_without_pairing": without,
        "cadres_below_quota": below,
        "households_with_needs_without_cadre": _household_section(session, villages, limit),
        "villages_without_unit": _village_section(session, args, limit),
        "units_without_head": _unit_section(session, units, limit),
        "leaders_missing_contact_points": _leader_section(session, units, limit),
        "difficulty_overrides": _override_section(session, units, villages, limit),
    }
    report["summary"] = {name: section["count"] for name, section in report.items()}
    return report
