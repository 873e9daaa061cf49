"""Plain date helpers shared by rules and services."""

import calendar
from datetime import date


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a YYYY-MM month."""
    year, mon = (int(x) for x in month.split("-"))
    return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])
