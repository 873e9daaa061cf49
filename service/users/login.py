"""Login, with limits that slow guessing down without letting anyone lock an account out
(OWASP's authentication cheat sheet). Failures are counted three ways:

- per username and address (LOGIN_FAILURES_PER_PAIR): past it, that address may not try that
  username for a while (429); the owner, elsewhere, is not concerned;
- per address (LOGIN_FAILURES_PER_CLIENT): past it, the address may try no username (429),
  so one address cannot spray many;
- per username (LOGIN_FAILURES_PER_USER): a ceiling that many addresses reach together; past
  it an attempt for that username waits LOGIN_SLOWDOWN_SECONDS before its password is checked.
  An address the account logged in from before (in the last 30 days: OWASP's "device cookie",
  by address) is not slowed at all, so the owner gets in at once from a known place. A sleeping
  attempt holds a worker thread, so one process lets one sleep at a time: an attempt for a
  targeted username from an unknown address while another sleeps hears 429 with
  `Retry-After: 1` (a botnet cannot put every thread to sleep).

Every failure is on the audit trail (action login_failed, naming the account when it exists).
"""

import threading
import time

from sqlalchemy import select

from service import ratelimit
from service.audit import recorder
from service.context import Context, Settings
from service.messages import _
from service.passwords import dummy_verify, verify_password
from service.users.models import User
from service.users.rules import LoginFailed, TooManyAttempts


# Each limit as (rule, *key): the arguments of ratelimit.allowed, count and retry_after.
def _pair(settings: Settings, username: str, client: str) -> tuple[str, ...]:
    return settings.login_failures_per_pair, "login-pair", username.lower(), client


def _client(settings: Settings, client: str) -> tuple[str, ...]:
    return settings.login_failures_per_client, "login-client", client


def _user(settings: Settings, username: str) -> tuple[str, ...]:
    return settings.login_failures_per_user, "login-user", username.lower()


def refuse_when_limited(settings: Settings, username: str | None, client: str) -> None:
    """429 once the address, or the username from this address (when known), has failed too
    often; the refusal says when to try again."""
    storage = settings.ratelimit_storage_uri
    limits = [_client(settings, client)]
    if username is not None:
        limits.append(_pair(settings, username, client))
    for limit in limits:
        if not ratelimit.allowed(storage, *limit):
            raise TooManyAttempts(_("Too many failed logins from this address; wait a few "
                                    "minutes and try again."),
                                  ratelimit.retry_after(storage, *limit))


# An address the account logged in from: remembered as one hit of a 30-day window.
_KNOWN = "1 per 30 days"
# One slowed attempt sleeps at a time in this process.
_SLEEPING = threading.BoundedSemaphore(1)


def _known(settings: Settings, username: str, client: str) -> tuple[str, ...]:
    return _KNOWN, "login-known", username.lower(), client


def slow_down_when_targeted(settings: Settings, username: str, client: str) -> float:
    """Wait before checking a password for a username that many addresses together have
    failed for too often (an attack on the account, not on the owner), unless the account
    logged in from this address before; the seconds waited. While another slowed attempt
    sleeps in this process, 429 at once (TooManyAttempts, retry after a second)."""
    storage = settings.ratelimit_storage_uri
    if ratelimit.allowed(storage, *_user(settings, username)) \
            or not ratelimit.allowed(storage, *_known(settings, username, client)):
        return 0.0
    if not _SLEEPING.acquire(blocking=False):
        raise TooManyAttempts(_("Many failed logins for this account from many addresses; "
                                "try again in a second."), 1)
    try:
        time.sleep(settings.login_slowdown_seconds)
    finally:
        _SLEEPING.release()
    return settings.login_slowdown_seconds


def count_refused(settings: Settings, client: str) -> None:
    """A login refused before its credentials were read (a malformed or hostile body) counts
    against the address like a wrong password."""
    ratelimit.count(settings.ratelimit_storage_uri, *_client(settings, client))


def _count_failure(settings: Settings, username: str, client: str) -> None:
    storage = settings.ratelimit_storage_uri
    for limit in (_pair(settings, username, client), _client(settings, client),
                  _user(settings, username)):
        ratelimit.count(storage, *limit)


def authenticate(ctx: Context, username: str, password: str, client: str) -> User:
    """The account for good credentials; 401 otherwise (recorded, and counted towards the
    limits); 429 after repeated failures from this address."""
    settings = ctx.settings
    refuse_when_limited(settings, username, client)
    slow_down_when_targeted(settings, username, client)
    user = ctx.session.scalar(select(User).where(User.username == username))
    fast = settings.password_hash_fast
    if user is None:
        dummy_verify(password, fast)  # an unknown username costs the same time
        ok = False
    else:
        ok = verify_password(user.password_hash, password, fast) and user.active
    if not ok:
        _count_failure(settings, username, client)
        # The typed username is not kept: it may be a password typed in the wrong field.
        recorder.record(ctx.session, "login_failed", "user", user.id if user else None, {})
        raise LoginFailed(_("Wrong username or password, or the account is inactive."))
    # The owner's typos from this address are forgiven; the address's count and the
    # username's ceiling stand (another account's password must not wipe them). The address is
    # known to the account from now on (never slowed down).
    storage = settings.ratelimit_storage_uri
    ratelimit.clear(storage, *_pair(settings, username, client))
    if ratelimit.allowed(storage, *_known(settings, username, client)):
        ratelimit.count(storage, *_known(settings, username, client))
    return user
