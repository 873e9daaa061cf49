"""The rules hold when many clerks press the button at once: real commits, real threads."""

import threading
from collections import Counter

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from service.auth import issue_token
from service.db import Base
from service.pairings.models import Pairing
from service.units.models import Unit
from tests import factories

RACERS = 24


@pytest.fixture
def committed(app, engine):
    """A session whose data is committed for real, wiped afterwards."""
    session = Session(engine, expire_on_commit=False)
    yield session
    session.rollback()
    session.execute(update(Unit).values(head_cadre_id=None))
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(delete(table))
    session.commit()
    session.close()


def _race(app, token, requests) -> list:
    """Send every (path, body) at the same moment from its own thread; return the responses."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(i, path, body):
        client = app.test_client()
        barrier.wait()
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        results[i] = (response.status_code, (response.json or {}).get("code"))

    threads = [threading.Thread(target=run, args=(i, p, b)) for i, (p, b) in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _admin_token(app, session) -> str:
    admin = factories.user(session, "county_admin")
    session.commit()
    with app.test_request_context():
        return issue_token(admin)[0]


def test_racing_for_a_cadres_last_slot_lets_exactly_one_through(app, committed):
    s = committed
    unit, village = factories.unit(s), factories.village(s)
    factories.assign(s, unit, village)
    chief = factories.cadre(s, unit, rank="section_chief")
    factories.pair(s, chief, factories.household(s, village, difficulty="harder"))
    households = [factories.household(s, village, difficulty="harder") for _ in range(RACERS)]
    token = _admin_token(app, s)

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
    token = _admin_token(app, s)

    results = _race(app, token, [("/api/v1/pairings", {"cadre_id": c.id,
                                                       "household_id": household.id})
                                 for c in cadres])

    assert Counter(results) == {(201, None): 1, (409, "household_already_paired"): RACERS - 1}
    assert s.scalar(select(func.count()).where(Pairing.household_id == household.id)) == 1


def test_racing_units_for_one_village_assign_it_once(app, committed):
    s = committed
    village = factories.village(s)
    units = [factories.unit(s) for _ in range(RACERS)]
    token = _admin_token(app, s)

    results = _race(app, token, [("/api/v1/village-assignments",
                                  {"unit_id": u.id, "village_id": village.id}) for u in units])

    assert Counter(results) == {(201, None): 1, (409, "village_already_assigned"): RACERS - 1}


def test_ending_a_village_while_pairings_race_in_leaves_no_pairing_behind(app, committed):
    s = committed
    unit, village = factories.unit(s), factories.village(s)
    assignment = factories.assign(s, unit, village)
    cadres = [factories.cadre(s, unit, rank="general") for _ in range(RACERS - 1)]
    households = [factories.household(s, village, difficulty="easier") for _ in cadres]
    token = _admin_token(app, s)

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
