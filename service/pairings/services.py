"""Pairings (联户): R1–R4 checked here and, for R1–R3, again by the database."""

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from service import scope
from service.assignments.models import VillageAssignment
from service.audit import recorder
from service.cadres.models import Cadre
from service.cadres.rules import household_quota
from service.context import Caller, Context
from service.dates import month_bounds
from service.exceptions import ValidationFailed
from service.households.models import Household
from service.listing import Listing
from service.messages import _
from service.pairings import rules
from service.pairings.models import Pairing
from service.places.models import Village
from service.records import end_date, start_date
from service.unique import unique_field
from service.units.models import Unit


def _select():
    return (select(Pairing, Cadre.name, Cadre.rank, Cadre.unit_id, Unit.name,
                   Household.head_name, Household.village_id, Village.name,
                   Household.difficulty)
            .join(Cadre, Cadre.id == Pairing.cadre_id)
            .join(Unit, Unit.id == Cadre.unit_id)
            .join(Household, Household.id == Pairing.household_id)
            .join(Village, Village.id == Household.village_id))


def _present(row) -> dict:
    p, cadre_name, rank, unit_id, unit_name, head_name, village_id, village_name, difficulty \
        = row
    return {"id": p.id, "cadre_id": p.cadre_id, "cadre_name": cadre_name, "cadre_rank": rank,
            "unit_id": unit_id, "unit_name": unit_name, "household_id": p.household_id,
            "household_head_name": head_name, "village_id": village_id,
            "village_name": village_name, "difficulty": difficulty,
            "started_on": p.started_on, "ended_on": p.ended_on, "end_reason": p.end_reason,
            "override_reason": p.override_reason, "active": p.ended_on is None}


def list_pairings(ctx: Context, args: dict) -> Listing:
    """Pairings in scope, newest first, with filters."""
    stmt = scope.within(_select(), ctx.caller, Pairing).order_by(Pairing.started_on.desc(),
                                                                 Pairing.id.desc())
    for key, column in (("cadre_id", Pairing.cadre_id), ("household_id", Pairing.household_id),
                        ("unit_id", Cadre.unit_id), ("village_id", Household.village_id)):
        if args.get(key) is not None:
            stmt = stmt.where(column == args[key])
    if args.get("active") is not None:
        stmt = stmt.where(Pairing.ended_on.is_(None) if args["active"]
                          else Pairing.ended_on.is_not(None))
    if args.get("overridden") is not None:
        stmt = stmt.where(Pairing.override_reason.is_not(None) if args["overridden"]
                          else Pairing.override_reason.is_(None))
    if args.get("month"):
        first, last = month_bounds(args["month"])
        stmt = stmt.where(Pairing.started_on <= last,
                          or_(Pairing.ended_on.is_(None), Pairing.ended_on >= first))
    return Listing(stmt, rows=True, present=lambda rows: [_present(r) for r in rows],
                   sorts={"cadre_name": Cadre.name, "unit_name": Unit.name,
                          "household_head_name": Household.head_name,
                          "village_name": Village.name})


def _shown(ctx: Context, pairing_id: int, caller: Caller | None = None) -> dict:
    """The record as the API shows it; with a caller, only one in its scope (404 otherwise)."""
    row = scope.find_row(ctx.session, caller, Pairing, _select(), pairing_id, _("pairing"))
    return _present(row)


def get_pairing(ctx: Context, pairing_id: int) -> dict:
    """One pairing in scope."""
    return _shown(ctx, pairing_id, ctx.caller)


def active_count(session, cadre_id: int) -> int:
    """How many households the cadre links now."""
    return session.scalar(select(func.count()).where(Pairing.cadre_id == cadre_id,
                                                     Pairing.ended_on.is_(None)))


def _check_override(ctx: Context, override_reason: str | None) -> None:
    if ctx.caller is not None:
        rules.check_override_allowed(ctx.caller.role, override_reason)


def _flush_pairing(session, cadre: Cadre, household: Household) -> None:
    """Flush new pairings; the database's refusal becomes the rule's own exception."""
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        message = str(exc.orig)
        if "quota_exceeded" in message:
            quota = household_quota(cadre.rank)
            raise rules.QuotaExceeded(cadre.id, quota, quota) from None
        if "village_not_held_by_unit" in message:
            raise rules.VillageNotHeldByUnit(cadre.unit_id, household.village_id) from None
        if unique_field(exc, "pairings") == "household_id" or "uq_pairings_active" in message:
            raise rules.HouseholdAlreadyPaired(household.id) from None
        raise


def create_pairing(ctx: Context, data: dict) -> dict:
    """Link a cadre to a household, checking R1–R4."""
    session = ctx.session
    cadre = scope.reference(session, ctx.caller, Cadre, data["cadre_id"], "cadre_id", _("cadre"))
    household = scope.reference(session, ctx.caller, Household, data["household_id"],
                                "household_id", _("household"))
    override = data.get("override_reason")
    _check_override(ctx, override)
    started_on = start_date(data, ctx.clock.today())
    current = session.scalar(select(Pairing.cadre_id).where(
        Pairing.household_id == household.id, Pairing.ended_on.is_(None)))
    if current is not None:
        raise rules.HouseholdAlreadyPaired(household.id, current)
    held_since = session.scalar(select(VillageAssignment.started_on).where(
        VillageAssignment.unit_id == cadre.unit_id,
        VillageAssignment.village_id == household.village_id,
        VillageAssignment.ended_on.is_(None)))
    if held_since is None:
        raise rules.VillageNotHeldByUnit(cadre.unit_id, household.village_id)
    if started_on < held_since:
        # Past months' disclosures would otherwise show a unit in a village it did not hold.
        raise ValidationFailed({"started_on": [
            _("cannot be before the unit took the village (%(day)s)",
              day=held_since.isoformat())]})
    rules.check_quota(cadre.id, cadre.rank, active_count(session, cadre.id))
    rules.check_difficulty(cadre.rank, household.difficulty, override)
    pairing = Pairing(cadre_id=cadre.id, household_id=household.id, started_on=started_on,
                      override_reason=override if rules.needs_override(
                          cadre.rank, household.difficulty) else None)
    session.add(pairing)
    _flush_pairing(session, cadre, household)
    return _shown(ctx, pairing.id)


def _end(session, pairing: Pairing, ended_on, reason: str) -> None:
    pairing.ended_on = ended_on
    pairing.end_reason = reason[:200]
    recorder.mark(session, pairing, "end")


def end_pairing(ctx: Context, pairing_id: int, data: dict) -> dict:
    """End a pairing with its reason; it stays in history."""
    session = ctx.session
    pairing = scope.find(session, ctx.caller, Pairing, pairing_id, _("pairing"))
    if pairing.ended_on is not None:
        raise rules.PairingAlreadyEnded(_("Pairing %(id)s ended on %(day)s.", id=pairing_id,
                                          day=pairing.ended_on.isoformat()))
    ended_on = end_date(pairing, data, ctx.clock.today())
    _end(session, pairing, ended_on, data["reason"])
    session.flush()
    return _shown(ctx, pairing_id)


def handover(ctx: Context, from_cadre_id: int, data: dict) -> dict:
    """Move every active pairing of a cadre to another, checking R1–R4; all or nothing."""
    session, today = ctx.session, ctx.clock.today()
    giver = scope.find(session, ctx.caller, Cadre, from_cadre_id, _("cadre"), manage=True)
    receiver = scope.reference(session, ctx.caller, Cadre, data["to_cadre_id"], "to_cadre_id",
                               _("cadre"))
    if receiver.id == giver.id:
        raise ValidationFailed({"to_cadre_id": [_("must be another cadre")]})
    override = data.get("override_reason")
    _check_override(ctx, override)
    moving = session.execute(
        select(Pairing, Household).join(Household, Household.id == Pairing.household_id)
        .where(Pairing.cadre_id == giver.id, Pairing.ended_on.is_(None))
        .order_by(Pairing.id)).all()
    rules.check_handover_quota(receiver.id, receiver.rank, active_count(session, receiver.id),
                               len(moving))
    for _pairing, household in moving:
        if not scope.unit_holds_village(session, receiver.unit_id, household.village_id):
            raise rules.VillageNotHeldByUnit(receiver.unit_id, household.village_id)
        rules.check_difficulty(receiver.rank, household.difficulty, override)
    new = []
    for pairing, household in moving:
        _end(session, pairing, today, f"交接: {data['reason']}")
        session.flush()
        new.append(Pairing(cadre_id=receiver.id, household_id=household.id, started_on=today,
                           override_reason=override if rules.needs_override(
                               receiver.rank, household.difficulty) else None))
        session.add(new[-1])
        _flush_pairing(session, receiver, household)
    ended, moved = [p.id for p, _household in moving], [p.id for p in new]
    recorder.record(session, "handover", "cadre", giver.id, {
        "cadre_id": [giver.id, receiver.id], "pairing_ids": [ended, moved],
        "reason": [None, data["reason"]]})
    return {"from_cadre_id": giver.id, "to_cadre_id": receiver.id, "ended": ended,
            "moved": [_shown(ctx, pid) for pid in moved]}
