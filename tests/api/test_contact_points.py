"""Party organisations, leaders' contact points (联系点) and R7 in the coverage report.

The `world` fixture: unit A holds village a, unit B holds village b; cadres a1 (general) and a2
(section_chief) in A, b1 (general) in B. The unit admin belongs to unit A and the cadre account
is cadre a1.

Dates: "today" is the suite clock's (tests/clock.py), so most tests pass whatever NOW is; a test
that names particular dates (a contact point taken on 2026-02-01 or 2026-03-01) first sets the
clock to a fixed day after them (LATER).
"""

from datetime import timedelta

import pytest

from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
ORGS = f"{API}/party-organizations"
POINTS = f"{API}/contact-points"
COVERAGE = f"{API}/coverage"
PROBLEM = "application/problem+json"
ALL_MISSING = ["weak_village_branch", "non_public_economic", "social_organization"]
LATER = "2026-04-15"  # "now" for the tests that name dates early in 2026


# --- helpers -----------------------------------------------------------------------------


def problem(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.json
    assert body["status"] == status and body["code"] == code
    return body


def created(resp, collection: str) -> dict:
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.headers["Location"] == f"{collection}/{resp.json['id']}"
    return resp.json


def ok(resp) -> dict:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.json


def listing(api, url: str, **query) -> dict:
    body = ok(api.get(url, query_string=query))
    assert body["total"] == len(body["items"])
    return body


def ids(api, url: str, **query) -> set[int]:
    return {item["id"] for item in listing(api, url, **query)["items"]}


_names = iter(range(1, 10_000))


def org(admin, kind: str, weak: bool = False, **extra) -> dict:
    return created(admin.post(ORGS, json={"name": f"党组织{next(_names)}", "kind": kind,
                                          "weak": weak, **extra}), ORGS)


def take(admin, cadre, organization: dict, **extra):
    return admin.post(POINTS, json={"cadre_id": cadre.id, "organization_id": organization["id"],
                                    **extra})


def new_cadre(session, world, unit: str = "a", rank: str = "county_level"):
    c = factories.cadre(session, world.units[unit], rank=rank)
    session.commit()
    return c


def missing_for(api, cadre) -> list[str] | None:
    """What coverage says the cadre lacks (None: not listed)."""
    section = ok(api.get(COVERAGE))["leaders_missing_contact_points"]
    listed = [item for item in section["items"] if item["id"] == cadre.id]
    return listed[0]["missing"] if listed else None


# --- party organisations -----------------------------------------------------------------


def test_county_admin_creates_reads_edits_and_lists_organisations(admin, world):
    body = created(admin.post(ORGS, json={"name": "  西沟村党支部 ", "kind": "village_branch",
                                          "weak": True, "village_id": world.villages["a"].id}),
                   ORGS)
    assert body == {"id": body["id"], "name": "西沟村党支部", "kind": "village_branch",
                    "weak": True, "village_id": world.villages["a"].id}
    assert ok(admin.get(f"{ORGS}/{body['id']}")) == body
    edited = ok(admin.patch(f"{ORGS}/{body['id']}", json={"weak": False}))
    assert edited["weak"] is False
    assert body["id"] in ids(admin, ORGS, kind="village_branch", weak="false")
    assert body["id"] not in ids(admin, ORGS, kind="social_organization")
    assert body["id"] in ids(admin, ORGS, q="西沟")


def test_a_duplicate_organisation_name_is_refused(admin, world):
    org_ = org(admin, "social_organization")
    before = listing(admin, ORGS)["total"]
    problem(admin.post(ORGS, json={"name": org_["name"], "kind": "non_public_economic"}),
            409, "already_exists")
    assert listing(admin, ORGS)["total"] == before


@pytest.mark.parametrize("kind", ["company", "VILLAGE_BRANCH", "", None])
def test_organisation_kind_must_be_one_of_the_three(admin, world, kind):
    before = listing(admin, ORGS)["total"]
    body = problem(admin.post(ORGS, json={"name": "某组织", "kind": kind}), 422,
                   "validation_failed")
    assert "kind" in body["errors"]
    assert listing(admin, ORGS)["total"] == before


def test_an_organisation_in_an_unknown_village_is_a_validation_error(admin, world):
    body = problem(admin.post(ORGS, json={"name": "某村支部", "kind": "village_branch",
                                          "village_id": 999999}), 422, "validation_failed")
    assert "village_id" in body["errors"]


def test_an_unused_organisation_can_be_deleted(admin, world):
    org_ = org(admin, "social_organization")
    resp = admin.delete(f"{ORGS}/{org_['id']}")
    assert resp.status_code == 204, resp.get_data(as_text=True)
    problem(admin.get(f"{ORGS}/{org_['id']}"), 404, "not_found")


def test_an_organisation_used_by_a_contact_point_cannot_be_deleted(admin, session, world):
    org_ = org(admin, "non_public_economic")
    point = created(take(admin, new_cadre(session, world), org_), POINTS)
    problem(admin.delete(f"{ORGS}/{org_['id']}"), 409, "has_dependents")
    # Even after the contact point ended: its history still names the organisation.
    ok(admin.post(f"{POINTS}/{point['id']}/end", json={"reason": "调整"}))
    problem(admin.delete(f"{ORGS}/{org_['id']}"), 409, "has_dependents")
    assert ok(admin.get(f"{ORGS}/{org_['id']}"))["id"] == org_["id"]


@pytest.mark.parametrize("role", ["unit_admin", "cadre", "inspector"])
def test_only_the_county_admin_writes_organisations(login_as, admin, world, role):
    api = login_as(world.users[role])
    org_ = org(admin, "social_organization")
    problem(api.post(ORGS, json={"name": "新组织", "kind": "social_organization"}), 403,
            "forbidden")
    problem(api.patch(f"{ORGS}/{org_['id']}", json={"weak": True}), 403, "forbidden")
    problem(api.delete(f"{ORGS}/{org_['id']}"), 403, "forbidden")
    assert ok(admin.get(f"{ORGS}/{org_['id']}"))["weak"] is False


# --- contact points ----------------------------------------------------------------------


def test_a_leader_takes_an_organisation_as_a_contact_point(admin, session, world):
    leader = new_cadre(session, world)
    branch = org(admin, "village_branch", weak=True)
    body = created(take(admin, leader, branch), POINTS)
    assert body == {
        "id": body["id"], "cadre_id": leader.id, "cadre_name": leader.name,
        "cadre_rank": "county_level", "unit_id": world.units["a"].id,
        "organization_id": branch["id"], "organization_name": branch["name"],
        "kind": "village_branch", "weak": True, "started_on": CLOCK.today().isoformat(),
        "ended_on": None, "end_reason": None, "active": True,
    }
    assert ok(admin.get(f"{POINTS}/{body['id']}")) == body


def test_taking_the_same_organisation_twice_while_active_is_refused(admin, session, world):
    leader = new_cadre(session, world)
    branch = org(admin, "village_branch", weak=True)
    created(take(admin, leader, branch), POINTS)
    before = listing(admin, POINTS)["total"]
    problem(take(admin, leader, branch), 409, "contact_point_exists")
    assert listing(admin, POINTS)["total"] == before


def test_two_leaders_may_take_the_same_organisation(admin, session, world):
    branch = org(admin, "village_branch", weak=True)
    created(take(admin, new_cadre(session, world), branch), POINTS)
    created(take(admin, new_cadre(session, world, unit="b"), branch), POINTS)


def test_ending_a_contact_point_keeps_history_and_allows_taking_it_again(admin, session, world,
                                                                        clock):
    clock.set(LATER)
    leader = new_cadre(session, world)
    npe = org(admin, "non_public_economic")
    first = created(take(admin, leader, npe, started_on="2026-02-01"), POINTS)
    ended = ok(admin.post(f"{POINTS}/{first['id']}/end", json={"reason": "企业注销"}))
    assert ended["active"] is False and ended["ended_on"] == CLOCK.today().isoformat()
    assert ended["end_reason"] == "企业注销"
    again = created(take(admin, leader, npe), POINTS)
    assert again["id"] != first["id"] and again["active"] is True
    assert ids(admin, POINTS, cadre_id=leader.id) == {first["id"], again["id"]}
    assert ids(admin, POINTS, cadre_id=leader.id, active="false") == {first["id"]}
    assert ok(admin.get(f"{POINTS}/{first['id']}")) == ended


def test_ending_a_contact_point_twice_is_refused(admin, session, world):
    point = created(take(admin, new_cadre(session, world), org(admin, "social_organization")),
                    POINTS)
    ok(admin.post(f"{POINTS}/{point['id']}/end", json={"reason": "调整"}))
    problem(admin.post(f"{POINTS}/{point['id']}/end", json={"reason": "再次"}), 409,
            "contact_point_already_ended")
    assert ok(admin.get(f"{POINTS}/{point['id']}"))["end_reason"] == "调整"


def test_contact_point_dates_are_validated(admin, session, world, clock):
    clock.set(LATER)
    leader = new_cadre(session, world)
    tomorrow = (CLOCK.local().date() + timedelta(days=1)).isoformat()
    body = problem(take(admin, leader, org(admin, "social_organization"), started_on=tomorrow),
                   422, "validation_failed")
    assert "started_on" in body["errors"]
    point = created(take(admin, leader, org(admin, "social_organization"),
                         started_on="2026-03-01"), POINTS)
    body = problem(admin.post(f"{POINTS}/{point['id']}/end",
                              json={"reason": "x", "ended_on": "2026-02-28"}),
                   422, "validation_failed")
    assert "ended_on" in body["errors"]
    assert ok(admin.get(f"{POINTS}/{point['id']}"))["active"] is True


def test_a_contact_point_of_unknown_cadre_or_organisation_is_a_validation_error(admin, world):
    body = problem(admin.post(POINTS, json={"cadre_id": 999999, "organization_id": 999999}),
                   422, "validation_failed")
    assert {"cadre_id", "organization_id"} <= set(body["errors"])


def test_contact_points_filter_by_cadre_kind_and_active(admin, session, world):
    leader, other = new_cadre(session, world), new_cadre(session, world, unit="b")
    branch = created(take(admin, leader, org(admin, "village_branch", weak=True)), POINTS)
    npe = created(take(admin, leader, org(admin, "non_public_economic")), POINTS)
    social = created(take(admin, other, org(admin, "social_organization")), POINTS)
    ok(admin.post(f"{POINTS}/{npe['id']}/end", json={"reason": "调整"}))
    assert ids(admin, POINTS) == {branch["id"], npe["id"], social["id"]}
    assert ids(admin, POINTS, cadre_id=leader.id) == {branch["id"], npe["id"]}
    assert ids(admin, POINTS, kind="village_branch") == {branch["id"]}
    assert ids(admin, POINTS, kind="social_organization") == {social["id"]}
    assert ids(admin, POINTS, active="true") == {branch["id"], social["id"]}
    assert ids(admin, POINTS, active="false") == {npe["id"]}
    assert ids(admin, POINTS, cadre_id=leader.id, active="true") == {branch["id"]}
    assert ids(admin, POINTS, unit_id=world.units["b"].id) == {social["id"]}


def test_unit_admin_and_cadre_see_only_their_own_contact_points(admin, login_as, session, world):
    branch = org(admin, "village_branch", weak=True)
    own_cadre = created(take(admin, world.cadres["a1"], branch), POINTS)
    same_unit = created(take(admin, world.cadres["a2"], branch), POINTS)
    other_unit = created(take(admin, new_cadre(session, world, unit="b"), branch), POINTS)
    unit_admin, cadre = login_as(world.users["unit_admin"]), login_as(world.users["cadre"])
    assert ids(unit_admin, POINTS) == {own_cadre["id"], same_unit["id"]}
    assert ids(unit_admin, POINTS, unit_id=world.units["b"].id) == set()
    assert ids(cadre, POINTS) == {own_cadre["id"]}
    problem(unit_admin.get(f"{POINTS}/{other_unit['id']}"), 404, "not_found")
    problem(cadre.get(f"{POINTS}/{same_unit['id']}"), 404, "not_found")
    assert ok(cadre.get(f"{POINTS}/{own_cadre['id']}"))["id"] == own_cadre["id"]
    assert ids(login_as(world.users["inspector"]), POINTS) == {
        own_cadre["id"], same_unit["id"], other_unit["id"]}


@pytest.mark.parametrize("role", ["unit_admin", "cadre", "inspector"])
def test_only_the_county_admin_creates_or_ends_contact_points(login_as, admin, world, role):
    api = login_as(world.users[role])
    branch = org(admin, "village_branch", weak=True)
    problem(api.post(POINTS, json={"cadre_id": world.cadres["a2"].id,
                                   "organization_id": branch["id"]}), 403, "forbidden")
    assert listing(admin, POINTS)["total"] == 0
    point = created(take(admin, world.cadres["a2"], branch), POINTS)
    problem(api.post(f"{POINTS}/{point['id']}/end", json={"reason": "x"}), 403, "forbidden")
    assert ok(admin.get(f"{POINTS}/{point['id']}"))["active"] is True


# --- R7 in the coverage report -----------------------------------------------------------


def test_a_county_leader_with_no_contact_points_misses_all_three(admin, session, world):
    leader = new_cadre(session, world)
    assert missing_for(admin, leader) == ALL_MISSING


def test_a_county_leader_holding_all_three_is_no_longer_listed(admin, session, world):
    leader = new_cadre(session, world)
    created(take(admin, leader, org(admin, "village_branch", weak=True)), POINTS)
    assert missing_for(admin, leader) == ["non_public_economic", "social_organization"]
    created(take(admin, leader, org(admin, "non_public_economic")), POINTS)
    assert missing_for(admin, leader) == ["social_organization"]
    created(take(admin, leader, org(admin, "social_organization")), POINTS)
    assert missing_for(admin, leader) is None


def test_a_branch_that_is_not_weak_does_not_count_as_the_weak_branch(admin, session, world):
    leader = new_cadre(session, world)
    created(take(admin, leader, org(admin, "village_branch", weak=False)), POINTS)
    created(take(admin, leader, org(admin, "non_public_economic")), POINTS)
    created(take(admin, leader, org(admin, "social_organization")), POINTS)
    assert missing_for(admin, leader) == ["weak_village_branch"]


def test_a_section_chief_needs_only_a_weak_village_branch(admin, session, world):
    chief = world.cadres["a2"]
    assert missing_for(admin, chief) == ["weak_village_branch"]
    created(take(admin, chief, org(admin, "village_branch", weak=True)), POINTS)
    assert missing_for(admin, chief) is None


def test_general_cadres_need_no_contact_points(admin, world):
    assert missing_for(admin, world.cadres["a1"]) is None
    assert missing_for(admin, world.cadres["b1"]) is None


def test_an_ended_contact_point_no_longer_counts(admin, session, world):
    chief = world.cadres["a2"]
    point = created(take(admin, chief, org(admin, "village_branch", weak=True)), POINTS)
    assert missing_for(admin, chief) is None
    ok(admin.post(f"{POINTS}/{point['id']}/end", json={"reason": "支部已整顿"}))
    assert missing_for(admin, chief) == ["weak_village_branch"]


def test_coverage_counts_every_leader_missing_contact_points(admin, session, world):
    section = ok(admin.get(COVERAGE))["leaders_missing_contact_points"]
    before = section["count"]
    leader = new_cadre(session, world)
    report = ok(admin.get(COVERAGE))
    assert report["leaders_missing_contact_points"]["count"] == before + 1
    assert report["summary"]["leaders_missing_contact_points"] == before + 1
    listed = [i for i in report["leaders_missing_contact_points"]["items"] if i["id"] == leader.id]
    assert listed == [{"id": leader.id, "name": leader.name, "unit_id": world.units["a"].id,
                       "unit_name": world.units["a"].name, "rank": "county_level",
                       "missing": ALL_MISSING}]


def test_unit_admin_coverage_lists_only_its_units_leaders(login_as, session, world):
    leader_a, leader_b = new_cadre(session, world), new_cadre(session, world, unit="b")
    unit_admin = login_as(world.users["unit_admin"])
    assert missing_for(unit_admin, leader_a) == ALL_MISSING
    assert missing_for(unit_admin, leader_b) is None
    assert missing_for(login_as(world.users["inspector"]), leader_b) == ALL_MISSING
