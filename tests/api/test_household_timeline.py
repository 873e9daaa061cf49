"""SPEC §15 "A household's story": GET /api/v1/households/{id}/timeline — the audit events of
the household and of its pairings, tasks, demands and visits, newest first and paginated, each
with record_type, record_id, action, at, user_id and changes; personal data never shown; the
household found as its GET finds it (404 outside scope, alike for missing); each kind of record
around it as the caller may see it (a cadre: its own pairings and visits, not its
predecessor's).

The `world` fixture: unit A holds village a, unit B village b; cadre a1 (the cadre account) is
paired with household a1, cadre b1 with household b1. The story is made here through the API
at noon of the clock's day (so a pairing begun today can be visited before now, on any day).
"""

import uuid
from datetime import datetime, time, timedelta

import pytest

from tests import factories
from tests.clock import CST

API = "/api/v1"
TYPES = {"household", "pairing", "task", "demand", "visit"}


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:600]
    return response.json


def timeline(api, household, query: str = "per_page=500") -> dict:
    return ok(api.get(f"{API}/households/{household.id}/timeline?{query}"))


def edit_household(api, household, changes: dict) -> None:
    etag = api.get(f"{API}/households/{household.id}").headers["ETag"]
    ok(api.patch(f"{API}/households/{household.id}", json=changes, headers={"If-Match": etag}))


def log_visit(api, household, clock) -> str:
    body = {"id": str(uuid.uuid4()), "household_id": household.id,
            "visited_at": clock.local().isoformat(), "kind": "home_visit",
            "diary": "了解家中种植情况"}
    return ok(api.post(f"{API}/visits", json=body), 201)["id"]


def raise_demand(api, household) -> str:
    body = {"id": str(uuid.uuid4()), "household_id": household.id,
            "category": "housing_repair", "description": "房屋漏雨"}
    return ok(api.post(f"{API}/demands", json=body), 201)["id"]


def add_task(api, household, clock) -> int:
    task = ok(api.post(f"{API}/tasks", json={
        "household_id": household.id, "category": "skills_training", "description": "技能培训",
        "due_on": (clock.today() + timedelta(days=30)).isoformat()}), 201)
    ok(api.post(f"{API}/tasks/{task['id']}/transition", json={"to": "in_progress"}))
    return task["id"]


def active_pairing(api, household) -> dict:
    [pairing] = ok(api.get(f"{API}/pairings?household_id={household.id}&active=true"))["items"]
    return pairing


@pytest.fixture
def story(world, admin, cadre, session, clock, login_as):
    """Household a1's year in the record, and something of every other household's."""
    clock.set(datetime.combine(clock.today(), time(12), CST))
    a1, a2, b1 = (world.households[k] for k in ("a1", "a2", "b1"))
    s = {"first_visit": log_visit(cadre, a1, clock), "demand": raise_demand(cadre, a1)}
    edit_household(admin, a1, {"members": 5, "phone": "13700002222"})
    s["task"] = add_task(admin, a1, clock)
    s["old_pairing"] = active_pairing(admin, a1)["id"]
    ok(admin.post(f"{API}/pairings/{s['old_pairing']}/end", json={"reason": "干部调离"}))
    successor = factories.cadre(session, world.units["a"])
    s["successor"] = factories.user(session, "cadre", cadre_=successor)
    session.commit()
    s["new_pairing"] = ok(admin.post(f"{API}/pairings", json={
        "cadre_id": successor.id, "household_id": a1.id}), 201)["id"]
    s["second_visit"] = log_visit(login_as(s["successor"]), a1, clock)
    # The neighbours' own stories, which a1's must not show.
    edit_household(admin, a2, {"members": 4})
    add_task(admin, b1, clock)
    log_visit(login_as(factories.user(session, "cadre", cadre_=world.cadres["b1"])), b1, clock)
    return s


def records(body: dict) -> set[tuple[str, str]]:
    return {(e["record_type"], e["record_id"]) for e in body["items"]}


def test_the_whole_story_newest_first(world, admin, story):
    body = timeline(admin, world.households["a1"])
    items = body["items"]
    assert body["total"] == len(items) and body["page"] == 1
    assert [e["id"] for e in items] == sorted((e["id"] for e in items), reverse=True)
    assert {e["record_type"] for e in items} == TYPES
    h = str(world.households["a1"].id)
    assert records(body) == {
        ("household", h), ("visit", story["first_visit"]), ("visit", story["second_visit"]),
        ("demand", story["demand"]), ("task", str(story["task"])),
        ("pairing", str(story["old_pairing"])), ("pairing", str(story["new_pairing"]))}
    actions = [(e["record_type"], e["action"]) for e in reversed(items)]
    assert actions.index(("pairing", "end")) < actions.index(("pairing", "create"))
    assert ("task", "transition") in actions and ("task", "create") in actions
    update = next(e for e in items if e["record_type"] == "household")
    assert update["action"] == "update"
    assert update["user_id"] == world.users["county_admin"].id
    assert update["changes"]["members"] == [3, 5]
    assert update["changes"]["phone"] == ["[redacted]", "[redacted]"]
    for event in items:
        assert set(event) >= {"record_type", "record_id", "action", "at", "user_id", "changes"}


def test_pages_of_the_story(world, admin, story):
    whole = timeline(admin, world.households["a1"])["items"]
    first = timeline(admin, world.households["a1"], "per_page=3")
    second = timeline(admin, world.households["a1"], "per_page=3&page=2")
    assert first["total"] == second["total"] == len(whole) and first["per_page"] == 3
    assert first["items"] + second["items"] == whole[:6]


def test_a_unit_admin_and_an_inspector_read_it_as_the_county_admin(world, admin, unit_admin,
                                                                  inspector, story):
    whole = timeline(admin, world.households["a1"])
    assert timeline(unit_admin, world.households["a1"]) == whole
    assert timeline(inspector, world.households["a1"]) == whole


def test_a_cadre_reads_its_households_story_without_its_predecessors_visits(
        world, login_as, story):
    body = timeline(login_as(story["successor"]), world.households["a1"])
    seen = records(body)
    assert ("visit", story["second_visit"]) in seen
    assert ("pairing", str(story["new_pairing"])) in seen
    assert ("visit", story["first_visit"]) not in seen
    assert ("pairing", str(story["old_pairing"])) not in seen
    assert {("household", str(world.households["a1"].id)), ("demand", story["demand"]),
            ("task", str(story["task"]))} <= seen


def test_personal_data_is_never_in_the_story(world, admin, unit_admin, inspector, login_as,
                                             story):
    for api in (admin, unit_admin, inspector, login_as(story["successor"])):
        text = api.get(f"{API}/households/{world.households['a1'].id}/timeline").get_data(
            as_text=True)
        assert "13700002222" not in text and "了解家中种植情况" not in text
        assert world.households["a1"].id_number not in text


def assert_alike_404(hidden, absent, hidden_id: int, absent_id: int) -> None:
    assert hidden.status_code == absent.status_code == 404
    assert hidden.content_type == absent.content_type == "application/problem+json"
    assert hidden.json["detail"].replace(str(hidden_id), "N") == absent.json["detail"].replace(
        str(absent_id), "N")
    assert hidden.json["code"] == absent.json["code"]


@pytest.mark.parametrize("role, household", [
    ("unit_admin", "b1"), ("cadre", "a2"), ("cadre", "b1")])
def test_out_of_scope_answers_as_missing(world, login_as, story, role, household):
    api = login_as(world.users[role])
    hidden_id, absent_id = world.households[household].id, 2_000_000_000
    assert_alike_404(api.get(f"{API}/households/{hidden_id}/timeline"),
                     api.get(f"{API}/households/{absent_id}/timeline"), hidden_id, absent_id)


def test_a_cadre_whose_pairing_ended_no_longer_reads_it(world, cadre, story):
    """Cadre a1 handed household a1 to its successor."""
    assert cadre.get(f"{API}/households/{world.households['a1'].id}/timeline").status_code == 404


@pytest.mark.parametrize("query", ["page=0", "per_page=0", "per_page=501", f"page={2**63}",
                                   "page=%00", "per_page=1e308"])
def test_hostile_pages_are_422(world, admin, query):
    response = admin.get(f"{API}/households/{world.households['a1'].id}/timeline?{query}")
    assert response.status_code == 422, response.json
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("household_id", [str(2**63), "-1", "0", "x"])
def test_hostile_ids_are_404(admin, household_id):
    response = admin.get(f"{API}/households/{household_id}/timeline")
    assert response.status_code == 404 and response.content_type == "application/problem+json"


def test_anonymous_callers_are_refused(world, anonymous):
    assert anonymous.get(f"{API}/households/{world.households['a1'].id}/timeline"
                         ).status_code == 401


def test_a_household_with_no_events_has_an_empty_story(world, admin):
    body = timeline(admin, world.households["a2"])
    assert body == {"items": [], "total": 0, "page": 1, "per_page": 500}
