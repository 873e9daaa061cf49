"""Pairing plans (包联方案, SPEC §14): propose pairings for the needy households (with a need,
as coverage counts them) without a cadre in a scope (a unit's villages, a township, a
village, or the whole county), store the proposal, and apply it — all its pairings or none,
every rule checked again.

A plan remembers the version of every cadre and household it was made from, and how many
households each cadre held; if any moved before it is applied, applying answers 409
`plan_out_of_date` and creates nothing: plan again.
"""

from sqlalchemy import exists, func, insert, select
from sqlalchemy.exc import IntegrityError

from service import deadline, names, scope
from service.assignments.models import VillageAssignment
from service.audit import recorder
from service.audit import rules as audit_rules
from service.audit.models import AuditEvent
from service.cadres.models import Cadre
from service.cadres.rules import household_quota
from service.context import AUDIT_ACTOR, Context
from service.exceptions import Conflict, Forbidden, NotFound
from service.households.models import Household, HouseholdNeed
from service.listing import Listing
from service.messages import _
from service.pairings.models import Pairing
from service.places.models import Township, Village
from service.planner import rules
from service.planner.models import PairingPlan
from service.planner.solve import Candidate, Needy, solve
from service.units.models import Unit

# Seconds of a request's budget kept for storing the plan and sending it (a county's plan is
# stored and answered in about two).
PLAN_RESERVE_SECONDS = 5.0


class PlanOutOfDate(Conflict):
    code, title = "plan_out_of_date", _("The records changed since the plan was made")


class PlanAlreadyApplied(Conflict):
    code, title = "plan_already_applied", _("This plan has been applied")


def _scope(ctx: Context, data: dict) -> dict:
    """The scope asked for, within the caller's: a unit admin plans its own unit only; a
    unit, township or village outside the caller's scope answers as a missing one would."""
    asked = {k: data[k] for k in ("unit_id", "township_id", "village_id") if data.get(k)}
    asked = scope.pinned_to_own_unit(ctx.caller, asked,
                                     _("A unit admin plans its own unit's villages only."))
    if asked.get("unit_id") is None:
        asked.pop("unit_id", None)
    session, caller = ctx.session, ctx.caller
    for key, model, what in (("unit_id", Unit, _("unit")),
                             ("township_id", Township, _("township")),
                             ("village_id", Village, _("village"))):
        if key in asked:
            scope.reference(session, caller, model, asked[key], key, what)
    return asked


def _villages(ctx: Context, asked: dict) -> dict[int, int | None]:
    """{village id: the unit holding it (None: no unit)} for the villages in scope."""
    stmt = select(Village.id, VillageAssignment.unit_id).outerjoin(
        VillageAssignment, (VillageAssignment.village_id == Village.id)
        & VillageAssignment.ended_on.is_(None))
    if "village_id" in asked:
        stmt = stmt.where(Village.id == asked["village_id"])
    if "township_id" in asked:
        stmt = stmt.where(Village.township_id == asked["township_id"])
    if "unit_id" in asked:
        stmt = stmt.where(VillageAssignment.unit_id == asked["unit_id"])
    return dict(ctx.session.execute(stmt).all())


def _inputs(ctx: Context, villages: dict[int, int | None]):
    """The needy households of these villages without a cadre, and the cadres of the holding
    units with free quota; with the versions the plan is made from."""
    session = ctx.session
    paired = select(Pairing.household_id).where(Pairing.ended_on.is_(None))
    # Needy as coverage counts them (两个全覆盖): with a need, without a cadre.
    needy = (Household.village_id.in_(list(villages)), Household.id.not_in(paired),
             exists().where(HouseholdNeed.household_id == Household.id))
    rows = session.execute(select(Household.id, Household.village_id, Household.difficulty,
                                  Household.version).where(*needy)).all()
    needs: dict[int, set] = {}
    for household_id, need in session.execute(
            select(HouseholdNeed.household_id, HouseholdNeed.need)
            .where(HouseholdNeed.household_id.in_(select(Household.id).where(*needy)))):
        needs.setdefault(household_id, set()).add(need)
    households = [Needy(r.id, r.village_id, villages[r.village_id], r.difficulty,
                        frozenset(needs.get(r.id, ()))) for r in rows]
    units = {u for u in villages.values() if u is not None}
    active = dict(session.execute(
        select(Pairing.cadre_id, func.count()).where(Pairing.ended_on.is_(None))
        .group_by(Pairing.cadre_id)).all())
    homes: dict[int, set] = {}
    for cadre_id, village_id in session.execute(
            select(Pairing.cadre_id, Household.village_id)
            .join(Household, Household.id == Pairing.household_id)
            .where(Pairing.ended_on.is_(None))):
        homes.setdefault(cadre_id, set()).add(village_id)
    cadres, stamps = [], {"cadres": {}, "households": {str(r.id): r.version for r in rows}}
    for c in session.execute(select(Cadre.id, Cadre.unit_id, Cadre.rank, Cadre.skills,
                                    Cadre.version).where(Cadre.unit_id.in_(units))):
        free = rules.free_quota(c.rank, active.get(c.id, 0))
        if free:
            cadres.append(Candidate(c.id, c.unit_id, c.rank, free, rules.skill_kinds(c.skills),
                                    frozenset(homes.get(c.id, ()))))
            stamps["cadres"][str(c.id)] = [c.version, active.get(c.id, 0)]
    return cadres, households, stamps


def _cadres_and_units(session, ids) -> dict[int, tuple[str, int, str]]:
    """Each cadre's name, unit and unit's name (for any number of cadres)."""
    ids = sorted(set(ids))
    found: dict[int, tuple[str, int, str]] = {}
    for start in range(0, len(ids), names.CHUNK):
        for cadre_id, name, unit_id, unit_name in session.execute(
                select(Cadre.id, Cadre.name, Cadre.unit_id, Unit.name)
                .join(Unit, Unit.id == Cadre.unit_id)
                .where(Cadre.id.in_(ids[start:start + names.CHUNK]))):
            found[cadre_id] = (name, unit_id, unit_name)
    return found


def named_scopes(session, scopes: list[dict]) -> list[dict]:
    """Plans' scopes with the name next to each id (SPEC §15), three statements for a page."""
    units = names.of_units(session, [s.get("unit_id") for s in scopes])
    villages = names.of_villages(session, [s.get("village_id") for s in scopes])
    wanted = {s["township_id"] for s in scopes if s.get("township_id") is not None}
    townships = dict(session.execute(select(Township.id, Township.name).where(
        Township.id.in_(wanted))).all()) if wanted else {}
    named = []
    for scope_ in scopes:
        shown = dict(scope_)
        if "unit_id" in shown:
            shown["unit_name"] = units.get(shown["unit_id"])
        if "township_id" in shown:
            shown["township_name"] = townships.get(shown["township_id"])
        if "village_id" in shown:
            shown["village_name"] = villages.get(shown["village_id"], {}).get("village_name")
        named.append(shown)
    return named


def present(ctx: Context, plan: PairingPlan) -> dict:
    """A plan as printed: each pairing and uncovered household with the names a table shows
    (as they read now; a few statements whatever the plan's size)."""
    body = plan.body
    households = names.heads_and_villages(
        ctx.session, [p["household_id"] for p in body["pairings"]]
        + [u["household_id"] for u in body["uncovered"]])
    cadres = _cadres_and_units(ctx.session, [p["cadre_id"] for p in body["pairings"]])

    def named(row: dict) -> dict:
        head, village = households.get(row["household_id"], (None, None))
        return {**row, "household_head_name": head, "village_name": village}

    def with_cadre(row: dict) -> dict:
        name, unit_id, unit_name = cadres.get(row["cadre_id"], (None, None, None))
        return {**named(row), "cadre_name": name, "unit_id": unit_id, "unit_name": unit_name}

    return {"id": plan.id, "created_at": plan.created_at, "applied_at": plan.applied_at,
            "scope": named_scopes(ctx.session, [plan.scope])[0], "totals": body["totals"],
            "pairings": [with_cadre(p) for p in body["pairings"]],
            "uncovered": [named(u) for u in body["uncovered"]]}


def propose(ctx: Context, data: dict) -> dict:
    """Make and store a plan for the scope asked."""
    asked = _scope(ctx, data)
    villages = _villages(ctx, asked)
    cadres, households, stamps = _inputs(ctx, villages)
    # Within the request's budget too, leaving time to store and send the plan.
    plan = solve(cadres, households, deadline.within(ctx.settings.planner_seconds,
                                                     reserve=PLAN_RESERVE_SECONDS))
    held = {c.id: c.villages for c in cadres}
    used: dict[int, set] = {p.cadre_id: set(held[p.cadre_id]) for p in plan.pairings}
    for p in plan.pairings:
        used[p.cadre_id].add(p.village_id)
    body = {
        "pairings": [{"cadre_id": p.cadre_id, "household_id": p.household_id,
                      "village_id": p.village_id,
                      "why": {"rank": p.rank, "difficulty": p.difficulty,
                              "needs_met": list(p.needs_met)}} for p in plan.pairings],
        "uncovered": [{"household_id": h, "reason": reason} for h, reason in plan.uncovered],
        "totals": {"households": len(households), "covered": len(plan.pairings),
                   "uncovered": len(plan.uncovered), "needs_met": plan.needs_met,
                   "cadres": len(used),
                   "cadres_in_one_village": sum(len(v) == 1 for v in used.values()),
                   "optimal": plan.optimal},
    }
    stored = PairingPlan(created_by=ctx.caller.user_id if ctx.caller else None, scope=asked,
                         unit_id=asked.get("unit_id"), body=body, totals=body["totals"],
                         stamps=stamps)
    ctx.session.add(stored)
    ctx.session.flush()
    return present(ctx, stored)


def _find(ctx: Context, plan_id: int) -> PairingPlan:
    """A plan the caller may see: a unit admin's own unit's plans (404 otherwise)."""
    plan = ctx.session.get(PairingPlan, plan_id)
    if plan is not None:
        unit_id = plan.scope.get("unit_id")
        try:
            pinned = scope.pinned_to_own_unit(ctx.caller, {"unit_id": unit_id}, "")
        except Forbidden:
            pinned = None
        if pinned is None or pinned["unit_id"] != unit_id:
            plan = None
    if plan is None:
        raise NotFound(_("No %(what)s with id %(id)s.", what=_("pairing plan"), id=plan_id))
    return plan


def get_plan(ctx: Context, plan_id: int) -> dict:
    return present(ctx, _find(ctx, plan_id))


def list_plans(ctx: Context, args: dict) -> Listing:
    """Plans the caller may see, newest first, without their pairings: a unit admin's are its
    own unit's (`unit_id` pinned, another unit's refused as the reports refuse it); filtered by
    `unit_id` and `applied`."""
    args = scope.pinned_to_own_unit(ctx.caller, args,
                                    _("Plans of another unit are not yours."))
    stmt = select(PairingPlan.id, PairingPlan.created_at, PairingPlan.applied_at,
                  PairingPlan.scope, PairingPlan.totals).order_by(PairingPlan.id.desc())
    if args.get("unit_id") is not None:
        stmt = stmt.where(PairingPlan.unit_id == args["unit_id"])
    if args.get("applied") is not None:
        stmt = stmt.where(PairingPlan.applied_at.is_not(None) if args["applied"]
                          else PairingPlan.applied_at.is_(None))
    def present_rows(rows) -> list[dict]:
        plans = [dict(r._mapping) for r in rows]
        for plan, scope_ in zip(plans, named_scopes(ctx.session, [p["scope"] for p in plans]),
                                strict=True):
            plan["scope"] = scope_
        return plans

    return Listing(stmt, rows=True, present=present_rows)


def _rows_by_chunks(session, statement, ids: list[int], size: int = 5_000) -> list:
    """The rows of a statement over ids, a few thousand ids at a time (a statement takes at
    most 65,535 parameters)."""
    rows: list = []
    for start in range(0, len(ids), size):
        rows += session.execute(statement(ids[start:start + size])).all()
    return rows


def _by_chunks(session, statement, ids: list[int]) -> dict:
    """{first column: second} of a two-column statement over ids, in chunks."""
    return dict(_rows_by_chunks(session, statement, ids))


_CHUNK = 2_000  # pairings per INSERT


def apply_plan(ctx: Context, plan_id: int) -> dict:
    """Create every pairing of the plan, or none: 409 plan_out_of_date when a cadre or a
    household it was made from changed (or a household got a cadre meanwhile), or when a
    rule no longer holds. The rules are checked again for all pairings at once (R1 quotas,
    R2 one cadre, R3 the unit holds the village, R4 rank and difficulty), the pairings are
    written a few thousand to an INSERT, and the database's own checks (its trigger on
    pairings, its unique index) still stand behind every row: a county's 12,000 pairings in
    one request, not 12,000 requests' worth of statements."""
    session = ctx.session
    plan = _find(ctx, plan_id)
    session.refresh(plan, with_for_update=True)  # two clerks applying at once: one waits
    if plan.applied_at is not None:
        raise PlanAlreadyApplied(_("Plan %(id)s was applied at %(at)s.", id=plan.id,
                                   at=plan.applied_at.isoformat(timespec="seconds")))
    wanted = plan.body["pairings"]
    cadre_ids = sorted({p["cadre_id"] for p in wanted})
    household_ids = sorted({p["household_id"] for p in wanted})
    cadres = {r.id: r for r in _rows_by_chunks(session, lambda ids: select(
        Cadre.id, Cadre.version, Cadre.rank, Cadre.unit_id).where(Cadre.id.in_(ids)),
        cadre_ids)}
    active = _by_chunks(session, lambda ids: select(Pairing.cadre_id, func.count()).where(
        Pairing.cadre_id.in_(ids), Pairing.ended_on.is_(None)).group_by(Pairing.cadre_id),
        cadre_ids)
    households = {r.id: r for r in _rows_by_chunks(session, lambda ids: select(
        Household.id, Household.version, Household.difficulty, Household.village_id)
        .where(Household.id.in_(ids)), household_ids)}
    moved = [c for c in cadre_ids if c not in cadres or [
        cadres[c].version, active.get(c, 0)] != plan.stamps["cadres"].get(str(c))]
    moved += [h for h in household_ids if h not in households or
              households[h].version != plan.stamps["households"].get(str(h))]
    taken = _by_chunks(session, lambda ids: select(Pairing.household_id, Pairing.cadre_id).where(
        Pairing.household_id.in_(ids), Pairing.ended_on.is_(None)), household_ids)
    if moved or taken:
        raise PlanOutOfDate(_("%(count)s of the plan's cadres and households changed since "
                              "it was made; make a new plan.", count=len(moved) + len(taken)))
    today = ctx.clock.today()
    held = dict(_rows_by_chunks(session, lambda ids: select(
        VillageAssignment.village_id, VillageAssignment.unit_id).where(
        VillageAssignment.village_id.in_(ids), VillageAssignment.ended_on.is_(None),
        VillageAssignment.started_on <= today),
        sorted({households[h].village_id for h in household_ids})))
    load = dict(active)
    for p in wanted:
        cadre, household = cadres[p["cadre_id"]], households[p["household_id"]]
        load[cadre.id] = load.get(cadre.id, 0) + 1
        if held.get(household.village_id) != cadre.unit_id \
                or rules.difficulty_for(cadre.rank) != household.difficulty \
                or load[cadre.id] > household_quota(cadre.rank):
            raise PlanOutOfDate(_("A pairing of the plan no longer keeps R1–R4; make a new "
                                  "plan."))
    if len(household_ids) != len(wanted):
        raise PlanOutOfDate(_("The plan names a household twice; make a new plan."))
    now, actor = ctx.clock.now(), session.info[AUDIT_ACTOR]
    table = Pairing.__table__
    insert_rows = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    try:
        for start in range(0, len(wanted), _CHUNK):
            rows = [{"cadre_id": p["cadre_id"], "household_id": p["household_id"],
                     "started_on": today, "updated_at": now}
                    for p in wanted[start:start + _CHUNK]]
            ids = session.execute(insert_rows, rows).scalars().all()
            session.execute(insert(AuditEvent.__table__), [
                recorder.event_row(actor, "create", "pairing", pairing_id,
                                   audit_rules.created(row), now)
                for pairing_id, row in zip(ids, rows, strict=True)])
    except IntegrityError:  # the database's own rules refused a row: someone got there first
        session.rollback()
        raise PlanOutOfDate(_("The database refused a pairing of the plan (a cadre's quota "
                              "or a household was taken meanwhile); make a new plan.")) from None
    plan.applied_at = now
    session.flush()
    return present(ctx, plan)
