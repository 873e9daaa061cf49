"""Plain date helpers shared by rules and services."""

import calendar
from datetime import date

# The days a county record can have. Outside them nothing is real, and arithmetic near
# Python's own limits (year 1, year 9999) would overflow: such values are a 422, never a 500.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a YYYY-MM month."""
    year, mon = (int(x) for x in month.split("-"))
    return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])
