"""Counters of refusals (the `limits` library): failed logins per user and per client, wrong
card codes per cadre, card lookups per address. One limiter per storage (RATELIMIT_STORAGE_URI:
memory:// counts within a process, redis:// across processes and hosts); keys are namespaced by
their first part. No Flask: services pass their settings' storage URI."""

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

_LIMITERS: dict[str, MovingWindowRateLimiter] = {}


def limiter(storage_uri: str) -> MovingWindowRateLimiter:
    """The limiter counting in `storage_uri` (made once per process)."""
    if storage_uri not in _LIMITERS:
        _LIMITERS[storage_uri] = MovingWindowRateLimiter(storage_from_string(storage_uri))
    return _LIMITERS[storage_uri]


def allowed(storage_uri: str, rule: str, *key: str) -> bool:
    """True while `key` is within `rule` (e.g. "5 per hour"); counts nothing."""
    return limiter(storage_uri).test(parse(rule), *key)


def count(storage_uri: str, rule: str, *key: str) -> None:
    """Count one event against `key`."""
    limiter(storage_uri).hit(parse(rule), *key)


def reset_limits(storage_uri: str | None = None) -> None:
    """Forget every count (tests, or an admin after an incident); all storages when None."""
    for uri, each in list(_LIMITERS.items()):
        if storage_uri is None or uri == storage_uri:
            each.storage.reset()
