"""Party organisations and contact points; R7 gaps are reported by coverage."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service import scope
from service.audit.recorder import mark
from service.cadres.models import Cadre
from service.contacts.models import ContactPoint, PartyOrganization
from service.contacts.rules import ContactPointAlreadyEnded, ContactPointExists
from service.context import Caller, Context
from service.exceptions import ValidationFailed
from service.listing import Listing
from service.messages import _
from service.places.models import Village
from service.records import (
    Precondition,
    apply_changes,
    delete_unless_used,
    end_date,
    require_records,
    start_date,
)
from service.unique import flush_unique


def list_organizations(ctx: Context, args: dict) -> Listing:
    """Party organisations, with filters."""
    stmt = scope.within(select(PartyOrganization), ctx.caller, PartyOrganization).order_by(
        PartyOrganization.kind, PartyOrganization.name)
    for key in ("kind", "weak", "village_id"):
        if args.get(key) is not None:
            stmt = stmt.where(getattr(PartyOrganization, key) == args[key])
    if args.get("q"):
        stmt = stmt.where(PartyOrganization.name.icontains(args["q"], autoescape=True))
    return Listing(stmt)


def get_organization(ctx: Context, organization_id: int) -> PartyOrganization:
    """One party organisation, or 404."""
    return scope.find(ctx.session, ctx.caller, PartyOrganization, organization_id,
                      _("organisation"))


def _check_village(session, village_id) -> None:
    if village_id is not None and session.get(Village, village_id) is None:
        raise ValidationFailed({"village_id": [_("no %(what)s with id %(id)s", what=_("village"),
                                                  id=village_id)]})


def create_organization(ctx: Context, data: dict) -> PartyOrganization:
    """Register a party organisation."""
    _check_village(ctx.session, data.get("village_id"))
    organization = PartyOrganization(**data)
    ctx.session.add(organization)
    flush_unique(ctx.session, "party_organizations")
    return organization


def update_organization(ctx: Context, organization_id: int, changes: dict,
                        precondition: Precondition = None) -> PartyOrganization:
    """Edit a party organisation (e.g. a branch is no longer weak)."""
    organization = get_organization(ctx, organization_id)
    _check_village(ctx.session, changes.get("village_id"))
    apply_changes(organization, changes, precondition)
    flush_unique(ctx.session, "party_organizations")
    return organization


def delete_organization(ctx: Context, organization_id: int,
                        precondition: Precondition = None) -> None:
    """Delete an organisation that was never a contact point."""
    organization = get_organization(ctx, organization_id)
    delete_unless_used(ctx.session, organization, [
        ("contact points", ContactPoint.organization_id == organization.id)],
        precondition=precondition)


def _select():
    return (select(ContactPoint, Cadre.name, Cadre.rank, Cadre.unit_id, PartyOrganization.name,
                   PartyOrganization.kind, PartyOrganization.weak)
            .join(Cadre, Cadre.id == ContactPoint.cadre_id)
            .join(PartyOrganization, PartyOrganization.id == ContactPoint.organization_id))


def _present(row) -> dict:
    cp, cadre_name, rank, unit_id, org_name, kind, weak = row
    return {"id": cp.id, "cadre_id": cp.cadre_id, "cadre_name": cadre_name, "cadre_rank": rank,
            "unit_id": unit_id, "organization_id": cp.organization_id,
            "organization_name": org_name, "kind": kind, "weak": weak,
            "started_on": cp.started_on, "ended_on": cp.ended_on, "end_reason": cp.end_reason,
            "active": cp.ended_on is None}


def list_contact_points(ctx: Context, args: dict) -> Listing:
    """Contact points in scope, with filters."""
    stmt = scope.within(_select(), ctx.caller, ContactPoint).order_by(
        ContactPoint.started_on.desc(), ContactPoint.id.desc())
    for key, column in (("cadre_id", ContactPoint.cadre_id),
                        ("organization_id", ContactPoint.organization_id),
                        ("unit_id", Cadre.unit_id), ("kind", PartyOrganization.kind)):
        if args.get(key) is not None:
            stmt = stmt.where(column == args[key])
    if args.get("active") is not None:
        stmt = stmt.where(ContactPoint.ended_on.is_(None) if args["active"]
                          else ContactPoint.ended_on.is_not(None))
    return Listing(stmt, rows=True, present=lambda rows: [_present(r) for r in rows])


def _shown(ctx: Context, contact_point_id: int, caller: Caller | None = None) -> dict:
    """The record as the API shows it; with a caller, only one in its scope (404 otherwise)."""
    row = scope.find_row(ctx.session, caller, ContactPoint, _select(), contact_point_id,
                         _("contact point"))
    return _present(row)


def get_contact_point(ctx: Context, contact_point_id: int) -> dict:
    """One contact point in scope."""
    return _shown(ctx, contact_point_id, ctx.caller)


def create_contact_point(ctx: Context, data: dict) -> dict:
    """A leader takes on an organisation as a contact point."""
    session = ctx.session
    require_records(session, {"cadre_id": (Cadre, data["cadre_id"]),
                              "organization_id": (PartyOrganization, data["organization_id"])})
    started_on = start_date(data, ctx.clock.today())
    point = ContactPoint(cadre_id=data["cadre_id"], organization_id=data["organization_id"],
                         started_on=started_on)
    session.add(point)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ContactPointExists(_("The cadre already holds this organisation as a contact "
                                   "point."),
                                 cadre_id=data["cadre_id"],
                                 organization_id=data["organization_id"]) from None
    return _shown(ctx, point.id)


def end_contact_point(ctx: Context, contact_point_id: int, data: dict) -> dict:
    """End a contact point; it stays in history."""
    point = scope.find(ctx.session, ctx.caller, ContactPoint, contact_point_id, _("contact point"))
    if point.ended_on is not None:
        raise ContactPointAlreadyEnded(_("Contact point %(id)s ended on %(day)s.",
                                         id=contact_point_id, day=point.ended_on.isoformat()))
    ended_on = end_date(point, data, ctx.clock.today())
    point.ended_on, point.end_reason = ended_on, data["reason"]
    mark(ctx.session, point, "end")
    ctx.session.flush()
    return _shown(ctx, contact_point_id)
