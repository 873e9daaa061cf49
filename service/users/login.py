"""Login with failed-attempt limits per username and per client address."""

from flask import current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select

from service.auth import dummy_verify, issue_token, verify_password
from service.errors import DomainError, Unauthenticated
from service.users.models import User


class TooManyAttempts(DomainError):
    status, code, title = 429, "too_many_attempts", "Too many failed logins"


def _limiter() -> MovingWindowRateLimiter:
    ext = current_app.extensions
    if "login_limiter" not in ext:
        storage = storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"])
        ext["login_limiter"] = MovingWindowRateLimiter(storage)
    return ext["login_limiter"]


def reset_limits() -> None:
    """Forget every counted failure (tests, or an admin after an incident)."""
    _limiter().storage.reset()


def login(session, username: str, password: str, client: str) -> dict:
    """A bearer token for good credentials; 401 otherwise; 429 after repeated failures."""
    limiter = _limiter()
    per_user = parse(current_app.config["LOGIN_FAILURES_PER_USER"])
    per_client = parse(current_app.config["LOGIN_FAILURES_PER_CLIENT"])
    keys = [(per_user, ("login-user", username.lower())), (per_client, ("login-client", client))]
    if any(not limiter.test(limit, *key) for limit, key in keys):
        raise TooManyAttempts("Too many failed logins; wait a few minutes and try again.")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        dummy_verify(password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password) and user.active
    if not ok:
        for limit, key in keys:
            limiter.hit(limit, *key)
        raise Unauthenticated("Wrong username or password, or the account is inactive.")
    token, ttl = issue_token(user)
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl}
