"""Pairings (联户): R1–R4 checked here and, for R1–R3, again by the database."""

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from service.api import paginate
from service.assignments.models import VillageAssignment
from service.cadres.models import Cadre
from service.cadres.rules import household_quota
from service.context import Caller
from service.dates import month_bounds
from service.errors import Forbidden, ValidationFailed
from service.households.models import Household
from service.pairings import rules
from service.pairings.models import Pairing
from service.records import end_date, start_date
from service.scope import hidden, village_is_held_by
from service.unique import unique_field


def _select():
    return (select(Pairing, Cadre.name, Cadre.rank, Cadre.unit_id, Household.head_name,
                   Household.village_id, Household.difficulty)
            .join(Cadre, Cadre.id == Pairing.cadre_id)
            .join(Household, Household.id == Pairing.household_id))


def _present(row) -> dict:
    p, cadre_name, rank, unit_id, head_name, village_id, difficulty = row
    return {"id": p.id, "cadre_id": p.cadre_id, "cadre_name": cadre_name, "cadre_rank": rank,
            "unit_id": unit_id, "household_id": p.household_id, "household_head_name": head_name,
            "village_id": village_id, "difficulty": difficulty, "started_on": p.started_on,
            "ended_on": p.ended_on, "end_reason": p.end_reason,
            "override_reason": p.override_reason, "active": p.ended_on is None}


def _visible(stmt, caller: Caller | None):
    if caller is None or caller.role in ("county_admin", "inspector"):
        return stmt
    if caller.role == "unit_admin":
        return stmt.where(Cadre.unit_id == caller.unit_id)
    return stmt.where(Pairing.cadre_id == caller.cadre_id)


def list_pairings(session, caller: Caller, args: dict) -> dict:
    """Pairings in scope, newest first, with filters."""
    stmt = _visible(_select(), caller).order_by(Pairing.started_on.desc(), Pairing.id.desc())
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
    page = paginate(session, stmt, args, rows=True)
    page["items"] = [_present(r) for r in page["items"]]
    return page


def get_pairing(session, caller: Caller | None, pairing_id: int) -> dict:
    """One pairing in scope."""
    row = session.execute(_visible(_select(), caller).where(Pairing.id == pairing_id)).first()
    if row is None:
        raise hidden("pairing", pairing_id)
    return _present(row)


def active_count(session, cadre_id: int) -> int:
    """How many households the cadre links now."""
    return session.scalar(select(func.count()).where(Pairing.cadre_id == cadre_id,
                                                     Pairing.ended_on.is_(None)))


def _load(session, model, record_id: int, field: str):
    record = session.get(model, record_id)
    if record is None:
        raise ValidationFailed({field: [f"no record with id {record_id}"]})
    return record


def _check_caller(caller: Caller, cadre: Cadre, override_reason: str | None) -> None:
    if caller.role == "unit_admin" and cadre.unit_id != caller.unit_id:
        raise Forbidden("A unit admin pairs only its own unit's cadres.")
    if override_reason and not caller.is_county_admin:
        raise Forbidden("Only a county admin may override difficulty matching (R4).")


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


def create_pairing(session, caller: Caller, data: dict, today) -> dict:
    """Link a cadre to a household, checking R1–R4."""
    cadre = _load(session, Cadre, data["cadre_id"], "cadre_id")
    household = _load(session, Household, data["household_id"], "household_id")
    override = data.get("override_reason")
    _check_caller(caller, cadre, override)
    started_on = start_date(data, today)
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
            f"cannot be before the unit took the village ({held_since})"]})
    rules.check_quota(cadre.id, cadre.rank, active_count(session, cadre.id))
    rules.check_difficulty(cadre.rank, household.difficulty, override)
    pairing = Pairing(cadre_id=cadre.id, household_id=household.id, started_on=started_on,
                      override_reason=override if rules.needs_override(
                          cadre.rank, household.difficulty) else None)
    session.add(pairing)
    _flush_pairing(session, cadre, household)
    session.commit()
    return get_pairing(session, None, pairing.id)


def _end(pairing: Pairing, ended_on, reason: str) -> None:
    pairing.ended_on = ended_on
    pairing.end_reason = reason[:200]


def end_pairing(session, caller: Caller, pairing_id: int, data: dict, today) -> dict:
    """End a pairing with its reason; it stays in history."""
    get_pairing(session, caller, pairing_id)
    pairing = session.get(Pairing, pairing_id)
    if pairing.ended_on is not None:
        raise rules.PairingAlreadyEnded(f"Pairing {pairing_id} ended on {pairing.ended_on}.")
    ended_on = end_date(pairing, data, today)
    _end(pairing, ended_on, data["reason"])
    session.commit()
    return get_pairing(session, None, pairing_id)


def handover(session, caller: Caller, from_cadre_id: int, data: dict, today) -> dict:
    """Move every active pairing of a cadre to another, checking R1–R4; all or nothing."""
    giver = session.get(Cadre, from_cadre_id)
    if giver is None or (caller.role == "unit_admin" and giver.unit_id != caller.unit_id):
        raise hidden("cadre", from_cadre_id)
    receiver = _load(session, Cadre, data["to_cadre_id"], "to_cadre_id")
    if receiver.id == giver.id:
        raise ValidationFailed({"to_cadre_id": ["must be another cadre"]})
    override = data.get("override_reason")
    _check_caller(caller, receiver, override)
    moving = session.execute(
        select(Pairing, Household).join(Household, Household.id == Pairing.household_id)
        .where(Pairing.cadre_id == giver.id, Pairing.ended_on.is_(None))
        .order_by(Pairing.id)).all()
    quota, active = household_quota(receiver.rank), active_count(session, receiver.id)
    if active + len(moving) > quota:
        raise rules.QuotaExceeded(receiver.id, quota, active)
    for _, household in moving:
        if not village_is_held_by(session, receiver.unit_id, household.village_id):
            raise rules.VillageNotHeldByUnit(receiver.unit_id, household.village_id)
        rules.check_difficulty(receiver.rank, household.difficulty, override)
    new = []
    for pairing, household in moving:
        _end(pairing, today, f"交接: {data['reason']}")
        session.flush()
        new.append(Pairing(cadre_id=receiver.id, household_id=household.id, started_on=today,
                           override_reason=override if rules.needs_override(
                               receiver.rank, household.difficulty) else None))
        session.add(new[-1])
        _flush_pairing(session, receiver, household)
    session.commit()
    return {"from_cadre_id": giver.id, "to_cadre_id": receiver.id,
            "ended": [p.id for p, _ in moving],
            "moved": [get_pairing(session, None, p.id) for p in new]}
