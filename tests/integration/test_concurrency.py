"""The rules hold when many clerks press the button at once: real commits, real threads."""

from collections import Counter

from sqlalchemy import func, select

from service.pairings.models import Pairing
from tests import factories
from tests.integration.racing import admin_token, race

RACERS = 24


def _race(app, token, requests) -> list:
    """(status, code) of each racing request."""
    return [(status, code) for status, code, _ in race(app, token, requests)]


def test_racing_for_a_cadres_last_slot_lets_exactly_one_through(app, committed):
    s = committed
    unit, village = factories.unit(s), factories.village(s)
    factories.assign(s, unit, village)
    chief = factories.cadre(s, unit, rank="section_chief")
    factories.pair(s, chief, factories.household(s, village, difficulty="harder"))
    households = [factories.household(s, village, difficulty="harder") for _ in range(RACERS)]
    token = admin_token(app, s)

    results = _race(app, token, [("/api/v1/pairings", {"cadre_id": chief.id,
                                                       "household_id": h.id})
                                 for h in households])

    assert Counter(results) == {(201, None): 1, (409, "quota_exceeded"): RACERS - 1}
    active = s.scalar(select(func.count()).where(Pairing.cadre_id == chief.id,
                                                 Pairing.ended_on.is_(None)))
    assert active == 2


def test_racing_for_one_household_pairs_it_once(app, committed):
    s = committed
    unit, village = factories.unit(s), factories.village(s)
    factories.assign(s, unit, village)
    household = factories.household(s, village, difficulty="easier")
    cadres = [factories.cadre(s, unit, rank="general") for _ in range(RACERS)]
    token = admin_token(app, s)

    results = _race(app, token, [("/api/v1/pairings", {"cadre_id": c.id,
                                                       "household_id": household.id})
                                 for c in cadres])

    assert Counter(results) == {(201, None): 1, (409, "household_already_paired"): RACERS - 1}
    assert s.scalar(select(func.count()).where(Pairing.household_id == household.id)) == 1


def test_racing_units_for_one_village_assign_it_once(app, committed):
    s = committed
    village = factories.village(s)
    units = [factories.unit(s) for _ in range(RACERS)]
    token = admin_token(app, s)

    results = _race(app, token, [("/api/v1/village-assignments",
                                  {"unit_id": u.id, "village_id": village.id}) for u in units])

    assert Counter(results) == {(201, None): 1, (409, "village_already_assigned"): RACERS - 1}


def test_ending_a_village_while_pairings_race_in_leaves_no_pairing_behind(app, committed):
    s = committed
    unit, village = factories.unit(s), factories.village(s)
    assignment = factories.assign(s, unit, village)
    cadres = [factories.cadre(s, unit, rank="general") for _ in range(RACERS - 1)]
    households = [factories.household(s, village, difficulty="easier") for _ in cadres]
    token = admin_token(app, s)

    requests = [("/api/v1/pairings", {"cadre_id": c.id, "household_id": h.id})
                for c, h in zip(cadres, households, strict=True)]
    requests.insert(RACERS // 2, (f"/api/v1/village-assignments/{assignment.id}/end",
                                  {"reason": "调整包村"}))
    results = _race(app, token, requests)

    assert all(status in (200, 201, 409) for status, _ in results), results
    s.expire_all()
    ended = s.get(type(assignment), assignment.id).ended_on is not None
    active = s.scalar(select(func.count()).where(
        Pairing.household_id.in_([h.id for h in households]), Pairing.ended_on.is_(None)))
    # Either the unit still holds the village, or no active pairing was left in it.
    assert not ended or active == 0, (results, active)
    assert ended == (results[RACERS // 2][0] == 200)
