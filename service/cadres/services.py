"""Cadres: county admin everywhere, unit admin within its unit, a cadre sees itself."""

from sqlalchemy import func, or_, select

from service import names, scope
from service.cadres.models import Cadre
from service.cadres.rules import CadreIsUnitHead, free_places
from service.context import Context
from service.listing import Listing
from service.messages import _
from service.pairings.models import Pairing
from service.pairings.rules import DIFFICULTY_FOR_RANK, ActivePairingsRemain, check_rank_change
from service.records import Precondition, apply_changes, delete_unless_used
from service.units.models import Unit
from service.users.models import User
from service.visits.models import Visit


def list_cadres(ctx: Context, args: dict) -> Listing:
    """Cadres in the caller's scope, with filters."""
    stmt = scope.within(select(Cadre), ctx.caller, Cadre).order_by(Cadre.unit_id, Cadre.id)
    for key in ("unit_id", "rank"):
        if args.get(key) is not None:
            stmt = stmt.where(getattr(Cadre, key) == args[key])
    if args.get("q"):
        stmt = stmt.where(or_(Cadre.name.icontains(args["q"], autoescape=True),
                              Cadre.phone.contains(args["q"], autoescape=True)))
    return Listing(stmt, present=lambda cadres: shown(ctx, cadres),
                   sorts={"unit_name": names.unit_name_of(Cadre.unit_id)})


def shown(ctx: Context, cadres: list[Cadre]) -> list[Cadre]:
    """Cadres as a table shows them (SPEC §15): each with its unit's name, `active_households`
    (its active pairings), `free_places` (R1: how many more it may take) and
    `matching_difficulty` (R4), two queries for the lot: a handover's receivers are found
    without restating a rule client-side."""
    ids = [c.id for c in cadres]
    active = dict(ctx.session.execute(
        select(Pairing.cadre_id, func.count()).where(Pairing.cadre_id.in_(ids),
                                                     Pairing.ended_on.is_(None))
        .group_by(Pairing.cadre_id)).all()) if ids else {}
    units = names.of_units(ctx.session, [c.unit_id for c in cadres])
    for cadre in cadres:
        cadre.unit_name = units.get(cadre.unit_id)
        cadre.active_households = active.get(cadre.id, 0)
        cadre.free_places = free_places(cadre.rank, cadre.active_households)
        cadre.matching_difficulty = DIFFICULTY_FOR_RANK[cadre.rank]
    return cadres


def get_cadre(ctx: Context, cadre_id: int) -> Cadre:
    """One cadre, or 404 when it is missing or outside scope."""
    return scope.find(ctx.session, ctx.caller, Cadre, cadre_id, _("cadre"))


def _check_unit(ctx: Context, unit_id: int) -> None:
    scope.reference(ctx.session, ctx.caller, Unit, unit_id, "unit_id", _("unit"))


def create_cadre(ctx: Context, data: dict) -> Cadre:
    """Add a cadre to a unit."""
    _check_unit(ctx, data["unit_id"])
    cadre = Cadre(**{"skills": [], **data})
    ctx.session.add(cadre)
    ctx.session.flush()
    return cadre


def update_cadre(ctx: Context, cadre_id: int, changes: dict,
                 precondition: Precondition = None) -> Cadre:
    """Edit a cadre in scope."""
    session = ctx.session
    cadre = get_cadre(ctx, cadre_id)
    # Lock the cadre as the pairing trigger does, so the count below cannot go stale.
    session.refresh(cadre, with_for_update=True)
    active = session.scalar(select(func.count()).where(Pairing.cadre_id == cadre.id,
                                                       Pairing.ended_on.is_(None)))
    if "unit_id" in changes and changes["unit_id"] != cadre.unit_id:
        _check_unit(ctx, changes["unit_id"])
        if session.scalar(select(Unit.id).where(Unit.head_cadre_id == cadre.id)) is not None:
            raise CadreIsUnitHead(
                _("This cadre heads its unit; name another head before moving the cadre."))
        if active:
            # R3 would break: the new unit does not hold these households' villages.
            raise ActivePairingsRemain(
                _("The cadre still links %(count)s households; hand them over first.",
                  count=active))
    if "rank" in changes:
        check_rank_change(cadre.id, changes["rank"], active)
    moved = "unit_id" in changes and changes["unit_id"] != cadre.unit_id
    apply_changes(cadre, changes, precondition)
    if moved:
        # The cadre's login moves with it (the token check and every reader take the
        # account's unit_id; audited as the account's update).
        for account in session.scalars(select(User).where(User.cadre_id == cadre.id)):
            account.unit_id = cadre.unit_id
    session.flush()
    return cadre


def delete_cadre(ctx: Context, cadre_id: int, precondition: Precondition = None) -> None:
    """Delete a cadre with no pairing history, account or headship."""
    cadre = get_cadre(ctx, cadre_id)
    delete_unless_used(ctx.session, cadre, [
        ("pairings", Pairing.cadre_id == cadre.id),
        ("visits", Visit.cadre_id == cadre.id),
        ("users", User.cadre_id == cadre.id),
        ("units (as head)", Unit.head_cadre_id == cadre.id),
    ], precondition=precondition)
