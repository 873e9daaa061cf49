"""Townships and villages: reads open to every role, writes for the county admin."""

from sqlalchemy import select

from service import scope
from service.assignments.models import VillageAssignment
from service.context import Context
from service.exceptions import HasDependents, ValidationFailed
from service.households.models import Household
from service.listing import Listing
from service.messages import _
from service.places.models import Township, Village
from service.records import Precondition, apply_changes, delete_unless_used
from service.unique import flush_unique


def list_townships(ctx: Context, args: dict) -> Listing:
    """Townships by code, optionally by name."""
    stmt = scope.within(select(Township), ctx.caller, Township).order_by(Township.code)
    if args.get("q"):
        stmt = stmt.where(Township.name.icontains(args["q"], autoescape=True))
    return Listing(stmt)


def get_township(ctx: Context, township_id: int) -> Township:
    """One township, or 404."""
    return scope.find(ctx.session, ctx.caller, Township, township_id, _("township"))


def create_township(ctx: Context, data: dict) -> Township:
    """Add a township."""
    township = Township(**data)
    ctx.session.add(township)
    flush_unique(ctx.session, "townships")
    return township


def update_township(ctx: Context, township_id: int, changes: dict,
                  precondition: Precondition = None) -> Township:
    """Edit a township."""
    township = get_township(ctx, township_id)
    if changes.get("code", township.code) != township.code and ctx.session.scalar(
            select(Village.id).where(Village.township_id == township.id).limit(1)):
        # Village codes embed the township code; a change must come with their recoding.
        raise HasDependents(_("Its villages' codes start with the current code; recode or "
                              "move them first."), dependents=["villages"])
    apply_changes(township, changes, precondition)
    flush_unique(ctx.session, "townships")
    return township


def delete_township(ctx: Context, township_id: int, precondition: Precondition = None) -> None:
    """Delete a township that has no villages."""
    township = get_township(ctx, township_id)
    delete_unless_used(ctx.session, township,
                       [("villages", Village.township_id == township.id)],
                       precondition=precondition)


def _check_code_prefix(session, code: str | None, township_id: int) -> None:
    township = session.get(Township, township_id)
    if township is None:
        raise ValidationFailed({"township_id": [
            _("no %(what)s with id %(id)s", what=_("township"), id=township_id)]})
    if code is not None and not code.startswith(township.code):
        raise ValidationFailed(
            {"code": [_("must start with its township's code %(code)s", code=township.code)]}
        )


def list_villages(ctx: Context, args: dict) -> Listing:
    """Villages by code, with filters."""
    stmt = scope.within(select(Village), ctx.caller, Village).order_by(Village.code)
    if args.get("township_id") is not None:
        stmt = stmt.where(Village.township_id == args["township_id"])
    if args.get("unit_id") is not None:
        stmt = stmt.where(Village.id.in_(scope.held_village_ids(args["unit_id"])))
    if args.get("q"):
        stmt = stmt.where(Village.name.icontains(args["q"], autoescape=True))
    return Listing(stmt)


def get_village(ctx: Context, village_id: int) -> Village:
    """One village, or 404."""
    return scope.find(ctx.session, ctx.caller, Village, village_id, _("village"))


def create_village(ctx: Context, data: dict) -> Village:
    """Add a village under its township."""
    _check_code_prefix(ctx.session, data["code"], data["township_id"])
    village = Village(**data)
    ctx.session.add(village)
    flush_unique(ctx.session, "villages")
    return village


def update_village(ctx: Context, village_id: int, changes: dict,
                  precondition: Precondition = None) -> Village:
    """Edit a village."""
    village = get_village(ctx, village_id)
    _check_code_prefix(ctx.session, changes.get("code", village.code),
                       changes.get("township_id", village.township_id))
    apply_changes(village, changes, precondition)
    flush_unique(ctx.session, "villages")
    return village


def delete_village(ctx: Context, village_id: int, precondition: Precondition = None) -> None:
    """Delete a village with no households and no assignment history."""
    village = get_village(ctx, village_id)
    delete_unless_used(ctx.session, village, [
        ("households", Household.village_id == village.id),
        ("village assignments", VillageAssignment.village_id == village.id),
    ], precondition=precondition)
