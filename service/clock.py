"""The one clock the service reads (SPEC §9 "any day").

Everything that needs the time asks here, directly or through a context's CountyClock
(service/context.py): services for "now" and the county's today, model defaults and history
versions for their stamps, tokens for their lifetime. A running service reads the system's
time; a test installs a clock it sets (tests/clock.py), so the suite passes on any date and a
test that needs "the last minute of October" sets the clock to it instead of back-dating rows.
"""

from datetime import UTC, datetime


class Clock:
    """The system's time."""

    def now(self) -> datetime:
        """An aware time in UTC."""
        return datetime.now(UTC)


_clock: Clock = Clock()


def install(clock: Clock) -> Clock:
    """Make `clock` the one every part of the service reads; returns the one it replaces."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return _clock.now()
