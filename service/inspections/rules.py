"""Inspection results: the knowledge rate (知晓率) and satisfaction rate (满意率), and drawing
an unannounced sample."""

import random

SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")
SATISFIED = ("satisfied", "basically_satisfied")  # 满意 + 基本满意, as county surveys count


def rates(checks: list[dict]) -> dict:
    """Counts and rates of a set of household checks (None for an empty set).

    knowledge_rate: households that know their cadre; satisfaction_rate: satisfied or basically
    satisfied; card_rate: holding the contact card; visit_confirmed_rate: confirming the visits."""
    n = len(checks)

    def rate(pred) -> float | None:
        return None if n == 0 else round(sum(1 for c in checks if pred(c)) / n, 4)

    return {"checks": n,
            "knowledge_rate": rate(lambda c: c["knows_cadre"]),
            "satisfaction_rate": rate(lambda c: c["satisfaction"] in SATISFIED),
            "card_rate": rate(lambda c: c["has_contact_card"]),
            "visit_confirmed_rate": rate(lambda c: c["visit_confirmed"])}


def draw_sample(villages: dict[int, list[int]], size: int, per_village: int,
                seed: int) -> list[tuple[int, list[int]]]:
    """`size` villages at random, and up to `per_village` of each one's households; the same
    seed and candidates give the same sample."""
    rng = random.Random(seed)
    chosen = rng.sample(sorted(villages), min(size, len(villages)))
    return [(v, sorted(rng.sample(sorted(villages[v]), min(per_village, len(villages[v])))))
            for v in sorted(chosen)]
