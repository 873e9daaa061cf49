"""Tokens, roles, scope and the one permission decorator every endpoint declares."""

import functools
from dataclasses import dataclass
from datetime import timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, request

from service.clock import utcnow
from service.context import Caller
from service.db import get_session
from service.errors import Forbidden, Unauthenticated

ALL_ROLES = ("county_admin", "unit_admin", "cadre", "inspector")
ADMINS = ("county_admin", "unit_admin")
READERS = ALL_ROLES

_BEARER = [{"bearerAuth": []}]


def password_hasher() -> PasswordHasher:
    """Argon2id; the cheap profile only when the configuration asks for it (tests)."""
    if current_app.config.get("PASSWORD_HASH_FAST"):
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return password_hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        return password_hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the username is unknown, so timing does not reveal it.
_DUMMY_HASH: dict[bool, str] = {}


def dummy_verify(password: str) -> None:
    """Spend the same time as a real check."""
    fast = bool(current_app.config.get("PASSWORD_HASH_FAST"))
    if fast not in _DUMMY_HASH:
        _DUMMY_HASH[fast] = password_hasher().hash("not-a-real-password")
    verify_password(_DUMMY_HASH[fast], password)


def issue_token(user) -> tuple[str, int]:
    """A signed, expiring bearer token bound to the user's token_version."""
    ttl = int(current_app.config["TOKEN_TTL_SECONDS"])
    now = utcnow()
    claims = {"sub": str(user.id), "tv": user.token_version, "iat": now,
              "exp": now + timedelta(seconds=ttl)}
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm="HS256"), ttl


@dataclass(frozen=True)
class Claim:
    """A token whose signature and expiry check out, for an endpoint admitting `roles`; whether
    its account still stands (active, same token version, an admitted role) is for `confirm`."""

    user_id: int
    token_version: int
    roles: tuple[str, ...]


@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: str) -> tuple[int, int, float]:
    """The user id, token version and expiry of a token whose signature checks out. A phone
    sends the same token with every request, so the check is remembered per token string; the
    expiry is still compared on each use, and revocation is checked against the database."""
    # The expiry is compared with the service's clock by the caller, not with PyJWT's.
    claims = jwt.decode(token, secret, algorithms=["HS256"],
                        options={"require": ["exp", "sub", "tv"], "verify_exp": False,
                                 "verify_iat": False, "verify_nbf": False})
    return int(claims["sub"]), int(claims["tv"]), float(claims["exp"])


@functools.cache
def account_by_id():
    """What `confirm` reads of an account, bound to `user_id`, as one prebuilt Core statement:
    every authenticated request runs it (or reads it within its own first statement), so it
    skips the ORM's identity map and statement building."""
    from sqlalchemy import bindparam, select

    from service.users.models import User

    users = User.__table__
    return select(users.c.username, users.c.role, users.c.unit_id, users.c.cadre_id,
                  users.c.active, users.c.token_version).where(
        users.c.id == bindparam("user_id"))


def _claim(roles: tuple[str, ...]) -> Claim:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("Send Authorization: Bearer <token> from /api/v1/auth/login.")
    try:
        user_id, token_version, expires = _verified(token, current_app.config["SECRET_KEY"])
    except (jwt.PyJWTError, ValueError):
        raise Unauthenticated("The token is invalid or has expired.") from None
    if expires <= utcnow().timestamp():
        raise Unauthenticated("The token is invalid or has expired.")
    return Claim(user_id, token_version, roles)


def confirm(claim: Claim, account) -> Caller:
    """The caller, once its account row (as `account_by_id` reads it, or None when there is no
    such account) shows the token still stands and the role is admitted; 401 or 403 otherwise."""
    if account is None or not account.active or account.token_version != claim.token_version:
        raise Unauthenticated("The token has been revoked.")
    if account.role not in claim.roles:
        raise Forbidden(f"Role {account.role} may not do this.")
    g.caller = Caller(claim.user_id, account.username, account.role, account.unit_id,
                      account.cadre_id)
    return g.caller


def pending_claim() -> Claim:
    """The claim of a view declared with `require(..., account_read_by_view=True)`."""
    return g.claim


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


def require(*roles: str, account_read_by_view: bool = False):
    """Declare the roles allowed to call a view; authenticates and checks the role.

    With `account_read_by_view`, the token is verified here (401 when it is missing, forged or
    expired) and the view reads the account together with its own first statement, then calls
    `confirm` before anything else: one round trip fewer on the path every visit from a phone
    takes. Such a view checks its body before the account, so a revoked token or a wrong role
    with a malformed body hears 422 first."""
    roles = roles or ALL_ROLES

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            claim = _claim(roles)
            if account_read_by_view:
                g.claim = claim
            else:
                confirm(claim, get_session().connection().execute(
                    account_by_id(), {"user_id": claim.user_id}).first())
            return view(*args, **kwargs)

        wrapper._access = ("roles", tuple(roles))
        _document(wrapper, {
            "security": _BEARER,
            "responses": {"401": "UNAUTHORIZED", "403": "FORBIDDEN"},
            "description": "Roles: " + ", ".join(roles) + ".",
        })
        return wrapper

    return decorator


def public(view):
    """Declare a view open to anyone, without a token."""
    view._access = ("public",)
    _document(view, {"security": []})
    return view
