"""The annual evaluation's plain rules (service/evaluation/rules.py), each case computed by hand.

- is_month_end: the month's last MONTH_END_DAYS (3) days, February and leap years included.
- bunched: a direct visit 1–7 days before an inspection of the village, or in the last 3 days
  of a month; found with ≥ 4 visits and a share ≥ 0.5.
- demand_led: a visit 0–7 days after the household raised a demand itself; found with a share
  ≥ 0.6 and ≥ 2 such visits.
- longest_gap: the longest run of days between consecutive marks (period start, the visits
  inside it, period end) over all periods; found when > 60.
- score: the weighted mean of the parts present (renormalised over their weights), 0–100,
  less 100 × pattern_penalty per pattern found, never below 0.
- rank: by score (highest first), then cadre name, then cadre id, within each group.
"""

from datetime import date, timedelta

import pytest

from service.evaluation import rules

D = date.fromisoformat
WEIGHTS = {"visits": 0.4, "tasks": 0.2, "demands": 0.2, "inspections": 0.2,
           "pattern_penalty": 0.1}


def days(*isos: str) -> list[date]:
    return [D(x) for x in isos]


# --- constants the report and the issue agree on -------------------------------------------


def test_thresholds_are_those_of_the_issue():
    assert rules.BEFORE_INSPECTION_DAYS == 7
    assert rules.MONTH_END_DAYS == 3
    assert rules.AFTER_DEMAND_DAYS == 7
    assert rules.MIN_VISITS == 4
    assert rules.BUNCHED_SHARE == 0.5
    assert rules.DEMAND_LED_SHARE == 0.6
    assert rules.MAX_GAP_DAYS == 60
    assert rules.DEFAULT_WEIGHTS == WEIGHTS


# --- is_month_end --------------------------------------------------------------------------


@pytest.mark.parametrize("day, expected", [
    ("2026-01-01", False), ("2026-01-15", False), ("2026-01-28", False),
    ("2026-01-29", True), ("2026-01-30", True), ("2026-01-31", True),
    # February 2026 has 28 days: its last three are 26, 27, 28.
    ("2026-02-25", False), ("2026-02-26", True), ("2026-02-27", True), ("2026-02-28", True),
    # A leap February (2028, and 2000: divisible by 400) has 29: 27, 28, 29.
    ("2028-02-26", False), ("2028-02-27", True), ("2028-02-28", True), ("2028-02-29", True),
    ("2000-02-26", False), ("2000-02-27", True), ("2000-02-29", True),
    # 2100 is divisible by 100 and not by 400: not a leap year, February ends on the 28th.
    ("2100-02-25", False), ("2100-02-26", True), ("2100-02-28", True),
    # A 30-day month: 28, 29, 30.
    ("2026-04-27", False), ("2026-04-28", True), ("2026-04-30", True),
    # December's end crosses into the next year.
    ("2026-12-28", False), ("2026-12-29", True), ("2026-12-31", True),
])
def test_is_month_end(day, expected):
    assert rules.is_month_end(D(day)) is expected


def test_exactly_three_days_of_every_month_of_2026_and_2028_are_month_end():
    for year in (2026, 2028):
        day, ends = date(year, 1, 1), {}
        while day.year == year:
            if rules.is_month_end(day):
                ends.setdefault(day.month, []).append(day.day)
            day += timedelta(days=1)
        assert sorted(ends) == list(range(1, 13))
        assert all(len(v) == 3 for v in ends.values())
        assert ends[2] == ([26, 27, 28] if year == 2026 else [27, 28, 29])
        assert ends[4] == [28, 29, 30] and ends[12] == [29, 30, 31]


# --- bunched -------------------------------------------------------------------------------


def test_bunched_all_at_month_end_is_found():
    visits = days("2026-01-30", "2026-02-27", "2026-03-29", "2026-04-30")
    assert rules.bunched(visits, []) == {"before_inspection": 0, "at_month_end": 4,
                                         "share": 1.0, "found": True}


def test_bunched_needs_at_least_four_visits():
    visits = days("2026-01-30", "2026-02-27", "2026-03-29")
    result = rules.bunched(visits, [])
    assert (result["at_month_end"], result["share"], result["found"]) == (3, 1.0, False)


def test_bunched_share_of_one_half_is_found_and_two_fifths_is_not():
    half = days("2026-01-30", "2026-02-27", "2026-03-15", "2026-04-15")
    assert rules.bunched(half, []) == {"before_inspection": 0, "at_month_end": 2,
                                       "share": 0.5, "found": True}
    two_fifths = half + days("2026-05-15")
    assert rules.bunched(two_fifths, []) == {"before_inspection": 0, "at_month_end": 2,
                                             "share": 0.4, "found": False}


def test_bunched_before_inspection_window_is_one_to_seven_days():
    inspection = days("2026-06-20")
    # 7 days before and 1 day before count; 8 days before, the same day and after do not.
    visits = days("2026-06-13", "2026-06-19", "2026-06-12", "2026-06-20", "2026-06-21")
    result = rules.bunched(visits, inspection)
    assert result == {"before_inspection": 2, "at_month_end": 0, "share": 0.4, "found": False}


def test_bunched_before_inspections_is_found():
    inspections = days("2026-03-20", "2026-05-20", "2026-07-20", "2026-09-20")
    visits = days("2026-03-14", "2026-05-19", "2026-07-13", "2026-09-18", "2026-10-10")
    assert rules.bunched(visits, inspections) == {"before_inspection": 4, "at_month_end": 0,
                                                  "share": 0.8, "found": True}


def test_a_visit_both_before_an_inspection_and_at_month_end_counts_once_in_the_share():
    inspections = days("2026-02-03")  # 2026-01-30 is 4 days before it and at month end
    visits = days("2026-01-30", "2026-03-10", "2026-04-10", "2026-05-10")
    assert rules.bunched(visits, inspections) == {"before_inspection": 1, "at_month_end": 1,
                                                  "share": 0.25, "found": False}


def test_a_visit_before_two_inspections_counts_once():
    inspections = days("2026-06-18", "2026-06-20")
    visits = days("2026-06-15", "2026-07-10", "2026-08-10", "2026-09-10")
    result = rules.bunched(visits, inspections)
    assert (result["before_inspection"], result["share"]) == (1, 0.25)


def test_bunched_without_visits():
    assert rules.bunched([], days("2026-06-20")) == {"before_inspection": 0,
                                                      "at_month_end": 0, "share": 0.0,
                                                      "found": False}


def test_bunched_share_is_rounded_to_four_places():
    visits = days("2026-01-30", "2026-02-10", "2026-03-10")
    assert rules.bunched(visits, [])["share"] == 0.3333


# --- demand_led ----------------------------------------------------------------------------


def test_demand_led_counts_visits_zero_to_seven_days_after_the_household_asked():
    asked = days("2026-05-10")
    # Same day and 7 days after count; 8 days after and the day before do not.
    visits = days("2026-05-10", "2026-05-17", "2026-05-18", "2026-05-09")
    assert rules.demand_led(visits, asked) == {"after_demand": 2, "share": 0.5,
                                               "found": False}


def test_demand_led_found_at_a_share_of_three_fifths_with_two_or_more():
    asked = days("2026-02-01", "2026-04-01", "2026-06-01")
    visits = days("2026-02-03", "2026-04-05", "2026-06-08", "2026-07-15", "2026-08-15")
    assert rules.demand_led(visits, asked) == {"after_demand": 3, "share": 0.6, "found": True}


def test_demand_led_needs_two_such_visits_even_at_a_full_share():
    assert rules.demand_led(days("2026-02-03"), days("2026-02-01")) == {
        "after_demand": 1, "share": 1.0, "found": False}
    assert rules.demand_led(days("2026-02-03", "2026-03-03"),
                            days("2026-02-01", "2026-03-01")) == {
        "after_demand": 2, "share": 1.0, "found": True}


def test_demand_led_just_below_the_share_is_not_found():
    asked = days("2026-02-01", "2026-04-01", "2026-06-01")
    visits = days("2026-02-03", "2026-04-05", "2026-06-08", "2026-07-15", "2026-08-15",
                  "2026-09-15")
    assert rules.demand_led(visits, asked) == {"after_demand": 3, "share": 0.5,
                                               "found": False}


def test_demand_led_without_demands_or_visits():
    assert rules.demand_led(days("2026-02-03", "2026-03-03"), []) == {
        "after_demand": 0, "share": 0.0, "found": False}
    assert rules.demand_led([], days("2026-02-01")) == {"after_demand": 0, "share": 0.0,
                                                        "found": False}


def test_one_visit_after_two_demands_counts_once():
    visits = days("2026-03-05", "2026-04-20")
    asked = days("2026-03-01", "2026-03-04")
    assert rules.demand_led(visits, asked) == {"after_demand": 1, "share": 0.5,
                                               "found": False}


# --- longest_gap ---------------------------------------------------------------------------


def test_longest_gap_without_visits_is_the_whole_period():
    # 2026-01-01 → 2026-10-31: 31+28+31+30+31+30+31+31+30+30 = 303 days.
    assert rules.longest_gap([(D("2026-01-01"), D("2026-10-31"), [])]) == {
        "longest_gap_days": 303, "found": True}


def test_longest_gap_between_visits_and_from_the_start_and_to_the_end():
    period = (D("2026-01-01"), D("2026-10-31"),
              days("2026-03-15", "2026-01-15", "2026-02-15", "2026-06-13", "2026-07-15",
                   "2026-08-15", "2026-09-15", "2026-10-15"))
    # Unsorted on purpose; 03-15 → 06-13 is 16 + 30 + 31 + 13 = 90 days.
    assert rules.longest_gap([period]) == {"longest_gap_days": 90, "found": True}


def test_longest_gap_counts_from_the_start_and_to_the_end_of_the_period():
    start = (D("2026-01-01"), D("2026-06-30"), days("2026-03-10", "2026-04-10", "2026-05-10"))
    assert rules.longest_gap([start])["longest_gap_days"] == 68  # 01-01 → 03-10
    end = (D("2026-01-01"), D("2026-06-30"), days("2026-01-10", "2026-02-10", "2026-03-10",
                                                   "2026-04-20"))
    assert rules.longest_gap([end])["longest_gap_days"] == 71  # 04-20 → 06-30


def test_sixty_days_is_not_a_long_gap_and_sixty_one_is():
    sixty = (D("2026-01-01"), D("2026-03-02"), [])  # 31 + 29 = 60
    assert rules.longest_gap([sixty]) == {"longest_gap_days": 60, "found": False}
    sixty_one = (D("2026-01-01"), D("2026-03-03"), [])
    assert rules.longest_gap([sixty_one]) == {"longest_gap_days": 61, "found": True}


def test_visits_outside_a_period_do_not_close_its_gaps():
    period = (D("2026-03-01"), D("2026-06-30"), days("2026-02-20", "2026-04-15", "2026-07-05"))
    # Marks: 03-01, 04-15, 06-30 → 45 and 76.
    assert rules.longest_gap([period]) == {"longest_gap_days": 76, "found": True}


def test_longest_gap_is_the_longest_over_every_period():
    first = (D("2026-01-01"), D("2026-03-31"), days("2026-01-20", "2026-02-20", "2026-03-20"))
    second = (D("2026-05-01"), D("2026-07-31"), days("2026-05-05", "2026-07-25"))
    # first: 19, 31, 28, 11; second: 4, 81, 6. The months between periods are not a gap.
    assert rules.longest_gap([first, second]) == {"longest_gap_days": 81, "found": True}
    assert rules.longest_gap([first]) == {"longest_gap_days": 31, "found": False}


def test_longest_gap_of_no_periods_is_zero():
    assert rules.longest_gap([]) == {"longest_gap_days": 0, "found": False}


# --- score ---------------------------------------------------------------------------------


def test_score_is_the_weighted_mean_of_all_parts():
    result = rules.score({"visits": 1.0, "tasks": 0.5, "demands": 0.5, "inspections": 1.0},
                         0, WEIGHTS)
    # 40 + 10 + 10 + 20
    assert result["score"] == 80.0
    assert result["parts"] == {
        "visits": {"value": 1.0, "weight": 0.4, "points": 40.0},
        "tasks": {"value": 0.5, "weight": 0.2, "points": 10.0},
        "demands": {"value": 0.5, "weight": 0.2, "points": 10.0},
        "inspections": {"value": 1.0, "weight": 0.2, "points": 20.0},
        "patterns": {"value": 0, "weight": 0.1, "points": -0.0}}


def test_score_renormalises_over_the_parts_present():
    only_visits = rules.score({"visits": 0.8, "tasks": None, "demands": None,
                               "inspections": None}, 0, WEIGHTS)
    assert only_visits["score"] == 80.0
    assert only_visits["parts"]["visits"]["points"] == 80.0
    assert [only_visits["parts"][k]["points"] for k in ("tasks", "demands", "inspections")] == [
        None, None, None]
    assert only_visits["parts"]["tasks"] == {"value": None, "weight": 0.2, "points": None}

    # visits 1.0 (0.4) and inspections 0.5 (0.2): 100·0.4/0.6 = 66.7, 100·0.1/0.6 = 16.7.
    two = rules.score({"visits": 1.0, "tasks": None, "demands": None, "inspections": 0.5},
                      0, WEIGHTS)
    assert two["parts"]["visits"]["points"] == 66.7
    assert two["parts"]["inspections"]["points"] == 16.7
    assert two["score"] == 83.4

    # visits 1.0, demands 0.5, inspections 1.0 over 0.8: 50 + 12.5 + 25.
    three = rules.score({"visits": 1.0, "tasks": None, "demands": 0.5, "inspections": 1.0},
                        0, WEIGHTS)
    assert [three["parts"][k]["points"] for k in ("visits", "demands", "inspections")] == [
        50.0, 12.5, 25.0]
    assert three["score"] == 87.5


def test_score_penalty_per_pattern_found():
    parts = {"visits": 1.0, "tasks": None, "demands": None, "inspections": None}
    for found, expected in ((0, 100.0), (1, 90.0), (2, 80.0), (3, 70.0)):
        result = rules.score(parts, found, WEIGHTS)
        assert result["score"] == expected
        assert result["parts"]["patterns"] == {"value": found, "weight": 0.1,
                                               "points": -10.0 * found}


def test_score_never_goes_below_zero():
    result = rules.score({"visits": 0.1, "tasks": None, "demands": None, "inspections": None},
                         3, WEIGHTS)
    assert result["parts"]["visits"]["points"] == 10.0
    assert result["parts"]["patterns"]["points"] == -30.0
    assert result["score"] == 0.0
    zero = rules.score({"visits": 0.0, "tasks": 0.0, "demands": 0.0, "inspections": 0.0},
                       1, WEIGHTS)
    assert zero["score"] == 0.0


def test_score_of_no_parts_is_zero_with_no_points():
    result = rules.score({"visits": None, "tasks": None, "demands": None,
                          "inspections": None}, 0, WEIGHTS)
    assert result["score"] == 0.0
    assert all(result["parts"][k]["points"] is None
               for k in ("visits", "tasks", "demands", "inspections"))


def test_score_follows_the_weights_given():
    weights = {"visits": 1.0, "tasks": 0.0, "demands": 0.0, "inspections": 1.0,
               "pattern_penalty": 0.25}
    result = rules.score({"visits": 0.6, "tasks": 1.0, "demands": 1.0, "inspections": 0.2},
                         1, weights)
    # (0.6·1 + 0.2·1) / 2 = 0.4 → 40; tasks and demands weigh nothing; −25 for the pattern.
    assert result["parts"]["visits"]["points"] == 30.0
    assert result["parts"]["inspections"]["points"] == 10.0
    assert result["parts"]["tasks"]["points"] == 0.0
    assert result["parts"]["patterns"]["points"] == -25.0
    assert result["score"] == 15.0


# --- rank ----------------------------------------------------------------------------------


def test_rank_by_score_then_name_then_id_within_each_group():
    rows = [
        {"cadre_id": 1, "cadre": "王五", "unit_id": 1, "score": 70.0},
        {"cadre_id": 2, "cadre": "李四", "unit_id": 1, "score": 90.0},
        {"cadre_id": 3, "cadre": "张三", "unit_id": 2, "score": 80.0},
        {"cadre_id": 4, "cadre": "王五", "unit_id": 1, "score": 90.0},
        {"cadre_id": 5, "cadre": "王五", "unit_id": 2, "score": 80.0},
        {"cadre_id": 6, "cadre": "赵六", "unit_id": 2, "score": 95.5},
    ]
    for row in rows:
        row["all"] = 0
    rules.rank(rows, "unit_id", "rank_in_unit")
    rules.rank(rows, "all", "rank_in_county")
    by_id = {r["cadre_id"]: (r["rank_in_unit"], r["rank_in_county"]) for r in rows}
    # Unit 1: 李四 90 and 王五(4) 90 tie on score: by name, 李 (U+674E) before 王 (U+738B).
    # Unit 2: 赵六 95.5, then 张三 80 and 王五(5) 80: 张 (U+5F20) before 王.
    # County: 赵六 95.5, 李四 90, 王五(4) 90, 张三 80, 王五(5) 80, 王五(1) 70.
    assert by_id == {6: (1, 1), 2: (1, 2), 4: (2, 3), 3: (2, 4), 5: (3, 5), 1: (3, 6)}


def test_rank_ties_on_score_and_name_go_by_cadre_id():
    rows = [{"cadre_id": 9, "cadre": "王五", "unit_id": 1, "score": 50.0},
            {"cadre_id": 3, "cadre": "王五", "unit_id": 1, "score": 50.0}]
    rules.rank(rows, "unit_id", "rank")
    assert {r["cadre_id"]: r["rank"] for r in rows} == {3: 1, 9: 2}


def test_rank_of_a_single_row_is_one_and_a_none_group_is_a_group():
    rows = [{"cadre_id": 1, "cadre": "甲", "unit_id": None, "score": 10.0},
            {"cadre_id": 2, "cadre": "乙", "unit_id": None, "score": 20.0},
            {"cadre_id": 3, "cadre": "丙", "unit_id": 7, "score": 5.0}]
    rules.rank(rows, "unit_id", "rank")
    assert {r["cadre_id"]: r["rank"] for r in rows} == {2: 1, 1: 2, 3: 1}
