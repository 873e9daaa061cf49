"""The pairing planner at county scale (SPEC §14, issue 18): bench/visits.py's county
(100,000 households, 10,000 cadres) with every pairing ended, planned as a whole.

    .venv/bin/python bench/planner.py [--reuse] [--apply]
    .venv/bin/python bench/planner.py --hard [--seconds S]

In one transaction that is rolled back at the end (the county is left as it was): end every
active pairing, then time `POST /api/v1/pairing-plans {}` as the service runs it (in-process:
gathering the records, solving, storing the plan); with --apply, time applying it too. Prints
coverage before and after, needs met by skills, cadres kept in one village. Target: the plan
in <= 10 s. Asserts nothing.

--hard times the solver alone (no database) on groups built to be hard for its third aim: one
unit's section chiefs (two places each) and as many harder households as places (one fewer
in the last), over 15 to 40 villages, needs and skills drawn at random. Prints, for the
budget given (PLANNER_SECONDS, default 20) and for none (0 s: the safe plan as it is handed
out), the time, the cadres split and whether the plan is proven optimal.
"""

import argparse
import os
import platform
import random
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sqlalchemy import func, select, update  # noqa: E402

from bench import visits as bench_visits  # noqa: E402
from service import create_app, migrate  # noqa: E402
from service.households.models import HouseholdNeed  # noqa: E402
from service.households.rules import NEEDS  # noqa: E402
from service.pairings.models import Pairing  # noqa: E402
from service.planner import services  # noqa: E402
from service.planner.solve import Candidate, Needy, solve  # noqa: E402
from service.web import cli_context  # noqa: E402

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_visits"


def coverage(session) -> tuple[int, int]:
    """Needy households (with a need, as coverage counts them) with a cadre, and in all."""
    needy = select(HouseholdNeed.household_id).distinct()
    paired = session.scalar(select(func.count(Pairing.household_id.distinct())).where(
        Pairing.ended_on.is_(None), Pairing.household_id.in_(needy)))
    return paired, session.scalar(select(func.count()).select_from(needy.subquery()))


def hard_groups(seconds: float) -> None:
    """Time the solver on groups built to be hard for its third aim (see the module's doc)."""
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}")
    kinds = ["farming", "law", "education", "policy", "commerce", "speaking", "organising"]
    for seed, chiefs, many, villages in ((1, 50, 100, 15), (2, 100, 200, 20), (1, 300, 600, 20),
                                         (3, 300, 599, 40)):
        rng = random.Random(seed)
        cadres = [Candidate(n, 1, "section_chief", 2,
                            frozenset(rng.sample(kinds, rng.randint(0, 2))))
                  for n in range(chiefs)]
        households = [Needy(100_000 + n, rng.randrange(villages), 1, "harder",
                            frozenset(rng.sample(sorted(NEEDS), rng.randint(1, 2))))
                      for n in range(many)]
        for budget in (seconds, 0):
            t0 = time.perf_counter()
            plan = solve(cadres, households, budget)
            took = time.perf_counter() - t0
            where: dict[int, set] = {}
            for p in plan.pairings:
                where.setdefault(p.cadre_id, set()).add(p.village_id)
            print(f"{chiefs} chiefs, {many} households in {villages} villages, "
                  f"budget {budget:g} s: "
                  f"{took:.1f} s, covered {len(plan.pairings)}, needs met {plan.needs_met}, "
                  f"{sum(len(v) > 1 for v in where.values())} split, "
                  f"{'proven optimal' if plan.optimal else 'not proven'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench_visits")
    parser.add_argument("--apply", action="store_true", help="time applying the plan too")
    parser.add_argument("--hard", action="store_true", help="the solver on hard groups only")
    parser.add_argument("--seconds", type=float, default=20.0, help="the budget for --hard")
    args = parser.parse_args()
    if args.hard:
        hard_groups(args.seconds)
        return
    if not args.reuse:
        bench_visits.build(1_000_000)
    migrate.upgrade(URL)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}")
    app = create_app({"DATABASE_URL": URL, "SECRET_KEY": "bench-planner-" + "k" * 40})
    with app.test_request_context():
        ctx = cli_context()
        session = ctx.session
        paired, households = coverage(session)
        print(f"county: {households:,} needy households (with a need), {paired:,} with a "
              f"cadre ({paired / households:.1%})")
        today = ctx.clock.today()
        session.execute(update(Pairing).where(Pairing.ended_on.is_(None))
                        .values(ended_on=today, end_reason="bench: planned again"))
        session.flush()
        paired, _ = coverage(session)
        print(f"every pairing ended: {paired:,} with a cadre")
        t0 = time.perf_counter()
        plan = services.propose(ctx, {})
        took = time.perf_counter() - t0
        totals = plan["totals"]
        reasons: dict[str, int] = {}
        for u in plan["uncovered"]:
            reasons[u["reason"]] = reasons.get(u["reason"], 0) + 1
        print(f"plan of the whole county: {took:.2f} s (target <= 10 s)")
        print(f"  covered {totals['covered']:,} of {totals['households']:,} households "
              f"({totals['covered'] / totals['households']:.1%}); needs met by skills "
              f"{totals['needs_met']:,}; {totals['cadres']:,} cadres, "
              f"{totals['cadres_in_one_village']:,} with their households in one village; "
              f"{'proven optimal' if totals['optimal'] else 'not proven optimal'}")
        print(f"  uncovered by reason: {reasons}")
        if args.apply:
            t0 = time.perf_counter()
            services.apply_plan(ctx, plan["id"])
            print(f"applied: {time.perf_counter() - t0:.1f} s")
            paired, _ = coverage(session)
            print(f"coverage after applying: {paired:,} of {households:,} "
                  f"({paired / households:.1%})")
        session.rollback()


if __name__ == "__main__":
    main()
