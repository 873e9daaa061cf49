"""Units: the county admin creates them; a unit admin may edit its own (name, head)."""

from sqlalchemy import select

from service.api import paginate
from service.assignments.models import VillageAssignment
from service.cadres.models import Cadre
from service.context import Caller
from service.errors import ValidationFailed
from service.records import apply_changes, delete_unless_used
from service.scope import get_or_404, refuse
from service.unique import flush_unique
from service.units.models import Unit
from service.users.models import User


def list_units(session, args: dict) -> dict:
    """Units by name."""
    stmt = select(Unit).order_by(Unit.name)
    if args.get("q"):
        stmt = stmt.where(Unit.name.icontains(args["q"], autoescape=True))
    if args.get("village_id") is not None:
        stmt = stmt.where(Unit.id.in_(
            select(VillageAssignment.unit_id).where(
                VillageAssignment.village_id == args["village_id"],
                VillageAssignment.ended_on.is_(None))))
    return paginate(session, stmt, args)


def create_unit(session, data: dict) -> Unit:
    """Add a unit; its head is set once it has cadres."""
    unit = Unit(**data)
    session.add(unit)
    flush_unique(session, "units")
    session.commit()
    return unit


def update_unit(session, caller: Caller, unit_id: int, changes: dict) -> Unit:
    """Rename a unit or name its head, who must be one of its own cadres."""
    unit = get_or_404(session, Unit, unit_id, "unit")
    if not caller.is_county_admin and caller.unit_id != unit.id:
        raise refuse("A unit admin may edit only its own unit.")
    head_id = changes.get("head_cadre_id")
    if head_id is not None:
        head = session.get(Cadre, head_id)
        if head is None or head.unit_id != unit.id:
            raise ValidationFailed({"head_cadre_id": ["must be a cadre of this unit"]})
    apply_changes(unit, changes)
    flush_unique(session, "units")
    session.commit()
    return unit


def delete_unit(session, unit_id: int) -> None:
    """Delete a unit with no cadres, accounts or village history."""
    unit = get_or_404(session, Unit, unit_id, "unit")
    delete_unless_used(session, unit, [
        ("cadres", Cadre.unit_id == unit.id),
        ("village assignments", VillageAssignment.unit_id == unit.id),
        ("users", User.unit_id == unit.id),
    ])
