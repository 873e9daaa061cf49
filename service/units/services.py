"""Units: the county admin creates them; a unit admin may edit its own (name, head)."""

from sqlalchemy import select

from service import scope
from service.assignments.models import VillageAssignment
from service.cadres.models import Cadre
from service.context import Context
from service.exceptions import ValidationFailed
from service.listing import Listing
from service.messages import _
from service.records import Precondition, apply_changes, delete_unless_used
from service.unique import flush_unique
from service.units.models import Unit
from service.users.models import User


def list_units(ctx: Context, args: dict) -> Listing:
    """Units by name."""
    stmt = scope.within(select(Unit), ctx.caller, Unit).order_by(Unit.name)
    if args.get("q"):
        stmt = stmt.where(Unit.name.icontains(args["q"], autoescape=True))
    if args.get("village_id") is not None:
        stmt = stmt.where(Unit.id.in_(
            select(VillageAssignment.unit_id).where(
                VillageAssignment.village_id == args["village_id"],
                VillageAssignment.ended_on.is_(None))))
    return Listing(stmt)


def get_unit(ctx: Context, unit_id: int) -> Unit:
    """One unit, or 404."""
    return scope.find(ctx.session, ctx.caller, Unit, unit_id, _("unit"))


def create_unit(ctx: Context, data: dict) -> Unit:
    """Add a unit; its head is set once it has cadres."""
    unit = Unit(**data)
    ctx.session.add(unit)
    flush_unique(ctx.session, "units")
    return unit


def update_unit(ctx: Context, unit_id: int, changes: dict,
                  precondition: Precondition = None) -> Unit:
    """Rename a unit or name its head, who must be one of its own cadres."""
    session = ctx.session
    # Another unit is answered as a unit that does not exist (SPEC §9).
    unit = scope.find(session, ctx.caller, Unit, unit_id, _("unit"), manage=True)
    head_id = changes.get("head_cadre_id")
    if head_id is not None:
        head = session.get(Cadre, head_id)
        if head is None or head.unit_id != unit.id:
            raise ValidationFailed({"head_cadre_id": [_("must be a cadre of this unit")]})
    apply_changes(unit, changes, precondition)
    flush_unique(session, "units")
    return unit


def delete_unit(ctx: Context, unit_id: int, precondition: Precondition = None) -> None:
    """Delete a unit with no cadres, accounts or village history."""
    unit = get_unit(ctx, unit_id)
    delete_unless_used(ctx.session, unit, [
        ("cadres", Cadre.unit_id == unit.id),
        ("village assignments", VillageAssignment.unit_id == unit.id),
        ("users", User.unit_id == unit.id),
    ], precondition=precondition)
