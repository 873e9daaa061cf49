"""The annual evaluation of cadres (doc 003 line 33: contact work is a basis for promotion) as
plain rules: the three failure patterns of §1 measured from dated events, and the score."""

import functools
from datetime import date, timedelta

# What counts as each pattern; kept here so the report and its tests agree.
BEFORE_INSPECTION_DAYS = 7  # a visit this many days before an inspection of the village
MONTH_END_DAYS = 3  # the month's last days, when reports are due
AFTER_DEMAND_DAYS = 7  # a visit this soon after the household came asking
MIN_VISITS = 4  # fewer direct visits than this are too few to call a pattern
BUNCHED_SHARE = 0.5
DEMAND_LED_SHARE = 0.6
MAX_GAP_DAYS = 60

DEFAULT_WEIGHTS = {"visits": 0.4, "tasks": 0.2, "demands": 0.2, "inspections": 0.2,
                   "pattern_penalty": 0.1}


@functools.lru_cache(maxsize=4096)  # a year of visits has ~365 distinct days, a county millions
def is_month_end(day: date) -> bool:
    """One of the month's last MONTH_END_DAYS days."""
    return (day + timedelta(days=MONTH_END_DAYS)).month != day.month


def bunched(visit_days: list[date], inspection_days: list[date]) -> dict:
    """Visits bunched just before inspections of the village or at month end (visiting only
    when pushed)."""
    near = {d for d in set(visit_days) if any(
        0 < (i - d).days <= BEFORE_INSPECTION_DAYS for i in inspection_days)}
    before = sum(1 for d in visit_days if d in near)
    month_end = sum(1 for d in visit_days if is_month_end(d))
    either = sum(1 for d in visit_days if d in near or is_month_end(d))
    share = either / len(visit_days) if visit_days else 0.0
    return {"before_inspection": before, "at_month_end": month_end, "share": round(share, 4),
            "found": len(visit_days) >= MIN_VISITS and share >= BUNCHED_SHARE}


def demand_led(visit_days: list[date], asked_days: list[date]) -> dict:
    """Visits that follow, within days, the household coming to ask (visiting only when the
    household comes asking)."""
    after = {d for d in set(visit_days) if any(
        0 <= (d - a).days <= AFTER_DEMAND_DAYS for a in asked_days)}
    following = sum(1 for d in visit_days if d in after)
    share = following / len(visit_days) if visit_days else 0.0
    return {"after_demand": following, "share": round(share, 4),
            "found": len(visit_days) >= 1 and bool(asked_days) and share >= DEMAND_LED_SHARE
            and following >= 2}


def longest_gap(periods: list[tuple[date, date, list[date]]]) -> dict:
    """The longest stretch without a direct visit inside any paired period (start, end, visit
    days), counted from the period's start and to its end."""
    longest = 0
    for start, end, days in periods:
        marks = [start, *sorted(d for d in days if start <= d <= end), end]
        longest = max([longest] + [(b - a).days for a, b in zip(marks, marks[1:], strict=False)])
    return {"longest_gap_days": longest, "found": longest > MAX_GAP_DAYS}


def score(parts: dict[str, float | None], patterns_found: int, weights: dict) -> dict:
    """A 0–100 score: the weighted mean of the parts present (each 0–1), less a penalty per
    pattern found; every part is shown with its weight and points."""
    present = {k: v for k, v in parts.items() if v is not None}
    total_weight = sum(weights[k] for k in present)
    shown = {}
    for name, value in parts.items():
        weight = weights[name]
        points = (None if value is None or total_weight == 0
                  else round(100 * value * weight / total_weight, 1))
        shown[name] = {"value": value, "weight": weight, "points": points}
    penalty = round(100 * weights["pattern_penalty"] * patterns_found, 1)
    base = sum(p["points"] for p in shown.values() if p["points"] is not None)
    shown["patterns"] = {"value": patterns_found, "weight": weights["pattern_penalty"],
                         "points": -penalty}
    return {"score": max(0.0, round(base - penalty, 1)), "parts": shown}


def rank(rows: list[dict], group_key: str, rank_key: str) -> None:
    """Number rows by score (highest first, then name) within each group."""
    groups: dict = {}
    for row in rows:
        groups.setdefault(row[group_key], []).append(row)
    for members in groups.values():
        members.sort(key=lambda r: (-r["score"], r["cadre"], r["cadre_id"]))
        for place, row in enumerate(members, start=1):
            row[rank_key] = place
