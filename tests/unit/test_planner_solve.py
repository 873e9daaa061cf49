"""The pairing planner's solver (SPEC §14), on hand-built counties and on random small ones
against a brute-force optimum: it never breaks R1–R4, covers as many households as can be
covered, then meets as many needs with skills as can be met, then keeps a cadre's households
in one village; every household it leaves says why."""

import itertools
import random

from service.planner import rules
from service.planner.solve import Candidate, Needy, solve

L, S = frozenset({"law"}), frozenset({"farming"})


def cadre(id_, unit=1, rank="general", free=1, kinds=frozenset(), villages=frozenset()):
    return Candidate(id_, unit, rank, free, frozenset(kinds), frozenset(villages))


def household(id_, village=10, unit=1, difficulty="easier", needs=()):
    return Needy(id_, village, unit, difficulty, frozenset(needs))


def pairs(plan) -> dict[int, int]:
    return {p.household_id: p.cadre_id for p in plan.pairings}


def test_skills_decide_where_the_first_fitting_cadre_would_be_wrong():
    """Cadre 1 (law and farming) fits both households, cadre 2 (farming) only the first: the
    first-come choice (cadre 1 for household 1) meets one need; the plan meets both."""
    cadres = [cadre(1, kinds={"law", "farming"}), cadre(2, kinds={"farming"})]
    households = [household(1, needs={"skills_training"}),
                  household(2, needs={"unemployed_labor"})]
    plan = solve(cadres, households)
    assert pairs(plan) == {1: 2, 2: 1}
    assert plan.needs_met == 2 and plan.uncovered == []
    assert {p.household_id: p.needs_met for p in plan.pairings} == {
        1: ("skills_training",), 2: ("unemployed_labor",)}


def test_r3_and_r4_leave_households_uncovered_with_their_reason():
    cadres = [cadre(1, unit=1, rank="general"), cadre(2, unit=2, rank="county_level", free=2)]
    households = [household(1, unit=1, difficulty="easier"),
                  household(2, unit=1, difficulty="hardest"),   # unit 1 has no county leader
                  household(3, unit=None, difficulty="easier"),  # no unit holds the village
                  household(4, unit=1, difficulty="easier"),     # cadre 1's one slot is used
                  household(5, unit=2, difficulty="hardest")]
    plan = solve(cadres, households)
    assert pairs(plan) in ({1: 1, 5: 2}, {4: 1, 5: 2})
    assert dict(plan.uncovered)[2] == rules.NO_CADRE
    assert dict(plan.uncovered)[3] == rules.NO_UNIT
    assert len(plan.uncovered) == 3


def test_a_cadres_two_households_are_kept_in_one_village():
    cadres = [cadre(1, rank="section_chief", free=2), cadre(2, rank="section_chief", free=1)]
    households = [household(1, village=10, difficulty="harder"),
                  household(2, village=20, difficulty="harder"),
                  household(3, village=10, difficulty="harder")]
    plan = solve(cadres, households)
    assert pairs(plan) == {1: 1, 3: 1, 2: 2}


def test_a_cadre_with_households_already_takes_one_in_its_village():
    cadres = [cadre(1, free=1, villages={20}), cadre(2, free=1, villages={10})]
    plan = solve(cadres, [household(1, village=10), household(2, village=20)])
    assert pairs(plan) == {1: 2, 2: 1}


def test_free_quota_and_skill_kinds_follow_the_rules():
    assert rules.free_quota("general", 0) == 1 and rules.free_quota("general", 1) == 0
    assert rules.free_quota("deputy_section_chief", 1) == 1
    assert rules.skill_kinds(["法律咨询", "果树种植", "跳舞"]) == {"law", "farming"}
    assert rules.matches(frozenset({"law"}), frozenset({"unemployed_labor", "low_income"})) == 1


RANKS = ("county_level", "section_chief", "deputy_section_chief", "general")
NEEDS = ("low_income", "school_dropout", "unemployed_labor", "skills_training")
KINDS = ("law", "farming", "education", "commerce")


def brute_force(cadres, households) -> tuple[int, int]:
    """The best (covered, needs met) over every assignment that keeps R1–R4."""
    options = []
    for h in households:
        fits = [c for c in cadres if c.unit_id == h.unit_id and h.unit_id is not None
                and rules.difficulty_for(c.rank) == h.difficulty]
        options.append([None, *fits])
    best = (0, 0)
    for choice in itertools.product(*options):
        used: dict[int, int] = {}
        for c in choice:
            if c is not None:
                used[c.id] = used.get(c.id, 0) + 1
        if any(n > next(c.free for c in cadres if c.id == cid) for cid, n in used.items()):
            continue
        covered = sum(c is not None for c in choice)
        met = sum(rules.matches(c.kinds, h.needs) for c, h in zip(choice, households, strict=True)
                  if c is not None)
        best = max(best, (covered, met))
    return best


def test_random_small_counties_match_the_brute_force_optimum_and_keep_the_rules():
    rng = random.Random(14)
    for _ in range(250):
        cadres = []
        for n in range(rng.randint(0, 4)):
            rank = rng.choice(RANKS)
            cadres.append(cadre(n + 1, unit=rng.randint(1, 2), rank=rank,
                                free=rules.free_quota(rank, rng.randint(0, 1)),
                                kinds=frozenset(rng.sample(KINDS, rng.randint(0, 2)))))
        households = [household(n + 1, village=rng.choice((10, 20, 30)),
                                unit=rng.choice((1, 2, None)),
                                difficulty=rng.choice(("hardest", "harder", "easier")),
                                needs=rng.sample(NEEDS, rng.randint(0, 2)))
                      for n in range(rng.randint(0, 6))]
        plan = solve(cadres, households)
        assert (len(plan.pairings), plan.needs_met) == brute_force(cadres, households)
        by_id = {c.id: c for c in cadres}
        taken: dict[int, int] = {}
        for p in plan.pairings:
            c, h = by_id[p.cadre_id], next(x for x in households if x.id == p.household_id)
            assert c.unit_id == h.unit_id  # R3
            assert rules.difficulty_for(c.rank) == h.difficulty  # R4
            taken[c.id] = taken.get(c.id, 0) + 1
        assert all(n <= by_id[cid].free for cid, n in taken.items())  # R1
        households_planned = [p.household_id for p in plan.pairings]
        assert len(households_planned) == len(set(households_planned))  # R2
        assert sorted(households_planned + [h for h, _ in plan.uncovered]) == sorted(
            h.id for h in households)  # every household planned or explained
