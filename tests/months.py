"""The first days of this county month and the two before it, for tests about finished months."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")


def first_of(day: date) -> date:
    return day.replace(day=1)


THIS_FIRST = first_of(datetime.now(CST).date())
LAST_FIRST = first_of(THIS_FIRST - timedelta(days=1))
PREV_FIRST = first_of(LAST_FIRST - timedelta(days=1))
