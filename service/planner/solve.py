"""The pairing planner's solver (SPEC §14): which cadre takes which household.

The rules split a county into independent groups: a household may only go to a cadre of the
unit holding its village (R3) whose rank matches its difficulty (R4), within the cadre's free
quota (R1), one cadre per household (R2). Inside a group every cadre may take every
household, so the plan is, lexicographically:

1. as many households covered as the group's free quota allows;
2. among those, the most needs met by the cadres' skills;
3. among those, the fewest cadres whose households (held ones counted) lie in more than one
   village.

Without the third aim this is a transportation problem (a min-cost flow); the third is not a
flow — a cadre's second household in its first's village gains only in pairs — so each group
is one integer programme, solved to optimality by SciPy's HiGHS: households of each pool
(same needs, same village) to each kind of cadre (same needs met, free places and held
villages), weighted so that one more household covered outweighs every need and every split
together, and one more need met outweighs every split. The programme is small however many
households a pool holds.

R1 gives a cadre one or two places, so a cadre with two free places holds none yet.

Database-free: the service gathers Candidates and Needy households and stores the Plan.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from service.planner import rules


@dataclass(frozen=True)
class Candidate:
    """A cadre with free quota."""

    id: int
    unit_id: int
    rank: str
    free: int
    kinds: frozenset[str] = frozenset()
    villages: frozenset[int] = frozenset()  # where its current households are


@dataclass(frozen=True)
class Needy:
    """A household that needs a cadre."""

    id: int
    village_id: int
    unit_id: int | None  # the unit holding the village, None when none does
    difficulty: str
    needs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Proposal:
    cadre_id: int
    household_id: int
    village_id: int
    rank: str
    difficulty: str
    needs_met: tuple[str, ...]


@dataclass
class Plan:
    pairings: list[Proposal] = field(default_factory=list)
    uncovered: list[tuple[int, str]] = field(default_factory=list)

    @property
    def needs_met(self) -> int:
        return sum(len(p.needs_met) for p in self.pairings)


def solve(cadres: list[Candidate], households: list[Needy]) -> Plan:
    """The plan for these households from these cadres (see the module's doc)."""
    plan = Plan()
    pools: dict[tuple, list[Candidate]] = defaultdict(list)
    for cadre in cadres:
        if cadre.free > 0:
            pools[(cadre.unit_id, rules.difficulty_for(cadre.rank))].append(cadre)
    groups: dict[tuple, list[Needy]] = defaultdict(list)
    for household in sorted(households, key=lambda h: h.id):
        if household.unit_id is None:
            plan.uncovered.append((household.id, rules.NO_UNIT))
        else:
            groups[(household.unit_id, household.difficulty)].append(household)
    for key in sorted(groups):
        _solve_group(pools.get(key, []), groups[key], plan)
    plan.uncovered.sort()
    return plan


def _solve_group(cadres: list[Candidate], households: list[Needy], plan: Plan) -> None:
    if not cadres:
        plan.uncovered.extend((h.id, rules.NO_CADRE) for h in households)
        return
    kinds: dict[_Kind, list[Candidate]] = defaultdict(list)
    for cadre in sorted(cadres, key=lambda c: c.id):
        kinds[_Kind.of(cadre)].append(cadre)
    pools: dict[tuple, list[Needy]] = defaultdict(list)  # (needs, village) -> households
    for household in households:
        pools[(household.needs, household.village_id)].append(household)
    counts = _best_counts(kinds, pools)
    placed = _hand_out(kinds, pools, counts, plan)
    plan.uncovered.extend((h.id, rules.NO_CADRE) for h in households if h.id not in placed)


@dataclass(frozen=True)
class _Kind:
    """Cadres the plan cannot tell apart: the needs their skills meet, their free quota, the
    villages of the households they hold."""

    meets: frozenset[str]
    free: int
    home: frozenset[int]

    @classmethod
    def of(cls, cadre: Candidate) -> "_Kind":
        if cadre.free > 2 or (cadre.free == 2 and cadre.villages):
            raise ValueError("R1: a cadre takes at most two households")
        return cls(rules.needs_met(cadre.kinds), cadre.free, cadre.villages)

    def split_by(self, village: int) -> bool:
        """Whether a cadre of this kind with one free place is split by a household there."""
        return bool(self.home) and bool(self.home - {village})


def _best_counts(kinds: dict[_Kind, list[Candidate]], pools: dict[tuple, list[Needy]]
                 ) -> dict[tuple[_Kind, tuple], int]:
    """How many households of each pool each kind of cadre takes, best by the three aims.

    x[k, p]: households of pool p to cadres of kind k (at most its free places, R1; a
    household to one cadre, R2). For a kind with two free places and m cadres, w[k, v] of
    them take two households of village v, and s[k] >= sum(x[k]) - sum(w[k]) - m take two in
    different villages (the rest take one each). A cadre with one free place and a household
    held elsewhere is split by any household it takes outside that village. Minimise
    splits - per_need * needs met - per_household * covered: the weights make the aims
    lexicographic (a need met is worth more than every split there could be; a household
    covered more than every need and split)."""
    order = list(kinds)
    pool_keys = list(pools)
    villages = sorted({v for _, v in pool_keys})
    columns: list[tuple] = [("x", k, p) for k in order for p in pool_keys]
    columns += [("w", k, v) for k in order if k.free == 2 for v in villages]
    columns += [("s", k) for k in order if k.free == 2]
    at = {c: i for i, c in enumerate(columns)}
    cost = np.zeros(len(columns))
    upper = np.zeros(len(columns))
    per_need = sum(len(m) for m in kinds.values()) + 1  # > every cadre split
    # > per_need * every need of every household + every cadre split
    per_household = per_need * (sum(len(p[0]) * len(hs) for p, hs in pools.items()) + 1)
    for k in order:
        m = len(kinds[k])
        for p in pool_keys:
            upper[at[("x", k, p)]] = min(len(pools[p]), k.free * m)
            cost[at[("x", k, p)]] = (k.free == 1 and k.split_by(p[1])) - per_household \
                - per_need * len(k.meets & p[0])
        if k.free == 2:
            cost[at[("s", k)]] = 1
            upper[at[("s", k)]] = m
            for v in villages:
                upper[at[("w", k, v)]] = m
    entries: list[tuple[int, int, float]] = []  # (row, column, coefficient)
    lower_b: list[float] = []
    upper_b: list[float] = []

    def row(coefficients: dict, low: float, high: float) -> None:
        entries.extend((len(lower_b), at[column], value)
                       for column, value in coefficients.items() if value)
        lower_b.append(low)
        upper_b.append(high)

    for p in pool_keys:  # R2: a household takes one cadre
        row({("x", k, p): 1 for k in order}, 0, len(pools[p]))
    for k in order:  # R1: the kind's free places
        m = len(kinds[k])
        row({("x", k, p): 1 for p in pool_keys}, 0, k.free * m)
        if k.free == 2:
            for v in villages:  # a pair in village v takes two of its households
                row({("w", k, v): 2, **{("x", k, p): -1 for p in pool_keys if p[1] == v}},
                    -np.inf, 0)
            row({**{("x", k, p): 1 for p in pool_keys}, **{("w", k, v): -1 for v in villages},
                 ("s", k): -1}, -np.inf, m)
    r, c, v = zip(*entries, strict=True)
    matrix = sparse.csr_array((v, (r, c)), shape=(len(lower_b), len(columns)))
    result = milp(cost, integrality=np.ones(len(columns)), bounds=Bounds(0, upper),
                  constraints=LinearConstraint(matrix, lower_b, upper_b),
                  options={"mip_rel_gap": 0})
    if not result.success:  # cannot be: x = 0 is feasible, the programme bounded, no limits
        raise RuntimeError(f"the planner's programme failed: {result.message}")
    values = np.rint(result.x).astype(int)
    return {(k, p): int(values[at[("x", k, p)]]) for k in order for p in pool_keys
            if values[at[("x", k, p)]]}


def _hand_out(kinds: dict[_Kind, list[Candidate]], pools: dict[tuple, list[Needy]],
              counts: dict[tuple[_Kind, tuple], int], plan: Plan) -> set[int]:
    """Give each kind's households to its cadres: one each first, then (cadres with two free
    places) a second to as few as must take one, from the village of their first wherever the
    programme found such pairs. The households of a pool go lowest id first."""
    left = {p: list(members) for p, members in pools.items()}
    placed: set[int] = set()
    for kind, cadres in kinds.items():
        taken: list[Needy] = []
        for p in pools:
            n = counts.get((kind, p), 0)
            taken += left[p][:n]
            del left[p][:n]
        doubled = max(0, len(taken) - len(cadres))
        by_village: dict[int, list[Needy]] = defaultdict(list)
        for household in taken:
            by_village[household.village_id].append(household)
        shares: list[list[Needy]] = []
        while len(shares) < doubled:  # pairs from one village, the fullest first
            village = max(by_village, key=lambda v: (len(by_village[v]), -v))
            if len(by_village[village]) < 2:
                break
            shares.append([by_village[village].pop(0), by_village[village].pop(0)])
        rest = sorted((h for hs in by_village.values() for h in hs), key=lambda h: h.id)
        while len(shares) < doubled:  # pairs across villages: the programme found no better
            shares.append([rest.pop(0), rest.pop(0)])
        shares += [[h] for h in rest]
        for cadre, share in zip(cadres, shares, strict=False):
            for household in share:
                placed.add(household.id)
                plan.pairings.append(Proposal(
                    cadre.id, household.id, household.village_id, cadre.rank,
                    household.difficulty, tuple(sorted(kind.meets & household.needs))))
    return placed
