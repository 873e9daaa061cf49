"""The first days of the test clock's month and the two before it, for tests about finished
months (tests/clock.py: NOW is the time every test starts at)."""

from datetime import date, timedelta

from tests.clock import CST, NOW


def first_of(day: date) -> date:
    return day.replace(day=1)


THIS_FIRST = first_of(NOW.astimezone(CST).date())
LAST_FIRST = first_of(THIS_FIRST - timedelta(days=1))
PREV_FIRST = first_of(LAST_FIRST - timedelta(days=1))
