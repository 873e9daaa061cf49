"""The clock the suite sets instead of reading the wall clock (SPEC §9 "any day").

The service reads the time only through service/clock.py; conftest installs CLOCK there for the
whole session and sets it to NOW before each test (the `clock` fixture). NOW is `TEST_NOW` from
the environment (an ISO time with its offset), else DEFAULT_NOW. A test that talks about
particular days sets the clock to them (`clock.set`, or `with clock.at(...)` to make one record
at its moment); a test that talks about "today" or "this month" reads them from the clock, and
.ci/run runs the suite under several far-apart days (DAYS there). Module constants derived from
NOW are as safe as the fixture: both read the same value.
"""

import contextlib
import os
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from service.clock import Clock

CST = ZoneInfo("Asia/Shanghai")
DEFAULT_NOW = "2026-12-01T10:00:00+08:00"


def parse(text: str) -> datetime:
    """An aware time from ISO text; a bare date means 10:00 county time that day."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(10), CST)
    at = datetime.fromisoformat(text)
    if at.tzinfo is None:
        raise ValueError(f"TEST_NOW needs an offset: {text!r}")
    return at


NOW = parse(os.environ.get("TEST_NOW") or DEFAULT_NOW)
# When the `world` fixture is built: its assignments and pairings start that day, and it stands
# as built since then (history versions included). Records "there since January" use it too.
WORLD_BUILT = parse("2026-01-01T09:00:00+08:00")


class TestClock(Clock):
    """A clock a test sets. Each reading is one microsecond after the previous one, so stamps
    taken in one test still come in order (history versions, sync cursors), and racing threads
    share it safely."""

    __test__ = False  # not a test class for pytest

    def __init__(self, at: datetime = NOW):
        self._lock = threading.Lock()
        self._at = at

    def now(self) -> datetime:
        with self._lock:
            at = self._at
            self._at += timedelta(microseconds=1)
        return at.astimezone(UTC)

    def set(self, at: datetime | date | str) -> datetime:
        """Move to a time (a date means 10:00 county time that day); returns it."""
        if isinstance(at, str):
            at = parse(at)
        elif not isinstance(at, datetime):
            at = datetime.combine(at, time(10), CST)
        if at.tzinfo is None:
            raise ValueError("pass an aware time")
        with self._lock:
            self._at = at
        return at

    @contextlib.contextmanager
    def at(self, when: datetime | date | str):
        """Within the block the clock stands at `when`; afterwards it is back where it was."""
        with self._lock:
            was = self._at
        self.set(when)
        try:
            yield self
        finally:
            with self._lock:
                self._at = was

    def advance(self, delta: timedelta | None = None, **kwargs) -> datetime:
        """Move forward by a timedelta (or timedelta's keyword arguments); returns the time."""
        with self._lock:
            self._at += delta if delta is not None else timedelta(**kwargs)
            return self._at

    def local(self) -> datetime:
        """Now in the county (Asia/Shanghai)."""
        return self.now().astimezone(CST)

    def today(self) -> date:
        """Today in the county."""
        return self.local().date()

    def month(self) -> str:
        """This county month, YYYY-MM."""
        return self.today().strftime("%Y-%m")


# The suite's one clock: conftest installs it for the session and sets it to NOW before each
# test (the `clock` fixture); helpers that are not fixtures read it here.
CLOCK = TestClock()
