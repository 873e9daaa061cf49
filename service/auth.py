"""Tokens, roles, scope and the one permission decorator every endpoint declares."""

import functools
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, request

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
    now = datetime.now(UTC)
    claims = {"sub": str(user.id), "tv": user.token_version, "iat": now,
              "exp": now + timedelta(seconds=ttl)}
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm="HS256"), ttl


@dataclass(frozen=True)
class Caller:
    """Who is calling and what they may see."""

    user_id: int
    username: str
    role: str
    unit_id: int | None
    cadre_id: int | None

    @property
    def is_county_admin(self) -> bool:
        return self.role == "county_admin"


@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: str) -> tuple[int, int, float]:
    """The user id, token version and expiry of a token whose signature checks out. A phone
    sends the same token with every request, so the check is remembered per token string; the
    expiry is still compared on each use, and revocation is checked against the database."""
    claims = jwt.decode(token, secret, algorithms=["HS256"],
                        options={"require": ["exp", "sub", "tv"]})
    return int(claims["sub"]), int(claims["tv"]), float(claims["exp"])


@functools.cache
def _user_by_id():
    """The columns a request needs to know its caller, as one prebuilt Core statement: every
    authenticated request runs it, so it skips the ORM's identity map and statement building."""
    from sqlalchemy import bindparam, select

    from service.users.models import User

    return select(User.id, User.username, User.role, User.unit_id, User.cadre_id, User.active,
                  User.token_version).where(User.id == bindparam("user_id"))


def _authenticate() -> Caller:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("Send Authorization: Bearer <token> from /api/v1/auth/login.")
    try:
        user_id, token_version, expires = _verified(token, current_app.config["SECRET_KEY"])
    except (jwt.PyJWTError, ValueError):
        raise Unauthenticated("The token is invalid or has expired.") from None
    if expires <= time.time():
        raise Unauthenticated("The token is invalid or has expired.")
    user = get_session().connection().execute(_user_by_id(), {"user_id": user_id}).first()
    if user is None or not user.active or user.token_version != token_version:
        raise Unauthenticated("The token has been revoked.")
    return Caller(user.id, user.username, user.role, user.unit_id, user.cadre_id)


def current_caller() -> Caller:
    """The authenticated caller of this request."""
    return g.caller


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


def require(*roles: str):
    """Declare the roles allowed to call a view; authenticates and checks the role."""
    roles = roles or ALL_ROLES

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            caller = _authenticate()
            if caller.role not in roles:
                raise Forbidden(f"Role {caller.role} may not do this.")
            g.caller = caller
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
