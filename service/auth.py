"""Tokens, roles and the one permission decorator every endpoint declares (HTTP side)."""

import functools
import math
import re
from dataclasses import dataclass
from datetime import timedelta

import jwt
from flask import current_app, g, request

from service.clock import utcnow
from service.context import Caller
from service.edges import ID_DIGITS, MAX_ID
from service.exceptions import Forbidden, Unauthenticated
from service.labels.table import word
from service.messages import _
from service.users.accounts import account_by_id
from service.web import get_session

ALL_ROLES = ("county_admin", "unit_admin", "cadre", "inspector")
ADMINS = ("county_admin", "unit_admin")
READERS = ALL_ROLES

_BEARER = [{"bearerAuth": []}]


def issue_token(user) -> tuple[str, int]:
    """A signed, expiring bearer token bound to the user's token_version."""
    ttl = int(current_app.config["TOKEN_TTL_SECONDS"])
    now = utcnow()
    claims = {"sub": str(user.id), "tv": user.token_version, "iat": now,
              "exp": now + timedelta(seconds=ttl)}
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm="HS256"), ttl


@dataclass(frozen=True)
class Token:
    """A bearer token whose signature and expiry check out; whether its account still stands
    (active, same token version, an admitted role) is for `confirm`."""

    user_id: int
    token_version: int


@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: str) -> tuple[int, int, float]:
    """The user id, token version and expiry of a token whose signature checks out. A phone
    sends the same token with every request, so the check is remembered per token string; the
    expiry is still compared on each use, and revocation is checked against the database."""
    # The expiry is compared with the service's clock by the caller, not with PyJWT's.
    claims = jwt.decode(token, secret, algorithms=["HS256"],
                        options={"require": ["exp", "sub", "tv"], "verify_exp": False,
                                 "verify_iat": False, "verify_nbf": False})
    sub, version, expires = claims["sub"], claims["tv"], claims["exp"]
    # Only what this service signs: a small positive id and version, a finite expiry. A forged
    # or foreign token with 2**63 in it never reaches the database (SPEC §9).
    if not (isinstance(sub, str) and re.fullmatch(ID_DIGITS, sub) and int(sub) <= MAX_ID
            and type(version) is int and 0 <= version <= MAX_ID
            and type(expires) in (int, float) and math.isfinite(expires)):
        raise ValueError("claims out of range")
    return int(sub), version, float(expires)


def read_token() -> Token:
    """The request's bearer token, verified (401 when missing, forged or expired)."""
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated(_("Send Authorization: Bearer <token> from /api/v1/auth/login."))
    try:
        user_id, token_version, expires = _verified(token, current_app.config["SECRET_KEY"])
    except (jwt.PyJWTError, ValueError):
        raise Unauthenticated(_("The token is invalid or has expired.")) from None
    if expires <= utcnow().timestamp():
        raise Unauthenticated(_("The token is invalid or has expired."))
    return Token(user_id, token_version)


def confirm(token: Token, account, roles: tuple[str, ...]) -> Caller:
    """The caller, once its account row (as `account_by_id` reads it, or None when there is no
    such account) shows the token still stands and the role is admitted; 401 or 403 otherwise."""
    if account is None or not account.active or account.token_version != token.token_version:
        raise Unauthenticated(_("The token has been revoked."))
    if account.role not in roles:
        raise Forbidden(_("Role %(role)s may not do this.", role=word("role", account.role)))
    g.caller = Caller(token.user_id, account.username, account.role, account.unit_id,
                      account.cadre_id)
    return g.caller


def current_caller() -> Caller:
    """The authenticated caller of this request."""
    caller = g.get("caller")
    if caller is None:  # a view that reads its own account used the caller before confirming
        raise RuntimeError("the caller has not been confirmed")
    return caller


def _document(func, doc: dict) -> None:
    """Add OpenAPI fragments the way flask-smorest's @blp.doc does."""
    apidoc = dict(getattr(func, "_apidoc", {}))
    manual = dict(apidoc.get("manual_doc", {}))
    for key, value in doc.items():
        if isinstance(value, dict):
            manual[key] = {**manual.get(key, {}), **value}
        else:
            manual[key] = value
    apidoc["manual_doc"] = manual
    func._apidoc = apidoc


def declare(view, roles: tuple[str, ...]):
    """Mark a view as open to `roles` (tests walk the url_map for this) and say so in the spec."""
    view._access = ("roles", tuple(roles))
    _document(view, {
        "security": _BEARER,
        "responses": {"401": "UNAUTHORIZED", "403": "FORBIDDEN"},
        "description": "Roles: " + ", ".join(roles) + ".",
    })
    return view


def require(*roles: str):
    """Declare the roles allowed to call a view; authenticates and checks the role."""
    roles = roles or ALL_ROLES

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            token = read_token()
            confirm(token, get_session().connection().execute(
                account_by_id(), {"user_id": token.user_id}).first(), roles)
            return view(*args, **kwargs)

        return declare(wrapper, roles)

    return decorator


def public(view):
    """Declare a view open to anyone, without a token."""
    view._access = ("public",)
    _document(view, {"security": []})
    return view
