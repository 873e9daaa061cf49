"""/sync gives the phone the cadre's own visits of the last year (SPEC §17): the household's
history and the month at a glance work offline from it. A year of a cadre's visits is one small
answer; a later sync carries only what changed; nobody else's visits come along."""

import gzip
import json
import uuid
from datetime import datetime, timedelta

import pytest

from tests.clock import CST, WORLD_BUILT

API = "/api/v1"


def visit(api, clock, household_id: int, days_ago: int, kind="home_visit",
          diary="了解家里收入和孩子上学的情况") -> str:
    """A visit logged on its own day (so never a late entry); days_ago=0: a minute ago."""
    visit_id = str(uuid.uuid4())
    if days_ago == 0:
        at = clock.now() - timedelta(minutes=1)
        answer = api.post(f"{API}/visits", json={
            "id": visit_id, "household_id": household_id, "visited_at": at.isoformat(),
            "kind": kind, "diary": diary})
        assert answer.status_code == 201, answer.json
        return visit_id
    at = (clock.now() - timedelta(days=days_ago)).astimezone(CST).replace(hour=10, minute=0)
    with clock.at(at + timedelta(hours=1)):
        answer = api.post(f"{API}/visits", json={
            "id": visit_id, "household_id": household_id, "visited_at": at.isoformat(),
            "kind": kind, "diary": diary})
    assert answer.status_code == 201, answer.json
    return visit_id


@pytest.fixture
def year(world, cadre, clock):
    """Cadre a1's year: two visits a month to household a1 since the pairing began (and a phone
    call), and cadre b1's visit to its own household."""
    household = world.households["a1"].id
    paired = (clock.now().astimezone(CST).date() - WORLD_BUILT.date()).days  # days since
    days = list(range(3, min(330, paired - 1), 15))  # two a month, inside the pairing
    made = [visit(cadre, clock, household, d) for d in days]
    made.append(visit(cadre, clock, household, 2, kind="phone", diary="电话问了病情"))
    return {"household": household, "visits": made, "oldest": days[-1]}


def sync(api, since=None):
    answer = api.get(f"{API}/sync", query_string={"since": since} if since else {},
                     headers={"Accept-Encoding": "identity"})
    assert answer.status_code == 200, answer.json
    return answer


def test_a_first_sync_gives_the_cadres_own_visits_of_the_year_oldest_first(year, cadre):
    body = sync(cadre).json
    assert sorted(v["id"] for v in body["visits"]) == sorted(year["visits"])
    times = [v["visited_at"] for v in body["visits"]]
    assert times == sorted(times)
    call = body["visits"][-1]
    assert call["kind"] == "phone" and call["direct"] is False
    assert call["diary"] == "电话问了病情" and call["household_id"] == year["household"]
    assert set(call) == {"id", "household_id", "visited_at", "received_at", "kind", "direct",
                         "diary", "help_given", "flags"}


def test_a_year_of_visits_is_one_small_answer(year, cadre, client):
    answer = sync(cadre)
    raw = answer.get_data()
    assert len(json.loads(raw)["visits"]) == len(year["visits"])
    # Measured at 2026-12-01: a household and 23 visits of the year, diaries included, 6.8 KB.
    assert len(raw) < 16 * 1024, len(raw)
    assert len(gzip.compress(raw)) < 4 * 1024
    packed = cadre.get(f"{API}/sync", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.get_data()) < 4 * 1024


def test_a_later_sync_gives_only_the_visit_made_since(year, cadre, clock):
    cursor = sync(cadre).json["cursor"]
    clock.advance(days=2)
    cursor = sync(cadre, cursor).json["cursor"]
    assert sync(cadre, cursor).json["visits"] == []
    new = visit(cadre, clock, year["household"], 0)
    assert [v["id"] for v in sync(cadre, cursor).json["visits"]] == [new]


def test_visits_older_than_a_year_are_left_behind(year, cadre, clock):
    clock.advance(days=366 - year["oldest"] + 5)  # the oldest visit is a year and 5 days old
    kept = sync(cadre).json["visits"]
    cut = clock.now() - timedelta(days=366)
    assert kept and all(datetime.fromisoformat(v["visited_at"]) >= cut for v in kept)
    assert len(kept) == len(year["visits"]) - 1


def test_another_cadres_visits_never_come_along(year, world, login_as, clock, session):
    from tests import factories

    other = login_as(factories.user(session, "cadre", cadre_=world.cadres["b1"]))
    session.commit()
    mine = visit(other, clock, world.households["b1"].id, 1)
    assert [v["id"] for v in sync(other).json["visits"]] == [mine]
