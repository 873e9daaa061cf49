"""Login with failed-attempt limits per username and per client address."""

from flask import current_app
from sqlalchemy import select

from service.auth import dummy_verify, issue_token, verify_password
from service.errors import DomainError, Unauthenticated
from service.ratelimit import allowed, count
from service.users.models import User


class TooManyAttempts(DomainError):
    status, code, title = 429, "too_many_attempts", "Too many failed logins"


def login(session, username: str, password: str, client: str) -> dict:
    """A bearer token for good credentials; 401 otherwise; 429 after repeated failures."""
    per_user = current_app.config["LOGIN_FAILURES_PER_USER"]
    per_client = current_app.config["LOGIN_FAILURES_PER_CLIENT"]
    keys = [(per_user, ("login-user", username.lower())), (per_client, ("login-client", client))]
    if any(not allowed(rule, *key) for rule, key in keys):
        raise TooManyAttempts("Too many failed logins; wait a few minutes and try again.")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        dummy_verify(password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password) and user.active
    if not ok:
        for rule, key in keys:
            count(rule, *key)
        raise Unauthenticated("Wrong username or password, or the account is inactive.")
    token, ttl = issue_token(user)
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl}
