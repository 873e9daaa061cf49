"""Household values: difficulty, needs and the resident ID check (GB 11643)."""

import re
from datetime import date

from service.messages import _

DIFFICULTIES = ("hardest", "harder", "easier")
NEEDS = (
    "low_income",
    "school_dropout",
    "unemployed_labor",
    "entrepreneurship",
    "skills_training",
    "large_grower",
    "college_grad_official",
)

# The bounds of a household's numbers, for the API's schemas and the roster import alike.
MEMBERS_MIN, MEMBERS_MAX = 1, 30
INCOME_MAX = 10_000_000  # yuan per person per year
HEAD_NAME_MAX = 50

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# Whole-value patterns, written alike for Python (fullmatch) and ECMA-262 (the spec's pattern).
ID_SHAPE = r"^[0-9]{17}[0-9Xx]$"  # as sent; stored with a capital X
MOBILE = r"^1[3-9][0-9]{9}$"
_STORED_ID = re.compile(r"[0-9]{17}[0-9X]")


def id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits."""
    return _CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number_problem(value: str, today: date) -> str | None:
    """Why an 18-character resident ID is invalid, or None when it is valid."""
    if not _STORED_ID.fullmatch(value):
        return _("must be 17 digits followed by a digit or X")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("birth date inside the ID number is not a real date")
    if born > today or born.year < 1900:
        return _("birth date inside the ID number is out of range")
    if id_check_char(value[:17]) != value[17]:
        return _("check digit does not match (GB 11643)")
    return None


def mask_id_number(value: str) -> str:
    """Keep the region prefix and the last four characters."""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    return value[:3] + "****" + value[-4:] if len(value) >= 7 else "****"
