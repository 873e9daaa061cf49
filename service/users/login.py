"""Login with failed-attempt limits per username and per client address; every failure is on
the audit trail (action login_failed, naming the account when it exists)."""

from sqlalchemy import select

from service import ratelimit
from service.audit import recorder
from service.context import Context
from service.passwords import dummy_verify, verify_password
from service.users.models import User
from service.users.rules import LoginFailed, TooManyAttempts


def _keys(settings, username: str | None, client: str) -> list[tuple[str, tuple[str, str]]]:
    keys = [(settings.login_failures_per_client, ("login-client", client))]
    if username is not None:
        keys.append((settings.login_failures_per_user, ("login-user", username.lower())))
    return keys


def refuse_when_limited(settings, username: str | None, client: str) -> None:
    """429 once the client (or the username, when known) has failed too often."""
    storage = settings.ratelimit_storage_uri
    if any(not ratelimit.allowed(storage, rule, *key)
           for rule, key in _keys(settings, username, client)):
        raise TooManyAttempts("Too many failed logins; wait a few minutes and try again.")


def count_refused(settings, client: str) -> None:
    """A login refused before its credentials were read (a malformed or hostile body) counts
    against the client like a wrong password."""
    for rule, key in _keys(settings, None, client):
        ratelimit.count(settings.ratelimit_storage_uri, rule, *key)


def authenticate(ctx: Context, username: str, password: str, client: str) -> User:
    """The account for good credentials; 401 otherwise (recorded, and counted towards the
    limits); 429 after repeated failures."""
    settings = ctx.settings
    storage = settings.ratelimit_storage_uri
    keys = _keys(settings, username, client)
    refuse_when_limited(settings, username, client)
    user = ctx.session.scalar(select(User).where(User.username == username))
    fast = settings.password_hash_fast
    if user is None:
        dummy_verify(password, fast)
        ok = False
    else:
        ok = verify_password(user.password_hash, password, fast) and user.active
    if not ok:
        for rule, key in keys:
            ratelimit.count(storage, rule, *key)
        # The typed username is not kept: it may be a password typed in the wrong field.
        recorder.record(ctx.session, "login_failed", "user", user.id if user else None, {})
        raise LoginFailed("Wrong username or password, or the account is inactive.")
    return user
