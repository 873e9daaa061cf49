"""HTTP for party organisations and contact points (联系点)."""

from flask.views import MethodView

from service.api import (
    ETAG_HEADER_DOC,
    IF_MATCH_DOC,
    Blueprint,
    check_if_match,
    etag_header,
    page,
)
from service.auth import require
from service.contacts import schemas as s
from service.contacts import services
from service.web import context

blp = Blueprint("contacts", __name__, url_prefix="/api/v1",
                description="Party organisations and leaders' contact points (联系点)")


@blp.route("/party-organizations")
class Organizations(MethodView):
    @require()
    @blp.arguments(s.OrganizationQuery, location="query")
    @blp.response(200, s.OrganizationPage)
    def get(self, args):
        """List party organisations."""
        ctx = context()
        return page(ctx, services.list_organizations(ctx, args), args)

    @require("county_admin")
    @blp.arguments(s.OrganizationIn)
    @blp.response(201, s.OrganizationOut, headers=ETAG_HEADER_DOC)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Register a party organisation."""
        org = services.create_organization(context(), data)
        return org, 201, {"Location": f"/api/v1/party-organizations/{org.id}", **etag_header(org)}


@blp.route("/party-organizations/<id:organization_id>")
class OrganizationById(MethodView):
    @require()
    @blp.response(200, s.OrganizationOut, headers=ETAG_HEADER_DOC)
    def get(self, organization_id):
        """Read a party organisation."""
        org = services.get_organization(context(), organization_id)
        return org, 200, etag_header(org)

    @require("county_admin")
    @blp.arguments(s.OrganizationPatch)
    @blp.response(200, s.OrganizationOut, headers=ETAG_HEADER_DOC)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, organization_id):
        """Edit a party organisation."""
        org = services.update_organization(context(), organization_id, changes,
                                           check_if_match)
        return org, 200, etag_header(org)

    @require("county_admin")
    @blp.response(204)
    @blp.doc(responses={"409": "CONFLICT"})
    @blp.doc(**IF_MATCH_DOC)
    def delete(self, organization_id):
        """Delete an organisation that was never a contact point."""
        services.delete_organization(context(), organization_id, check_if_match)


@blp.route("/contact-points")
class ContactPoints(MethodView):
    @require()
    @blp.arguments(s.ContactPointQuery, location="query")
    @blp.response(200, s.ContactPointPage)
    def get(self, args):
        """List contact points in your scope."""
        ctx = context()
        return page(ctx, services.list_contact_points(ctx, args), args)

    @require("county_admin")
    @blp.arguments(s.ContactPointIn)
    @blp.response(201, s.ContactPointOut)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """A leader takes on an organisation as a contact point."""
        point = services.create_contact_point(context(), data)
        return point, 201, {"Location": f"/api/v1/contact-points/{point['id']}"}


@blp.route("/contact-points/<id:contact_point_id>")
class ContactPointById(MethodView):
    @require()
    @blp.response(200, s.ContactPointOut)
    def get(self, contact_point_id):
        """Read a contact point."""
        return services.get_contact_point(context(), contact_point_id)


@blp.route("/contact-points/<id:contact_point_id>/end")
class ContactPointEnd(MethodView):
    @require("county_admin")
    @blp.arguments(s.ContactPointEnd)
    @blp.response(200, s.ContactPointOut)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data, contact_point_id):
        """End a contact point (history is kept)."""
        return services.end_contact_point(context(), contact_point_id, data)
