"""The pairing planner's solver (SPEC §14): which cadre takes which household.

The rules split a county into independent groups: a household may only go to a cadre of the
unit holding its village (R3) whose rank matches its difficulty (R4), within the cadre's free
quota (R1), one cadre per household (R2). Inside a group every cadre may take every
household, so the plan is, lexicographically:

1. as many households covered as the group's free quota allows (a maximum flow);
2. among those, the most needs met by the cadres' skills (its minimum cost): solved exactly as
   a min-cost flow (networkx's network simplex) between *kinds* of cadre (the needs their
   skills meet) and kinds of household (their needs) — a few dozen nodes a group, however
   many households;
3. then each cadre's households kept in one village where the flow leaves a choice: the kinds'
   flows are handed to cadres village by village (a cadre's villages first, then the village
   with the most households of the kinds still to place).

Database-free: the service gathers Candidates and Needy households and stores the Plan.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

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
    # Kinds of cadre: the needs their skills meet; kinds of household: their needs.
    by_kind: dict[frozenset, list[Candidate]] = defaultdict(list)
    for cadre in cadres:
        by_kind[rules.needs_met(cadre.kinds)].append(cadre)
    by_needs: dict[frozenset, list[Needy]] = defaultdict(list)
    for household in households:
        by_needs[household.needs].append(household)
    graph = nx.DiGraph()
    for kind, members in by_kind.items():
        graph.add_edge("source", ("cadres", kind), capacity=sum(c.free for c in members),
                       weight=0)
    for needs, members in by_needs.items():
        graph.add_edge(("households", needs), "sink", capacity=len(members), weight=0)
    for kind in by_kind:
        for needs in by_needs:
            graph.add_edge(("cadres", kind), ("households", needs),
                           capacity=len(by_needs[needs]), weight=-len(kind & needs))
    flow = nx.max_flow_min_cost(graph, "source", "sink")
    placed: set[int] = set()
    for kind, members in by_kind.items():
        quotas = {needs: n for (_, needs), n in flow[("cadres", kind)].items() if n}
        _hand_out(members, quotas, by_needs, kind, placed, plan)
    plan.uncovered.extend((h.id, rules.NO_CADRE) for h in households if h.id not in placed)


def _hand_out(cadres: list[Candidate], quotas: dict[frozenset, int],
              by_needs: dict[frozenset, list[Needy]], kind: frozenset, placed: set[int],
              plan: Plan) -> None:
    """Give the flow from one kind of cadre to actual cadres and households, keeping each
    cadre's households in one village where it can."""
    left: dict[frozenset, dict[int, list[Needy]]] = {}
    for needs in quotas:
        villages: dict[int, list[Needy]] = defaultdict(list)
        for household in by_needs[needs]:
            if household.id not in placed:
                villages[household.village_id].append(household)
        left[needs] = villages
    # Cadres that already have a village first, then those with room for two.
    for cadre in sorted(cadres, key=lambda c: (not c.villages, -c.free, c.id)):
        home = set(cadre.villages)
        for _ in range(cadre.free):
            open_needs = [n for n, q in quotas.items() if q > 0]
            if not open_needs:
                return
            choice = None
            for needs in open_needs:  # a household in one of the cadre's villages
                village = next((v for v in sorted(home) if left[needs].get(v)), None)
                if village is not None:
                    choice = (needs, village)
                    break
            if choice is None:  # else the village with the most households still to place
                choice = max(((n, v) for n in open_needs for v, hs in left[n].items() if hs),
                             key=lambda nv: (sum(len(left[n].get(nv[1], ()))
                                                 for n in open_needs), -nv[1]))
            needs, village = choice
            household = left[needs][village].pop(0)
            quotas[needs] -= 1
            placed.add(household.id)
            home.add(village)
            plan.pairings.append(Proposal(
                cadre.id, household.id, village, cadre.rank, household.difficulty,
                tuple(sorted(kind & household.needs))))
