"""Pairing rules R1–R4 (SPEC §3) as plain decisions.

The database backs R1–R3 so two clerks at once cannot break them: a partial unique index allows
one active pairing per household (R2), and a trigger on pairings re-checks the cadre's quota
(R1, under a row lock on the cadre in PostgreSQL; SQLite writes one at a time) and that the
cadre's unit holds the village (R3). The service maps those refusals to the same exceptions.
"""

from datetime import date

from service.cadres.rules import household_quota
from service.exceptions import Conflict, Forbidden
from service.labels.table import word
from service.messages import _

# R4: which difficulty each rank takes on (县级领导 → 难度最大, 乡科级 → 较大, 一般干部 → 较小).
DIFFICULTY_FOR_RANK = {
    "county_level": "hardest",
    "section_chief": "harder",
    "deputy_section_chief": "harder",
    "general": "easier",
}


class QuotaExceeded(Conflict):
    code, title = "quota_exceeded", _("The cadre's household quota is full (R1)")

    def __init__(self, cadre_id: int, quota: int, active: int):
        super().__init__(_("Cadre %(cadre_id)s already links %(active)s of %(quota)s "
                           "households.", cadre_id=cadre_id, active=active, quota=quota),
                         cadre_id=cadre_id, quota=quota, active=active)


class HouseholdAlreadyPaired(Conflict):
    code, title = "household_already_paired", _("The household already has a cadre (R2)")

    def __init__(self, household_id: int, cadre_id: int | None = None):
        super().__init__(_("Household %(household_id)s already has an active pairing.",
                           household_id=household_id),
                         household_id=household_id, current_cadre_id=cadre_id)


class VillageNotHeldByUnit(Conflict):
    code, title = ("village_not_held_by_unit",
                   _("The cadre's unit does not hold this village (R3)"))

    def __init__(self, unit_id: int, village_id: int):
        super().__init__(_("Unit %(unit_id)s does not hold village %(village_id)s.",
                           unit_id=unit_id, village_id=village_id),
                         unit_id=unit_id, village_id=village_id)


class DifficultyMismatch(Conflict):
    code, title = "difficulty_mismatch", _("Rank and household difficulty do not match (R4)")

    def __init__(self, rank: str, difficulty: str):
        super().__init__(
            _("A cadre of rank %(rank)s links households of difficulty %(expected)s, not "
              "%(difficulty)s; a county admin may override with override_reason.",
              rank=word("rank", rank), expected=word("difficulty", DIFFICULTY_FOR_RANK[rank]),
              difficulty=word("difficulty", difficulty)),
            rank=rank, difficulty=difficulty, expected=DIFFICULTY_FOR_RANK[rank])


class PairingAlreadyEnded(Conflict):
    code, title = "pairing_already_ended", _("The pairing has already ended")


class ActivePairingsRemain(Conflict):
    code, title = "active_pairings_remain", _("Active pairings would be left behind")


def check_override_allowed(role: str, override_reason: str | None) -> None:
    """R4: only a county admin may pair across difficulty with an override reason."""
    if override_reason and role != "county_admin":
        raise Forbidden(_("Only a county admin may override difficulty matching (R4)."))


def check_quota(cadre_id: int, rank: str, active: int) -> None:
    """R1: one more pairing must fit within the rank's quota."""
    quota = household_quota(rank)
    if active >= quota:
        raise QuotaExceeded(cadre_id, quota, active)


def check_handover_quota(cadre_id: int, rank: str, active: int, moving: int) -> None:
    """R1 for a handover: everything moving must fit in the receiver's free quota at once."""
    quota = household_quota(rank)
    if active + moving > quota:
        raise QuotaExceeded(cadre_id, quota, active)


def check_rank_change(cadre_id: int, rank: str, active: int) -> None:
    """R1 when a cadre's rank changes: the new rank's quota must still hold its households."""
    quota = household_quota(rank)
    if active > quota:
        raise QuotaExceeded(cadre_id, quota, active)


def check_difficulty(rank: str, difficulty: str, override_reason: str | None) -> None:
    """R4: the difficulty must match the rank unless an override reason is given."""
    if DIFFICULTY_FOR_RANK[rank] != difficulty and not override_reason:
        raise DifficultyMismatch(rank, difficulty)


def needs_override(rank: str, difficulty: str) -> bool:
    """True when R4 would refuse this match without an override."""
    return DIFFICULTY_FOR_RANK[rank] != difficulty


def in_force_on(pairings: list, day: date):
    """The pairing among these (one household's) in force on `day`, or None."""
    for p in pairings:
        if p.started_on <= day and (p.ended_on is None or day <= p.ended_on):
            return p
    return None


def in_force_or_last(pairings: list, day: date):
    """For a report of a span: the pairing among these (one household's, in order) in force on
    `day`, else the last of them (for a day none of them covers); None when there are none."""
    return in_force_on(pairings, day) or (pairings[-1] if pairings else None)
