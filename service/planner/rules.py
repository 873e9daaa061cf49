"""The pairing planner's rules (SPEC §14): which cadres may take which households (R1–R4,
no overrides), and which cadres' skills meet which households' needs.

Skills ↔ needs follow doc 003 (seeds/003_778d26fe392b602e.txt, line 27): 要文化程度高的联系
文化程度低的，政策精通的去培训，擅长演讲的去宣传，组织能力强的攻克大项目，有特长的传授技能，
从事法律工作的为群众普法. A cadre's skills are free text (特长, entered by each unit); they are
read into the kinds below by the words they contain. Flask-free and database-free.
"""

from service.cadres.rules import free_places
from service.pairings.rules import DIFFICULTY_FOR_RANK

# The kinds of skill the planner knows, the words that name them in a cadre's 特长, and the
# needs (service/households/rules.py NEEDS) each one meets, with doc 003's phrase for it.
SKILL_KINDS: dict[str, tuple[tuple[str, ...], frozenset[str], str]] = {
    # 有特长的传授技能: a trade passed on — training, the large grower, the low income.
    "farming": (("种植", "农业", "果树", "蔬菜", "农技"),
                frozenset({"skills_training", "large_grower", "low_income"}), "有特长的传授技能"),
    "husbandry": (("养殖", "畜牧", "兽医"),
                  frozenset({"skills_training", "large_grower", "low_income"}),
                  "有特长的传授技能"),
    "machinery": (("农机", "维修", "机械"), frozenset({"skills_training", "unemployed_labor"}),
                  "有特长的传授技能"),
    "construction": (("建筑", "施工", "工程"), frozenset({"unemployed_labor", "skills_training"}),
                     "有特长的传授技能"),
    # 政策精通的去培训: policy explained and training organised.
    "policy": (("政策", "党建", "扶贫"), frozenset({"skills_training", "low_income"}),
               "政策精通的去培训"),
    # 组织能力强的攻克大项目: ventures and large projects.
    "organising": (("组织", "管理", "项目", "招商"),
                   frozenset({"entrepreneurship", "large_grower", "college_grad_official"}),
                   "组织能力强的攻克大项目"),
    "commerce": (("电商", "销售", "营销", "财务", "会计", "金融"),
                 frozenset({"entrepreneurship", "college_grad_official", "low_income"}),
                 "组织能力强的攻克大项目"),
    # 从事法律工作的为群众普法: wages owed, labour contracts.
    "law": (("法律", "律师", "司法", "普法", "调解"), frozenset({"unemployed_labor"}),
            "从事法律工作的为群众普法"),
    # 要文化程度高的联系文化程度低的: a child back to school.
    "education": (("教育", "教师", "教学", "文化"), frozenset({"school_dropout"}),
                  "要文化程度高的联系文化程度低的"),
    # 擅长演讲的去宣传: explaining and persuading — work found, a child back to school.
    "speaking": (("演讲", "宣传", "宣讲"), frozenset({"unemployed_labor", "school_dropout"}),
                 "擅长演讲的去宣传"),
}


def skill_kinds(skills: list[str] | None) -> frozenset[str]:
    """The kinds of skill a cadre's free-text 特长 name (none when nothing is recognised)."""
    found = set()
    for skill in skills or []:
        for kind, (words, _needs, _source) in SKILL_KINDS.items():
            if any(word in skill for word in words):
                found.add(kind)
    return frozenset(found)


def needs_met(kinds: frozenset[str]) -> frozenset[str]:
    """Every need a cadre with these kinds of skill can meet."""
    met: set[str] = set()
    for kind in kinds:
        met |= SKILL_KINDS[kind][1]
    return frozenset(met)


def matches(kinds: frozenset[str], needs: frozenset[str]) -> int:
    """How many of a household's needs the cadre's skills meet (the planner's second aim)."""
    return len(needs_met(kinds) & needs)


def difficulty_for(rank: str) -> str:
    """R4: the difficulty of the households a cadre of this rank takes."""
    return DIFFICULTY_FOR_RANK[rank]


def free_quota(rank: str, active: int) -> int:
    """R1: how many more households the cadre may take (cadres.rules.free_places)."""
    return free_places(rank, active)


# Why a household is left without a cadre.
NO_UNIT = "no_unit_holds_the_village"
NO_CADRE = "no_cadre_of_the_matching_rank_with_free_quota"
REASONS = (NO_UNIT, NO_CADRE)  # labelled in the one table as uncovered_reason
