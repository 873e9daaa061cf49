"""Today and this month in the county's time zone (SPEC §4: months are county-local)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def county_zone() -> ZoneInfo:
    """The configured county time zone."""
    return ZoneInfo(current_app.config["COUNTY_TIMEZONE"])


def county_today() -> date:
    """The date now in the county."""
    return datetime.now(county_zone()).date()
