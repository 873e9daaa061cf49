"""One rate limiter per app (the `limits` library), shared by every counter: failed logins per
user and per client, wrong card codes per cadre. Keys are namespaced by their first part."""

from flask import current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


def limiter() -> MovingWindowRateLimiter:
    """The app's limiter on RATELIMIT_STORAGE_URI (memory:// here, redis:// in production)."""
    ext = current_app.extensions
    if "limiter" not in ext:
        ext["limiter"] = MovingWindowRateLimiter(
            storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"]))
    return ext["limiter"]


def allowed(rule: str, *key: str) -> bool:
    """True while `key` is within `rule` (e.g. "5 per hour"); counts nothing."""
    return limiter().test(parse(rule), *key)


def count(rule: str, *key: str) -> None:
    """Count one event against `key`."""
    limiter().hit(parse(rule), *key)


def reset_limits() -> None:
    """Forget every count (tests, or an admin after an incident)."""
    limiter().storage.reset()
