"""Cadres: county admin everywhere, unit admin within its unit, a cadre sees itself."""

from sqlalchemy import func, select

from service.api import paginate
from service.assignments.services import ActivePairingsRemain
from service.cadres.models import Cadre
from service.cadres.rules import household_quota
from service.context import Caller
from service.errors import Conflict, ValidationFailed
from service.pairings.models import Pairing
from service.pairings.rules import QuotaExceeded
from service.records import apply_changes, delete_unless_used
from service.scope import hidden, refuse
from service.units.models import Unit
from service.users.models import User
from service.visits.models import Visit


class CadreIsUnitHead(Conflict):
    code, title = "cadre_is_unit_head", "The cadre heads its unit"


def _visible(stmt, caller: Caller):
    if caller.role == "unit_admin":
        return stmt.where(Cadre.unit_id == caller.unit_id)
    if caller.role == "cadre":
        return stmt.where(Cadre.id == caller.cadre_id)
    return stmt


def list_cadres(session, caller: Caller, args: dict) -> dict:
    """Cadres in the caller's scope, with filters."""
    stmt = _visible(select(Cadre).order_by(Cadre.unit_id, Cadre.id), caller)
    for key in ("unit_id", "rank"):
        if args.get(key) is not None:
            stmt = stmt.where(getattr(Cadre, key) == args[key])
    if args.get("q"):
        stmt = stmt.where(Cadre.name.icontains(args["q"], autoescape=True))
    return paginate(session, stmt, args)


def get_cadre(session, caller: Caller, cadre_id: int) -> Cadre:
    """One cadre, or 404 when it is missing or outside scope."""
    cadre = session.scalar(_visible(select(Cadre).where(Cadre.id == cadre_id), caller))
    if cadre is None:
        raise hidden("cadre", cadre_id)
    return cadre


def _check_unit(session, caller: Caller, unit_id: int) -> None:
    if session.get(Unit, unit_id) is None:
        raise ValidationFailed({"unit_id": [f"no unit with id {unit_id}"]})
    if caller.role == "unit_admin" and unit_id != caller.unit_id:
        raise refuse("A unit admin may place cadres only in its own unit.")


def create_cadre(session, caller: Caller, data: dict) -> Cadre:
    """Add a cadre to a unit."""
    _check_unit(session, caller, data["unit_id"])
    cadre = Cadre(**{"skills": [], **data})
    session.add(cadre)
    session.commit()
    return cadre


def update_cadre(session, caller: Caller, cadre_id: int, changes: dict) -> Cadre:
    """Edit a cadre in scope."""
    cadre = get_cadre(session, caller, cadre_id)
    # Lock the cadre as the pairing trigger does, so the count below cannot go stale.
    session.refresh(cadre, with_for_update=True)
    active = session.scalar(select(func.count()).where(Pairing.cadre_id == cadre.id,
                                                       Pairing.ended_on.is_(None)))
    if "unit_id" in changes and changes["unit_id"] != cadre.unit_id:
        _check_unit(session, caller, changes["unit_id"])
        if session.scalar(select(Unit.id).where(Unit.head_cadre_id == cadre.id)) is not None:
            raise CadreIsUnitHead(
                "This cadre heads its unit; name another head before moving the cadre.")
        if active:
            # R3 would break: the new unit does not hold these households' villages.
            raise ActivePairingsRemain(
                f"The cadre still links {active} households; hand them over first.")
    if "rank" in changes and active > household_quota(changes["rank"]):
        raise QuotaExceeded(cadre.id, household_quota(changes["rank"]), active)
    apply_changes(cadre, changes)
    session.commit()
    return cadre


def delete_cadre(session, caller: Caller, cadre_id: int) -> None:
    """Delete a cadre with no pairing history, account or headship."""
    cadre = get_cadre(session, caller, cadre_id)
    delete_unless_used(session, cadre, [
        ("pairings", Pairing.cadre_id == cadre.id),
        ("visits", Visit.cadre_id == cadre.id),
        ("users", User.cadre_id == cadre.id),
        ("units (as head)", Unit.head_cadre_id == cadre.id),
    ])
