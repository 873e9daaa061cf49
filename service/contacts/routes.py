"""HTTP for party organisations and contact points (联系点)."""

from flask.views import MethodView

from service.api import ETAG_HEADER_DOC, IF_MATCH_DOC, Blueprint, etag_header
from service.auth import current_caller, require
from service.clock import county_today
from service.contacts import schemas as s
from service.contacts import services
from service.contacts.models import PartyOrganization
from service.db import get_session
from service.scope import get_or_404

blp = Blueprint("contacts", __name__, url_prefix="/api/v1",
                description="Party organisations and leaders' contact points (联系点)")


@blp.route("/party-organizations")
class Organizations(MethodView):
    @require()
    @blp.arguments(s.OrganizationQuery, location="query")
    @blp.response(200, s.OrganizationPage)
    def get(self, args):
        """List party organisations."""
        return services.list_organizations(get_session(), args)

    @require("county_admin")
    @blp.arguments(s.OrganizationIn)
    @blp.response(201, s.OrganizationOut, headers=ETAG_HEADER_DOC)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Register a party organisation."""
        org = services.create_organization(get_session(), data)
        return org, 201, {"Location": f"/api/v1/party-organizations/{org.id}", **etag_header(org)}


@blp.route("/party-organizations/<id:organization_id>")
class OrganizationById(MethodView):
    @require()
    @blp.response(200, s.OrganizationOut, headers=ETAG_HEADER_DOC)
    def get(self, organization_id):
        """Read a party organisation."""
        org = get_or_404(get_session(), PartyOrganization, organization_id, "organisation")
        return org, 200, etag_header(org)

    @require("county_admin")
    @blp.arguments(s.OrganizationPatch)
    @blp.response(200, s.OrganizationOut, headers=ETAG_HEADER_DOC)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, organization_id):
        """Edit a party organisation."""
        org = services.update_organization(get_session(), organization_id, changes)
        return org, 200, etag_header(org)

    @require("county_admin")
    @blp.response(204)
    @blp.doc(responses={"409": "CONFLICT"})
    def delete(self, organization_id):
        """Delete an organisation that was never a contact point."""
        services.delete_organization(get_session(), organization_id)


@blp.route("/contact-points")
class ContactPoints(MethodView):
    @require()
    @blp.arguments(s.ContactPointQuery, location="query")
    @blp.response(200, s.ContactPointPage)
    def get(self, args):
        """List contact points in your scope."""
        return services.list_contact_points(get_session(), current_caller(), args)

    @require("county_admin")
    @blp.arguments(s.ContactPointIn)
    @blp.response(201, s.ContactPointOut)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """A leader takes on an organisation as a contact point."""
        point = services.create_contact_point(get_session(), data, county_today())
        return point, 201, {"Location": f"/api/v1/contact-points/{point['id']}"}


@blp.route("/contact-points/<id:contact_point_id>")
class ContactPointById(MethodView):
    @require()
    @blp.response(200, s.ContactPointOut)
    def get(self, contact_point_id):
        """Read a contact point."""
        return services.get_contact_point(get_session(), current_caller(), contact_point_id)


@blp.route("/contact-points/<id:contact_point_id>/end")
class ContactPointEnd(MethodView):
    @require("county_admin")
    @blp.arguments(s.ContactPointEnd)
    @blp.response(200, s.ContactPointOut)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data, contact_point_id):
        """End a contact point (history is kept)."""
        return services.end_contact_point(get_session(), contact_point_id, data, county_today())
