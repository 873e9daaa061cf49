"""Cadre ranks and the household quota they carry (SPEC §1, R1)."""

from service.exceptions import Conflict

RANKS = ("county_level", "section_chief", "deputy_section_chief", "general")

RANK_LABELS = {
    "county_level": "县级领导",
    "section_chief": "正科级",
    "deputy_section_chief": "副科级",
    "general": "一般干部",
}


def household_quota(rank: str) -> int:
    """Deputy section chief (副科级) and above link 2 households; ordinary cadres link 1."""
    if rank not in RANKS:
        raise ValueError(f"unknown rank {rank!r}")
    return 1 if rank == "general" else 2


class CadreIsUnitHead(Conflict):
    code, title = "cadre_is_unit_head", "The cadre heads its unit"
