"""Visits (走访/民情日记): direct contact (R8) and the flags a supervisor sees (SPEC §5)."""

import math
from datetime import datetime, timedelta

from service.exceptions import Conflict, DomainError
from service.messages import _

KINDS = ("home_visit", "stay_overnight", "shared_labor", "heart_to_heart", "reception", "phone")
FLAGS = ("late_entry", "far_from_village", "duplicate_suspect", "night_time", "too_many_today")
LATE_AFTER = timedelta(days=7)
DUPLICATE_WITHIN = timedelta(hours=1)
MAX_DIRECT_PER_DAY = 8
CORRECTION_WINDOW = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=5)
# Wrong card codes one cadre may type before lookups are refused for a while.
WRONG_CARD_LIMIT = "5 per hour"


class CorrectionWindowClosed(Conflict):
    code, title = "correction_window_closed", _("Visits can be corrected for 24 hours")


class TooManyWrongCards(DomainError):
    status, code, title = 429, "too_many_wrong_cards", _("Too many wrong card codes")


def check_correction_window(now: datetime, received_at: datetime) -> None:
    """A visit is corrected by its cadre within 24 hours of reaching the service."""
    if now - received_at > CORRECTION_WINDOW:
        raise CorrectionWindowClosed(_("The 24 hours for corrections have passed."))


def is_direct(kind: str) -> bool:
    """R8: a phone call is logged but never counts as direct contact."""
    return kind != "phone"


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def flags_for(*, visited_at: datetime, received_at: datetime, local_hour: int,
              far_km: float | None, max_km: float, same_household_times: list[datetime],
              direct_today: int, direct: bool) -> list[str]:
    """Flags for one visit. `same_household_times`: the cadre's other visits to the household;
    `direct_today`: the cadre's other direct visits that local day."""
    flags = []
    if received_at - visited_at > LATE_AFTER:
        flags.append("late_entry")
    if far_km is not None and far_km > max_km:
        flags.append("far_from_village")
    if any(abs(t - visited_at) < DUPLICATE_WITHIN for t in same_household_times):
        flags.append("duplicate_suspect")
    if local_hour >= 22 or local_hour < 6:
        flags.append("night_time")
    if direct and direct_today + 1 > MAX_DIRECT_PER_DAY:
        flags.append("too_many_today")
    return flags
