"""The one clock the service reads (SPEC §9 "any day"), and the county's today and months.

Everything that needs the time asks here: routes for "now" and the county's today, model
defaults and history versions for their stamps, tokens for their lifetime. A running service
reads the system's time; a test installs a clock it sets (tests/clock.py), so the suite passes
on any date and a test that needs "the last minute of October" sets the clock to it instead of
back-dating rows.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


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


def county_zone() -> ZoneInfo:
    """The configured county time zone."""
    return ZoneInfo(current_app.config["COUNTY_TIMEZONE"])


def county_today() -> date:
    """The date now in the county."""
    return utcnow().astimezone(county_zone()).date()
