"""Party organisations and contact points; R7 gaps are reported by coverage."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.api import paginate
from service.cadres.models import Cadre
from service.contacts.models import ContactPoint, PartyOrganization
from service.context import Caller
from service.errors import Conflict, ValidationFailed
from service.places.models import Village
from service.records import apply_changes, delete_unless_used, end_date, require_records, start_date
from service.scope import get_or_404, hidden
from service.unique import flush_unique


class ContactPointExists(Conflict):
    code, title = "contact_point_exists", "The cadre already holds this contact point"


class ContactPointAlreadyEnded(Conflict):
    code, title = "contact_point_already_ended", "The contact point has already ended"


def list_organizations(session, args: dict) -> dict:
    """Party organisations, with filters."""
    stmt = select(PartyOrganization).order_by(PartyOrganization.kind, PartyOrganization.name)
    for key in ("kind", "weak", "village_id"):
        if args.get(key) is not None:
            stmt = stmt.where(getattr(PartyOrganization, key) == args[key])
    if args.get("q"):
        stmt = stmt.where(PartyOrganization.name.icontains(args["q"], autoescape=True))
    return paginate(session, stmt, args)


def _check_village(session, village_id) -> None:
    if village_id is not None and session.get(Village, village_id) is None:
        raise ValidationFailed({"village_id": [f"no village with id {village_id}"]})


def create_organization(session, data: dict) -> PartyOrganization:
    """Register a party organisation."""
    _check_village(session, data.get("village_id"))
    organization = PartyOrganization(**data)
    session.add(organization)
    flush_unique(session, "party_organizations")
    session.commit()
    return organization


def update_organization(session, organization_id: int, changes: dict) -> PartyOrganization:
    """Edit a party organisation (e.g. a branch is no longer weak)."""
    organization = get_or_404(session, PartyOrganization, organization_id, "organisation")
    _check_village(session, changes.get("village_id"))
    apply_changes(organization, changes)
    flush_unique(session, "party_organizations")
    session.commit()
    return organization


def delete_organization(session, organization_id: int) -> None:
    """Delete an organisation that was never a contact point."""
    organization = get_or_404(session, PartyOrganization, organization_id, "organisation")
    delete_unless_used(session, organization, [
        ("contact points", ContactPoint.organization_id == organization.id)])


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


def _visible(stmt, caller: Caller | None):
    if caller is not None and caller.role == "unit_admin":
        return stmt.where(Cadre.unit_id == caller.unit_id)
    if caller is not None and caller.role == "cadre":
        return stmt.where(ContactPoint.cadre_id == caller.cadre_id)
    return stmt


def list_contact_points(session, caller: Caller, args: dict) -> dict:
    """Contact points in scope, with filters."""
    stmt = _visible(_select(), caller).order_by(ContactPoint.started_on.desc(),
                                                ContactPoint.id.desc())
    for key, column in (("cadre_id", ContactPoint.cadre_id),
                        ("organization_id", ContactPoint.organization_id),
                        ("unit_id", Cadre.unit_id), ("kind", PartyOrganization.kind)):
        if args.get(key) is not None:
            stmt = stmt.where(column == args[key])
    if args.get("active") is not None:
        stmt = stmt.where(ContactPoint.ended_on.is_(None) if args["active"]
                          else ContactPoint.ended_on.is_not(None))
    page = paginate(session, stmt, args, rows=True)
    page["items"] = [_present(r) for r in page["items"]]
    return page


def get_contact_point(session, caller: Caller | None, contact_point_id: int) -> dict:
    """One contact point in scope."""
    row = session.execute(_visible(_select(), caller)
                          .where(ContactPoint.id == contact_point_id)).first()
    if row is None:
        raise hidden("contact point", contact_point_id)
    return _present(row)


def create_contact_point(session, data: dict, today) -> dict:
    """A leader takes on an organisation as a contact point."""
    require_records(session, {"cadre_id": (Cadre, data["cadre_id"]),
                              "organization_id": (PartyOrganization, data["organization_id"])})
    started_on = start_date(data, today)
    point = ContactPoint(cadre_id=data["cadre_id"], organization_id=data["organization_id"],
                         started_on=started_on)
    session.add(point)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ContactPointExists("The cadre already holds this organisation as a contact point.",
                                 cadre_id=data["cadre_id"],
                                 organization_id=data["organization_id"]) from None
    session.commit()
    return get_contact_point(session, None, point.id)


def end_contact_point(session, contact_point_id: int, data: dict, today) -> dict:
    """End a contact point; it stays in history."""
    point = get_or_404(session, ContactPoint, contact_point_id, "contact point")
    if point.ended_on is not None:
        raise ContactPointAlreadyEnded(f"Contact point {contact_point_id} ended on "
                                       f"{point.ended_on}.")
    ended_on = end_date(point, data, today)
    point.ended_on, point.end_reason = ended_on, data["reason"]
    session.commit()
    return get_contact_point(session, None, contact_point_id)
