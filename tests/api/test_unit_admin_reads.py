"""SPEC §15: unit admins read GET /api/v1/audit and GET /api/v1/reports/evaluation, filtered to
their own unit.

A unit's events are those on its own records (service/scope.py `unit_events`): the unit, the
villages it holds and their publications, its village assignments, its cadres with their
pairings and contact points, the households of its villages with their tasks, demands and
visits, its accounts and its pairing plans. The county admin changes one record of every kind
on each side of two units here (and records of neither: a township, a party organisation, an
inspection); unit A's admin then reads the trail and must find every kind of its own and
never one of unit B's, whatever the filters.

The `world` fixture: unit A holds village a, unit B village b; cadres a1, a2 (A) and b1 (B);
households a1, a2 (village a), b1 (village b); a1 and b1 are paired since 2026-01-01.
"""

import uuid
from datetime import timedelta

import pytest

from tests import factories
from tests.months import LAST_FIRST

API = "/api/v1"
LAST = LAST_FIRST.strftime("%Y-%m")


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:600]
    return response.json


def patch(api, url: str, changes: dict) -> dict:
    etag = api.get(url).headers.get("ETag")
    return ok(api.patch(url, json=changes, headers={"If-Match": etag} if etag else {}))


@pytest.fixture
def trail(world, admin, inspector, cadre, session, clock, login_as):
    """{(record_type, record_id): "A" | "B" | None}: every record the county admin changed,
    and whose it is (None: the county's own, or an inspection)."""
    whose: dict[tuple[str, str], str | None] = {}

    def mark(kind: str, record_id, side: str | None) -> None:
        whose[(kind, str(record_id))] = side

    cadre_b1 = login_as(factories.user(session, "cadre", cadre_=world.cadres["b1"]))
    session.commit()
    township = world.township.id
    for side, unit, village, household, cadre_key, clerk in (
            ("A", world.units["a"], world.villages["a"], world.households["a1"], "a2", cadre),
            ("B", world.units["b"], world.villages["b"], world.households["b1"], "b1",
             cadre_b1)):
        patch(admin, f"{API}/units/{unit.id}", {"name": f"单位{side}改名"})
        mark("unit", unit.id, side)
        patch(admin, f"{API}/villages/{village.id}", {"name": f"{side}村改名"})
        mark("village", village.id, side)
        patch(admin, f"{API}/households/{household.id}", {"members": 6})
        mark("household", household.id, side)
        patch(admin, f"{API}/cadres/{world.cadres[cadre_key].id}", {"name": f"干部{side}改名"})
        mark("cadre", world.cadres[cadre_key].id, side)
        task = ok(admin.post(f"{API}/tasks", json={
            "household_id": household.id, "category": "skills_training",
            "description": "技能培训", "due_on": (clock.today() + timedelta(days=9)).isoformat()}),
            201)
        mark("task", task["id"], side)
        demand = ok(admin.post(f"{API}/demands", json={
            "id": str(uuid.uuid4()), "household_id": household.id, "category": "road_repair",
            "description": "修路"}), 201)
        mark("demand", demand["id"], side)
        visit = ok(clerk.post(f"{API}/visits", json={
            "id": str(uuid.uuid4()), "household_id": household.id, "kind": "home_visit",
            "visited_at": (clock.local() - timedelta(days=1)).isoformat()}), 201)
        mark("visit", visit["id"], side)
        newcomer = ok(admin.post(f"{API}/cadres", json={
            "name": f"新干部{side}", "unit_id": unit.id, "rank": "general"}), 201)
        mark("cadre", newcomer["id"], side)
        home = ok(admin.post(f"{API}/households", json={
            "village_id": village.id, "head_name": f"新户{side}",
            "id_number": factories.valid_id_number(), "members": 2, "difficulty": "easier",
            "needs": ["low_income"]}), 201)
        mark("household", home["id"], side)
        for generated in ok(admin.get(f"{API}/tasks?household_id={home['id']}"))["items"]:
            mark("task", generated["id"], side)
        pairing = ok(admin.post(f"{API}/pairings", json={
            "cadre_id": newcomer["id"], "household_id": home["id"]}), 201)
        mark("pairing", pairing["id"], side)
        organization = ok(admin.post(f"{API}/party-organizations", json={
            "name": f"{side}村党支部", "kind": "village_branch", "weak": True,
            "village_id": village.id}), 201)
        mark("party_organization", organization["id"], None)
        point = ok(admin.post(f"{API}/contact-points", json={
            "cadre_id": newcomer["id"], "organization_id": organization["id"]}), 201)
        mark("contact_point", point["id"], side)
        account = ok(admin.post(f"{API}/users", json={
            "username": f"clerk_{side.lower()}", "password": factories.PASSWORD,
            "role": "cadre", "cadre_id": newcomer["id"]}), 201)
        mark("user", account["id"], side)
        new_village = ok(admin.post(f"{API}/villages", json={
            "code": f"{world.township.code}9{'AB'.index(side)}1", "name": f"新村{side}",
            "township_id": township}), 201)
        mark("village", new_village["id"], side)
        assignment = ok(admin.post(f"{API}/village-assignments", json={
            "unit_id": unit.id, "village_id": new_village["id"]}), 201)
        mark("village_assignment", assignment["id"], side)
        plan = ok(admin.post(f"{API}/pairing-plans", json={"unit_id": unit.id}), 201)
        mark("pairing_plan", plan["id"], side)
        published = ok(admin.post(f"{API}/disclosures", json={"village_id": village.id,
                                                              "month": LAST}), 201)
        mark("disclosure", published["id"], side)
    patch(admin, f"{API}/townships/{township}", {"name": "改名乡"})
    mark("township", township, None)
    inspection = ok(inspector.post(f"{API}/inspections", json={
        "village_id": world.villages["a"].id, "inspected_on": clock.today().isoformat(),
        "household_checks": [{"household_id": world.households["a1"].id, "knows_cadre": True,
                              "has_contact_card": True, "visit_confirmed": True,
                              "satisfaction": "satisfied"}]}), 201)
    mark("inspection", inspection["id"], None)
    return whose


def events(api, query: str = "") -> list[dict]:
    body = ok(api.get(f"{API}/audit?per_page=500{query}"))
    assert body["total"] == len(body["items"])
    return body["items"]


def test_a_unit_admin_reads_every_kind_of_its_units_events_and_none_of_another(
        world, admin, unit_admin, trail):
    everything = events(admin)
    about = {(e["record_type"], e["record_id"]) for e in everything}
    assert set(trail) <= about  # every change was recorded
    seen = events(unit_admin)
    assert seen, "unit A's admin reads nothing"
    for event in seen:
        assert trail.get((event["record_type"], event["record_id"])) == "A", event
    own = {key for key, side in trail.items() if side == "A"}
    assert {(e["record_type"], e["record_id"]) for e in seen} == own
    assert {kind for kind, _ in own} == {
        "unit", "village", "household", "cadre", "task", "demand", "visit", "pairing",
        "contact_point", "user", "village_assignment", "pairing_plan", "disclosure"}
    # Each of unit A's records shows all of its events, as the county admin reads them.
    assert [e["id"] for e in seen] == [
        e["id"] for e in everything if trail.get((e["record_type"], e["record_id"])) == "A"]


def test_no_filter_brings_another_units_events_back(world, admin, unit_admin, trail):
    for (kind, record_id), side in trail.items():
        if side == "A":
            continue
        assert events(admin, f"&record_type={kind}&record_id={record_id}")
        assert events(unit_admin, f"&record_type={kind}&record_id={record_id}") == []
    by_admin = events(unit_admin, f"&user_id={world.users['county_admin'].id}")
    assert by_admin and all(trail.get((e["record_type"], e["record_id"])) == "A"
                            for e in by_admin)


def test_a_cadre_still_may_not_read_the_trail(world, cadre, trail):
    refused = cadre.get(f"{API}/audit")
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"


# --- the evaluation ----------------------------------------------------------------------------


def evaluation(api, query: str = "") -> dict:
    return ok(api.get(f"{API}/reports/evaluation?year={YEAR()}{query}"))


def YEAR() -> int:  # noqa: N802  (the clock's year, read when the test runs)
    from tests.clock import CLOCK

    return CLOCK.today().year


def test_a_unit_admin_reads_its_own_units_evaluation(world, admin, unit_admin):
    county = evaluation(admin)
    assert {r["unit_id"] for r in county["cadres"]} == {world.units["a"].id,
                                                        world.units["b"].id}
    own = evaluation(unit_admin)
    assert own["total"] == len(own["cadres"]) >= 1
    assert {r["unit_id"] for r in own["cadres"]} == {world.units["a"].id}
    assert own["cadres"] == [r for r in county["cadres"] if r["unit_id"] == world.units["a"].id]
    assert evaluation(unit_admin, f"&unit_id={world.units['a'].id}")["cadres"] == own["cadres"]
    assert evaluation(unit_admin, f"&township_id={world.township.id}")["cadres"] == own["cadres"]
    csv = unit_admin.get(f"{API}/reports/evaluation?year={YEAR()}&format=csv")
    assert csv.status_code == 200
    text = csv.get_data(as_text=True)
    assert world.cadres["a1"].name in text and world.cadres["b1"].name not in text


@pytest.mark.parametrize("unit", ["b", None])
def test_another_unit_or_none_is_refused_alike(world, unit_admin, unit):
    other = world.units[unit].id if unit else 2_000_000_000
    refused = unit_admin.get(f"{API}/reports/evaluation?year={YEAR()}&unit_id={other}")
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    assert str(other) not in refused.json["detail"]
