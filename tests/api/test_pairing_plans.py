"""Pairing plans through HTTP (SPEC §14): a plan for the county, a unit (a unit admin's own),
stored and read back; applying it creates all its pairings (audited) or none when its records
moved (409 plan_out_of_date); a second apply is refused; other roles are refused.

The world: unit A holds village a, unit B village b. Cadre a1 (一般干部) already links
household a1, cadre a2 (正科级) links none, b1 (一般干部) links b1. Added here: household a3
(easier, unpaired: a1 has no room, so uncovered), a4 (harder: a2 takes it with a2's household)
and one in a village no unit holds."""

import pytest
from sqlalchemy import func, select

from service.assignments.models import VillageAssignment
from service.audit.models import AuditEvent
from service.pairings.models import Pairing
from service.planner import rules
from tests import factories

URL = "/api/v1/pairing-plans"


@pytest.fixture
def county(world, session):
    township = world.township
    extra = {
        "a3": factories.household(session, world.villages["a"], difficulty="easier"),
        "a4": factories.household(session, world.villages["a"], difficulty="harder",
                                  needs=["skills_training"]),
        "nobody": factories.household(session, factories.village(session, township)),
    }
    world.cadres["a2"].skills = ["果树种植"]
    session.commit()
    return world, extra


def active_pairings(session) -> int:
    return session.scalar(select(func.count()).select_from(Pairing)
                          .where(Pairing.ended_on.is_(None)))


def test_a_county_plan_covers_what_the_rules_allow_and_says_why_for_the_rest(admin, county):
    world, extra = county
    response = admin.post(URL, json={})
    assert response.status_code == 201, response.get_json()
    plan = response.get_json()
    assert response.headers["Location"] == f"{URL}/{plan['id']}"
    planned = {p["household_id"]: p for p in plan["pairings"]}
    a2 = world.cadres["a2"].id
    assert {h: p["cadre_id"] for h, p in planned.items()} == {
        world.households["a2"].id: a2, extra["a4"].id: a2}
    assert planned[extra["a4"].id]["why"] == {"rank": "section_chief", "difficulty": "harder",
                                              "needs_met": ["skills_training"]}
    assert {u["household_id"]: u["reason"] for u in plan["uncovered"]} == {
        extra["a3"].id: rules.NO_CADRE, extra["nobody"].id: rules.NO_UNIT}
    # 果树种植 (farming) meets a4's 技能培训 and a2's 低收入增收 (the factory's need).
    assert plan["totals"] == {"households": 4, "covered": 2, "uncovered": 2, "needs_met": 2,
                              "cadres": 1, "cadres_in_one_village": 1, "optimal": True}
    assert plan["scope"] == {} and plan["applied_at"] is None
    assert admin.get(f"{URL}/{plan['id']}").get_json() == plan


def test_a_plan_prints_from_one_call_with_every_name(admin, county):
    """SPEC §15: each planned pairing names its cadre, household head and village, and each
    uncovered household its head and village, so a plan prints without a GET per row."""
    world, extra = county
    plan = admin.post(URL, json={}).get_json()
    planned = {p["household_id"]: p for p in plan["pairings"]}
    a4 = planned[extra["a4"].id]
    assert (a4["cadre_name"], a4["household_head_name"], a4["village_name"]) == (
        world.cadres["a2"].name, extra["a4"].head_name, world.villages["a"].name)
    uncovered = {u["household_id"]: u for u in plan["uncovered"]}
    assert uncovered[extra["a3"].id]["household_head_name"] == extra["a3"].head_name
    assert uncovered[extra["a3"].id]["village_name"] == world.villages["a"].name


def test_applying_creates_every_pairing_once_and_is_audited(admin, county, session):
    world, _ = county
    plan = admin.post(URL, json={}).get_json()
    before = active_pairings(session)
    applied = admin.post(f"{URL}/{plan['id']}/apply")
    assert applied.status_code == 200, applied.get_json()
    assert applied.get_json()["applied_at"] is not None
    assert active_pairings(session) == before + 2
    events = session.execute(select(AuditEvent.action, AuditEvent.record_type)
                             .where(AuditEvent.record_type.in_(("pairing", "pairing_plan")))
                             .order_by(AuditEvent.id)).all()
    assert events[-3:] == [("create", "pairing"), ("create", "pairing"),
                           ("update", "pairing_plan")]
    again = admin.post(f"{URL}/{plan['id']}/apply")
    assert again.status_code == 409 and again.get_json()["code"] == "plan_already_applied"
    assert applied.get_json()["applied_at"][:19] in again.get_json()["detail"]  # to the second
    assert active_pairings(session) == before + 2


def test_a_plan_whose_records_moved_is_refused_whole(admin, county, session):
    world, extra = county
    plan = admin.post(URL, json={}).get_json()
    changed = admin.patch(f"/api/v1/households/{extra['a4'].id}", json={"members": 6})
    assert changed.status_code == 200
    before = active_pairings(session)
    refused = admin.post(f"{URL}/{plan['id']}/apply")
    assert refused.status_code == 409 and refused.get_json()["code"] == "plan_out_of_date"
    assert active_pairings(session) == before  # not even the unchanged household's pairing
    fresh = admin.post(URL, json={}).get_json()
    assert admin.post(f"{URL}/{fresh['id']}/apply").status_code == 200


def test_a_unit_admin_plans_its_own_unit_only(unit_admin, admin, county):
    world, _ = county
    mine = unit_admin.post(URL, json={})
    assert mine.status_code == 201
    assert mine.get_json()["scope"] == {"unit_id": world.units["a"].id,
                                        "unit_name": world.units["a"].name}
    assert mine.get_json()["totals"]["households"] == 3  # village a's unpaired households
    other = unit_admin.post(URL, json={"unit_id": world.units["b"].id})
    assert other.status_code == 403
    county_plan = admin.post(URL, json={}).get_json()
    assert unit_admin.get(f"{URL}/{county_plan['id']}").status_code == 404
    assert unit_admin.get(f"{URL}/{mine.get_json()['id']}").status_code == 200


def test_scopes_of_a_township_and_a_village(admin, county):
    world, extra = county
    village = admin.post(URL, json={"village_id": world.villages["b"].id}).get_json()
    assert village["totals"]["households"] == 0
    township = admin.post(URL, json={"township_id": world.township.id}).get_json()
    assert township["totals"]["households"] == 4
    missing = admin.post(URL, json={"village_id": 999_999})
    assert missing.status_code == 422


def test_a_plan_says_when_its_search_for_fewest_splits_had_no_time(admin, world, session, app,
                                                                   monkeypatch):
    """A unit holding two villages, one section chief (two places) and a harder household in
    each: covering both splits the chief whatever the plan does. With PLANNER_SECONDS 0 the
    plan cannot prove that, and says so; with time it proves it. Covered alike both ways."""
    unit = factories.unit(session)
    villages = [factories.village(session, world.township) for _ in range(2)]
    for village in villages:
        factories.assign(session, unit, village)
    chief = factories.cadre(session, unit, rank="section_chief")
    for village in villages:
        factories.household(session, village, difficulty="harder")
    session.commit()
    monkeypatch.setitem(app.config, "PLANNER_SECONDS", 0)
    hurried = admin.post(URL, json={"unit_id": unit.id}).get_json()
    monkeypatch.setitem(app.config, "PLANNER_SECONDS", 20)
    patient = admin.post(URL, json={"unit_id": unit.id}).get_json()
    for plan in (hurried, patient):
        assert {p["cadre_id"] for p in plan["pairings"]} == {chief.id}
        assert plan["totals"]["covered"] == 2 and plan["totals"]["cadres_in_one_village"] == 0
    assert hurried["totals"]["optimal"] is False and patient["totals"]["optimal"] is True


@pytest.mark.parametrize("who", ["cadre", "inspector"])
def test_cadres_and_inspectors_are_refused(request, who, county):
    api = request.getfixturevalue(who)
    assert api.post(URL, json={}).status_code == 403


def test_a_plan_applied_to_the_demo_county_leaves_only_the_gaps_it_listed(login_as, session):
    """A small demo county (its pairings leave gaps on purpose): after the county's plan is
    applied, coverage's households without a cadre are exactly the plan's uncovered ones."""
    from service.demo import DemoSizes, load_demo

    load_demo(factories.context(session), DemoSizes(townships=2, villages=8, units=3,
                                                    cadres=60, households=150), 5,
              progress=False)
    admin = login_as(factories.user(session, "county_admin"))
    session.commit()
    plan = admin.post(URL, json={}).get_json()
    assert plan["totals"]["covered"] > 0
    assert admin.post(f"{URL}/{plan['id']}/apply").status_code == 200
    gaps = admin.get("/api/v1/coverage?limit=1000").get_json()
    left = gaps["households_with_needs_without_cadre"]
    assert sorted(h["id"] for h in left["items"]) == sorted(
        u["household_id"] for u in plan["uncovered"])
    assert left["count"] == plan["totals"]["uncovered"]


def test_a_plan_is_refused_when_its_unit_no_longer_holds_the_village(admin, county, session):
    """The plan's cadres and households are unchanged, but R3 no longer holds: the unit gave
    up the village (its pairings there ended with it). Nothing is created."""
    world, _ = county
    plan = admin.post(URL, json={}).get_json()
    assignment = session.scalar(select(VillageAssignment.id).where(
        VillageAssignment.village_id == world.villages["a"].id,
        VillageAssignment.ended_on.is_(None)))
    ended = admin.post(f"/api/v1/village-assignments/{assignment}/end",
                       json={"reason": "调整包村", "end_pairings": True})
    assert ended.status_code == 200, ended.get_json()
    before = active_pairings(session)
    refused = admin.post(f"{URL}/{plan['id']}/apply")
    assert refused.status_code == 409 and refused.get_json()["code"] == "plan_out_of_date"
    assert active_pairings(session) == before


def test_plans_are_listed_newest_first_with_totals_and_without_pairings(admin, county, world):
    county_plan = admin.post(URL, json={}).json
    unit_plan = admin.post(URL, json={"unit_id": world.units["a"].id}).json
    assert admin.post(f"{URL}/{unit_plan['id']}/apply").status_code == 200
    listed = admin.get(URL)
    assert listed.status_code == 200
    items = listed.json["items"]
    assert [p["id"] for p in items][:2] == [unit_plan["id"], county_plan["id"]]
    first = items[0]
    assert set(first) == {"id", "created_at", "applied_at", "scope", "totals"}
    assert first["applied_at"] is not None and first["totals"] == unit_plan["totals"]
    assert items[1]["applied_at"] is None and items[1]["scope"] == {}
    assert [p["id"] for p in admin.get(f"{URL}?applied=false").json["items"]] \
        == [county_plan["id"]]
    assert [p["id"] for p in admin.get(f"{URL}?unit_id={world.units['a'].id}").json["items"]] \
        == [unit_plan["id"]]


def test_a_unit_admin_lists_its_own_units_plans_only(admin, unit_admin, county, world):
    admin.post(URL, json={})
    admin.post(URL, json={"unit_id": world.units["b"].id})
    own = unit_admin.post(URL, json={}).json
    listed = unit_admin.get(URL).json
    assert [p["id"] for p in listed["items"]] == [own["id"]] and listed["total"] == 1
    assert unit_admin.get(f"{URL}?unit_id={world.units['b'].id}").status_code == 403


@pytest.mark.parametrize("who", ["cadre", "inspector"])
def test_other_roles_list_no_plans(request, who, county):
    assert request.getfixturevalue(who).get(URL).status_code == 403
