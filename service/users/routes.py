"""HTTP for login, the caller's own account, and account management."""

import ipaddress

from flask import request
from flask.views import MethodView

from service.api import (
    ETAG_HEADER_DOC,
    IF_MATCH_DOC,
    Blueprint,
    check_if_match,
    etag_header,
    page,
)
from service.auth import issue_token, public, require
from service.users import login, services
from service.users import schemas as s
from service.users.rules import LoginFailed
from service.web import context, settings

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Login and accounts")
LOGIN = "users.Login"
# A login is two short strings: a body past this is refused (413) before any of it is read.
LOGIN_MAX_BYTES = 4096


def _client() -> str:
    """The address the login limits count by: an IPv6 address by its /64 (one subscriber's
    network; its 2^64 addresses would otherwise be 2^64 fresh counts)."""
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


@blp.before_app_request
def _login_gate():
    """A client past its limit hears 429 before its body is even read, and a body larger than
    a login can be is 413 unread. Registered with the blueprints, so before the edge's checks
    (service/app.py), which would answer 4xx first."""
    if request.endpoint == LOGIN:
        login.refuse_when_limited(settings(), None, _client())
        request.max_content_length = LOGIN_MAX_BYTES


@blp.after_app_request
def _count_malformed_login(response):
    """Any refusal of a login counts toward the limit (SPEC §9), a body no field takes too."""
    if request.endpoint == LOGIN and response.status_code in (400, 413, 415, 422):
        login.count_refused(settings(), _client())
    return response


@blp.route("/auth/login")
class Login(MethodView):
    @public
    @blp.arguments(s.LoginIn)
    @blp.response(200, s.TokenOut)
    @blp.doc(responses={"401": "UNAUTHORIZED", "413": "REQUEST_ENTITY_TOO_LARGE",
                        "429": "TOO_MANY_REQUESTS"})
    def post(self, data):
        """Exchange a username and password for a bearer token."""
        ctx = context()
        try:
            user = login.authenticate(ctx, data["username"], data["password"], _client())
        except LoginFailed:
            ctx.session.commit()  # the refusal answers 401, and stays on the audit trail
            raise
        token, ttl = issue_token(user)
        # A token is a secret: no cache keeps the answer (SPEC §13).
        return ({"access_token": token, "token_type": "Bearer", "expires_in": ttl}, 200,
                {"Cache-Control": "no-store"})


@blp.route("/auth/logout")
class Logout(MethodView):
    @require()
    @blp.response(204)
    def post(self):
        """Log out everywhere: every token of your account stops working."""
        services.log_out(context())


@blp.route("/me")
class Me(MethodView):
    @require()
    @blp.response(200, s.UserOut)
    def get(self):
        """Your own account."""
        ctx = context()
        return services.get_user(ctx, ctx.caller.user_id)


@blp.route("/users")
class Users(MethodView):
    @require("county_admin")
    @blp.arguments(s.UserQuery, location="query")
    @blp.response(200, s.UserPage)
    def get(self, args):
        """List accounts."""
        ctx = context()
        return page(ctx, services.list_users(ctx, args), args)

    @require("county_admin")
    @blp.arguments(s.UserIn)
    @blp.response(201, s.UserOut, headers=ETAG_HEADER_DOC)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Open an account."""
        user = services.create_user(context(), data)
        return user, 201, {"Location": f"/api/v1/users/{user.id}", **etag_header(user)}


@blp.route("/users/<id:user_id>")
class UserById(MethodView):
    @require("county_admin")
    @blp.response(200, s.UserOut, headers=ETAG_HEADER_DOC)
    def get(self, user_id):
        """Read an account."""
        user = services.get_user(context(), user_id)
        return user, 200, etag_header(user)

    @require("county_admin")
    @blp.arguments(s.UserPatch)
    @blp.response(200, s.UserOut, headers=ETAG_HEADER_DOC)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, user_id):
        """Change an account; deactivating it or changing its password revokes its tokens."""
        user = services.update_user(context(), user_id, changes, check_if_match)
        return user, 200, etag_header(user)

    @require("county_admin")
    @blp.response(204)
    @blp.doc(**IF_MATCH_DOC)
    def delete(self, user_id):
        """Remove an account."""
        services.delete_user(context(), user_id, check_if_match)
