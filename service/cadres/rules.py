"""Cadre ranks and the household quota they carry (SPEC §1, R1)."""

from service.exceptions import Conflict
from service.messages import _

RANKS = ("county_level", "section_chief", "deputy_section_chief", "general")

# A work phone: a mainland mobile, or a landline with its area code.
WORK_PHONE = r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$"
NAME_MAX = 50
SKILL_MAX, SKILLS_MAX = 30, 20  # characters in a skill, skills per cadre

def household_quota(rank: str) -> int:
    """Deputy section chief (副科级) and above link 2 households; ordinary cadres link 1."""
    if rank not in RANKS:
        raise ValueError(f"unknown rank {rank!r}")
    return 1 if rank == "general" else 2


def free_places(rank: str, active: int) -> int:
    """R1: how many more households the cadre may take."""
    return max(0, household_quota(rank) - active)


class CadreIsUnitHead(Conflict):
    code, title = "cadre_is_unit_head", _("The cadre heads its unit")
