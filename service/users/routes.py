"""HTTP for login, the caller's own account, and account management."""

from flask import request
from flask.views import MethodView

from service.api import ETAG_HEADER_DOC, IF_MATCH_DOC, Blueprint, etag_header
from service.auth import current_caller, public, require
from service.db import get_session
from service.scope import get_or_404
from service.users import schemas as s
from service.users import services
from service.users.login import login
from service.users.models import User

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Login and accounts")


@blp.route("/auth/login")
class Login(MethodView):
    @public
    @blp.arguments(s.LoginIn)
    @blp.response(200, s.TokenOut)
    @blp.doc(responses={"401": "UNAUTHORIZED", "429": "TOO_MANY_REQUESTS"})
    def post(self, data):
        """Exchange a username and password for a bearer token."""
        return login(get_session(), data["username"], data["password"],
                     request.remote_addr or "unknown")


@blp.route("/me")
class Me(MethodView):
    @require()
    @blp.response(200, s.UserOut)
    def get(self):
        """Your own account."""
        return get_session().get(User, current_caller().user_id)


@blp.route("/users")
class Users(MethodView):
    @require("county_admin")
    @blp.arguments(s.UserQuery, location="query")
    @blp.response(200, s.UserPage)
    def get(self, args):
        """List accounts."""
        return services.list_users(get_session(), args)

    @require("county_admin")
    @blp.arguments(s.UserIn)
    @blp.response(201, s.UserOut, headers=ETAG_HEADER_DOC)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data):
        """Open an account."""
        user = services.create_user(get_session(), data)
        return user, 201, {"Location": f"/api/v1/users/{user.id}", **etag_header(user)}


@blp.route("/users/<id:user_id>")
class UserById(MethodView):
    @require("county_admin")
    @blp.response(200, s.UserOut, headers=ETAG_HEADER_DOC)
    def get(self, user_id):
        """Read an account."""
        user = get_or_404(get_session(), User, user_id, "user")
        return user, 200, etag_header(user)

    @require("county_admin")
    @blp.arguments(s.UserPatch)
    @blp.response(200, s.UserOut, headers=ETAG_HEADER_DOC)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, user_id):
        """Change an account; deactivating it or changing its password revokes its tokens."""
        user = services.update_user(get_session(), user_id, changes)
        return user, 200, etag_header(user)

    @require("county_admin")
    @blp.response(204)
    def delete(self, user_id):
        """Remove an account."""
        services.delete_user(get_session(), user_id)
