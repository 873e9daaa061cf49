"""The pairing planner's solver (SPEC §14): which cadre takes which household.

The rules split a county into independent groups: a household may only go to a cadre of the
unit holding its village (R3) whose rank matches its difficulty (R4), within the cadre's free
quota (R1), one cadre per household (R2). Inside a group every cadre may take every
household, so the plan is, lexicographically:

1. as many households covered as the group's free quota allows;
2. among those, the most needs met by the cadres' skills;
3. among those, the fewest cadres whose households (held ones counted) lie in more than one
   village.

The first two aims alone are a transportation problem (a min-cost flow); the third is not —
a cadre's second household in its first's village gains only in pairs — so each group is one
integer programme over counts (households of each pool, same needs and village, to each kind
of cadre, same needs met, free places and held villages), weighted so one more household
covered outweighs every need and every split together, and one more need met every split.
SciPy's HiGHS proves its optimum in milliseconds for almost every group (a second for fifty
cadres of two places); a group built to be hard for it (a hundred or more cadres of two places
and exactly as many households, over many villages) can take minutes. So the plan has a
budget of `seconds`. A group still unproven after its first try is planned safely: the
transportation problem's optimum (its linear programme is whole) gives the most households
and needs, and a second programme holding those two looks for fewer splits with the time left
(shared by the unproven groups). Its best found is kept, never fewer households or needs, and
the plan says it is not proven (`optimal`).

R1 gives a cadre one or two places, so a cadre with two free places holds none yet.

Database-free: the service gathers Candidates and Needy households and stores the Plan.
"""

import time
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
    optimal: bool = True  # False: some group's fewest split cadres is the best found, unproven

    @property
    def needs_met(self) -> int:
        return sum(len(p.needs_met) for p in self.pairings)


FIRST_TRY = 1.0  # seconds for each group's search before any group gets a second try


def solve(cadres: list[Candidate], households: list[Needy], seconds: float = 20.0) -> Plan:
    """The plan for these households from these cadres (see the module's doc). `seconds`
    bounds the search for the fewest cadres split across villages: every group gets up to
    FIRST_TRY, then the groups still unproven share what is left equally."""
    plan = Plan()
    deadline = time.monotonic() + seconds
    pools: dict[tuple, list[Candidate]] = defaultdict(list)
    for cadre in cadres:
        if cadre.free > 0:
            pools[(cadre.unit_id, rules.difficulty_for(cadre.rank))].append(cadre)
    by_key: dict[tuple, list[Needy]] = defaultdict(list)
    for household in sorted(households, key=lambda h: h.id):
        if household.unit_id is None:
            plan.uncovered.append((household.id, rules.NO_UNIT))
        else:
            by_key[(household.unit_id, household.difficulty)].append(household)
    groups = [_Group.of(pools.get(key, []), by_key[key]) for key in sorted(by_key)]
    for group in groups:
        group.first_try(min(FIRST_TRY, deadline - time.monotonic()))
    unproven = [group for group in groups if not group.proven]
    for n, group in enumerate(unproven):
        group.try_again((deadline - time.monotonic()) / (len(unproven) - n))
    for group in groups:
        group.hand_out(plan)
        plan.optimal &= group.proven
    plan.uncovered.sort()
    return plan


@dataclass
class _Group:
    """The households of one unit and difficulty, and the cadres who may take them."""

    kinds: dict["_Kind", list[Candidate]]
    pools: dict[tuple, list[Needy]]  # (needs, village) -> households
    counts: dict[tuple["_Kind", tuple], int]  # kind, pool -> households it takes
    proven: bool

    @classmethod
    def of(cls, cadres: list[Candidate], households: list[Needy]) -> "_Group":
        kinds: dict[_Kind, list[Candidate]] = defaultdict(list)
        for cadre in sorted(cadres, key=lambda c: c.id):
            kinds[_Kind.of(cadre)].append(cadre)
        pools: dict[tuple, list[Needy]] = defaultdict(list)
        for household in households:
            pools[(household.needs, household.village_id)].append(household)
        return cls(kinds, pools, {}, not kinds)

    def first_try(self, seconds: float) -> None:
        """All three aims at once, for up to `seconds`; if unproven, a safe plan instead."""
        if self.proven:
            return
        found, self.proven = _village_programme(self.kinds, self.pools, None, seconds)
        if self.proven:
            self.counts = found
            return
        self.counts = _cover_and_meet(self.kinds, self.pools)
        if found is not None and _aims(self.kinds, found) > _aims(self.kinds, self.counts):
            self.counts = found  # the same households and needs, fewer splits
        self.proven = _splits(self.kinds, self.counts) == 0

    def try_again(self, seconds: float) -> None:
        """Fewer cadres split, the households and needs held, for up to `seconds`."""
        aims = _aims(self.kinds, self.counts)
        found, self.proven = _village_programme(self.kinds, self.pools, aims[:2], seconds)
        if found is not None and _aims(self.kinds, found) > aims:
            self.counts = found

    def hand_out(self, plan: Plan) -> None:
        placed = _hand_out(self.kinds, self.pools, self.counts, plan)
        plan.uncovered.extend((h.id, rules.NO_CADRE) for hs in self.pools.values() for h in hs
                              if h.id not in placed)


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


class _Programme:
    """One integer programme of HiGHS: named columns, rows of named coefficients."""

    def __init__(self, columns: list[tuple]):
        self.at = {c: i for i, c in enumerate(columns)}
        self.cost = np.zeros(len(columns))
        self.upper = np.zeros(len(columns))
        self.entries: list[tuple[int, int, float]] = []  # (row, column, coefficient)
        self.low: list[float] = []
        self.high: list[float] = []

    @classmethod
    def of_counts(cls, kinds: dict["_Kind", list[Candidate]], pools: dict[tuple, list[Needy]],
                  more: list[tuple] = ()) -> "_Programme":
        """Columns x[k, p], households of pool p to cadres of kind k, then `more`; with the
        rows every plan keeps: R2, a household takes one cadre; R1, a kind's free places."""
        prog = cls([("x", k, p) for k in kinds for p in pools] + list(more))
        for k, cadres in kinds.items():
            for p, households in pools.items():
                prog.upper[prog.at[("x", k, p)]] = min(len(households), k.free * len(cadres))
        for p, households in pools.items():
            prog.row({("x", k, p): 1 for k in kinds}, 0, len(households))
        for k, cadres in kinds.items():
            prog.row({("x", k, p): 1 for p in pools}, 0, k.free * len(cadres))
        return prog

    def row(self, coefficients: dict, low: float, high: float) -> None:
        self.entries.extend((len(self.low), self.at[column], value)
                            for column, value in coefficients.items() if value)
        self.low.append(low)
        self.high.append(high)

    def solve(self, seconds: float | None = None):
        """HiGHS's answer: the values of the columns (None if it found none) and whether they
        are proven optimal."""
        r, c, v = zip(*self.entries, strict=True)
        matrix = sparse.csr_array((v, (r, c)), shape=(len(self.low), len(self.at)))
        options = {"mip_rel_gap": 0}
        if seconds is not None:
            options["time_limit"] = seconds
        result = milp(self.cost, integrality=np.ones(len(self.at)),
                      bounds=Bounds(0, self.upper),
                      constraints=LinearConstraint(matrix, self.low, self.high), options=options)
        if result.x is None:
            return None, False
        return np.rint(result.x).astype(int), result.status == 0

    def counts(self, values) -> dict[tuple["_Kind", tuple], int]:
        """The x columns' nonzero values, by (kind, pool)."""
        return {column[1:]: int(values[i]) for column, i in self.at.items()
                if column[0] == "x" and values[i]}


def _cover_and_meet(kinds: dict[_Kind, list[Candidate]], pools: dict[tuple, list[Needy]]
                    ) -> dict[tuple[_Kind, tuple], int]:
    """How many households of each pool each kind of cadre takes: the most households covered,
    then the most needs met.

    x[k, p]: households of pool p to cadres of kind k, at most its free places (R1), a
    household to one cadre (R2); weighted so one household outweighs every need. A
    transportation problem: HiGHS finds its whole optimum in the linear relaxation."""
    prog = _Programme.of_counts(kinds, pools)
    per_household = sum(len(p[0]) * len(hs) for p, hs in pools.items()) + 1  # > every need
    for k in kinds:
        for p in pools:
            prog.cost[prog.at[("x", k, p)]] = -per_household - len(k.meets & p[0])
    values, _ = prog.solve()
    if values is None:  # cannot be: x = 0 is feasible and the programme bounded
        raise RuntimeError("the planner's transportation problem found no answer")
    return prog.counts(values)


def _splits(kinds: dict[_Kind, list[Candidate]], counts: dict[tuple[_Kind, tuple], int]) -> int:
    """The cadres _hand_out leaves split across villages for these counts. A kind with two
    places and m cadres, y[v] households in village v: max(0, sum of ceil(y[v] / 2) - m) (pairs
    from one village first, a lone household of a village paired across only when the kind
    runs out of cadres); a kind with one place: each household outside its held village."""
    taken: dict[_Kind, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (kind, (_needs, village)), n in counts.items():
        taken[kind][village] += n
    split = 0
    for kind, by_village in taken.items():
        if kind.free == 2:
            split += max(0, sum((n + 1) // 2 for n in by_village.values()) - len(kinds[kind]))
        else:
            split += sum(n for v, n in by_village.items() if kind.split_by(v))
    return split


def _aims(kinds: dict[_Kind, list[Candidate]], counts: dict[tuple[_Kind, tuple], int]
          ) -> tuple[int, int, int]:
    """(households covered, needs met, -cadres split) of these counts: the larger the better."""
    return (sum(counts.values()), sum(n * len(k.meets & p[0]) for (k, p), n in counts.items()),
            -_splits(kinds, counts))


def _village_programme(kinds: dict[_Kind, list[Candidate]], pools: dict[tuple, list[Needy]],
                       held: tuple[int, int] | None, seconds: float
                       ) -> tuple[dict[tuple[_Kind, tuple], int] | None, bool]:
    """Counts best by the three aims, or, when `held` gives (households covered, needs met),
    the fewest cadres split among counts achieving those; with whether HiGHS proved them
    optimal within `seconds` (None: it found nothing, or there was no time).

    x[k, p]: households of pool p to cadres of kind k (at most its free places, R1; a
    household to one cadre, R2). For a kind k with two places and m cadres, its households in
    village v are 2 h[k, v] + r[k, v] (r 0 or 1), and s[k] >= sum(h[k] + r[k]) - m of its
    cadres are split (the formula of _splits). A cadre with one free place and a household
    held elsewhere is split by any household it takes outside that village. Minimise splits -
    per_need * needs met - per_household * covered: the weights make the aims lexicographic
    (a need met is worth more than every split there could be; a household covered more than
    every need and split). When every household is covered, a village with an odd number of
    them leaves an odd count to some kind with two places unless a cadre with one place takes
    one there: implied, but said outright it gives HiGHS a bound it otherwise finds only by
    search."""
    if seconds <= 0:
        return None, False
    in_village: dict[int, list[tuple]] = defaultdict(list)  # village -> its pools
    for p in pools:
        in_village[p[1]].append(p)
    doubles = [k for k in kinds if k.free == 2]
    prog = _Programme.of_counts(
        kinds, pools, [(c, k, v) for k in doubles for v in in_village for c in ("h", "r")]
        + [("s", k) for k in doubles])
    households = sum(map(len, pools.values()))
    if held is None:
        per_need = sum(len(m) for m in kinds.values()) + 1  # > every cadre split
        # > per_need * every need of every household + every cadre split
        per_household = per_need * (sum(len(p[0]) * len(hs) for p, hs in pools.items()) + 1)
        everyone = sum(k.free * len(cadres) for k, cadres in kinds.items()) >= households
    else:
        per_need = per_household = 0
        covered, met = held
        prog.row({("x", k, p): 1 for k in kinds for p in pools}, covered, covered)
        prog.row({("x", k, p): len(k.meets & p[0]) for k in kinds for p in pools}, met, met)
        everyone = covered == households
    for k in kinds:
        for p in pools:
            prog.cost[prog.at[("x", k, p)]] = (k.free == 1 and k.split_by(p[1])) \
                - per_household - per_need * len(k.meets & p[0])
    for k in doubles:
        m = len(kinds[k])
        prog.cost[prog.at[("s", k)]] = 1
        prog.upper[prog.at[("s", k)]] = m
        for v, here in in_village.items():
            prog.upper[prog.at[("h", k, v)]] = m
            prog.upper[prog.at[("r", k, v)]] = 1
            prog.row({**{("x", k, p): 1 for p in here}, ("h", k, v): -2, ("r", k, v): -1},
                     0, 0)
        prog.row({**{("h", k, v): 1 for v in in_village},
                  **{("r", k, v): 1 for v in in_village}, ("s", k): -1}, -np.inf, m)
    if everyone:
        for v, here in in_village.items():
            if sum(len(pools[p]) for p in here) % 2:
                prog.row({**{("r", k, v): 1 for k in doubles},
                          **{("x", k, p): 1 for k in kinds if k.free == 1 for p in here}},
                         1, np.inf)
    values, proven = prog.solve(seconds)
    if values is None:
        return None, False
    return prog.counts(values), proven


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
