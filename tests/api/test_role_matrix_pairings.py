"""Who may call what on 包村, 联户, handover, party organisations, contact points and coverage.

The roles each endpoint allows are those of its `@require(...)`; inside an allowed role the
scope decides (docs/design.md "Who sees what"): a unit admin sees its own unit's assignments,
pairings and contact points, a cadre its own pairings and contact points and its unit's
assignments. A record outside the caller's scope answers 404, exactly as if it did not exist; a
write that would reach outside the scope through the body (another unit's cadre, an R4
override, another unit's coverage) is 403.
"""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from service.assignments.models import VillageAssignment
from service.contacts.models import ContactPoint, PartyOrganization
from service.pairings.models import Pairing
from tests import factories
from tests.clock import CST, NOW

API = "/api/v1"
PROBLEM = "application/problem+json"
ROLES = ("county_admin", "unit_admin", "cadre", "inspector", "anonymous")
ERROR_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found",
               422: "validation_failed"}

# Spare records start a month before NOW (the suite clock's start, tests/clock.py), so ending
# them today (county time) is always valid.
RECENT = NOW.astimezone(CST).date() - timedelta(days=30)

# The unit admin is unit A's; the cadre account is cadre a1 (unit A), paired with household a1.
# {placeholders} name records built by the `refs` fixture, fresh for every test; bodies come
# from the `bodies` fixture and are valid, so a refusal can only come from the role or scope.
#
#    method    path                                       body             cnty unit cadr insp anon
MATRIX = [
    ("GET",    "/village-assignments",                    None,            200, 200, 200, 200, 401),
    ("POST",   "/village-assignments",                    "assign_a",      201, 403, 403, 403, 401),
    ("POST",   "/village-assignments",                    "assign_b",      201, 403, 403, 403, 401),
    ("GET",    "/village-assignments/{hold_a}",           None,            200, 200, 200, 200, 401),
    ("GET",    "/village-assignments/{hold_b}",           None,            200, 404, 404, 200, 401),
    ("POST",   "/village-assignments/{spare_hold_a}/end", "end",           200, 403, 403, 403, 401),
    ("POST",   "/village-assignments/{spare_hold_b}/end", "end",           200, 403, 403, 403, 401),

    ("GET",    "/pairings",                               None,            200, 200, 200, 200, 401),
    ("POST",   "/pairings",                               "pair_in_a",     201, 201, 403, 403, 401),
    ("POST",   "/pairings",                               "pair_in_b",     201, 422, 403, 403, 401),
    ("POST",   "/pairings",                               "pair_override", 201, 403, 403, 403, 401),
    ("GET",    "/pairings/{pairing_a1}",                  None,            200, 200, 200, 200, 401),
    ("GET",    "/pairings/{pairing_a2}",                  None,            200, 200, 404, 200, 401),
    ("GET",    "/pairings/{pairing_b1}",                  None,            200, 404, 404, 200, 401),
    ("POST",   "/pairings/{spare_pairing_a}/end",         "end",           200, 200, 403, 403, 401),
    ("POST",   "/pairings/{spare_pairing_b}/end",         "end",           200, 404, 403, 403, 401),

    ("POST",   "/cadres/{giver_a}/handover",              "hand_to_a",     200, 200, 403, 403, 401),
    ("POST",   "/cadres/{giver_b}/handover",              "hand_to_b",     200, 404, 403, 403, 401),
    ("POST",   "/cadres/{idle_cadre_a}/handover",         "hand_to_b",     200, 422, 403, 403, 401),

    ("GET",    "/party-organizations",                    None,            200, 200, 200, 200, 401),
    ("POST",   "/party-organizations",                    "new_org",       201, 403, 403, 403, 401),
    ("GET",    "/party-organizations/{org}",              None,            200, 200, 200, 200, 401),
    ("PATCH",  "/party-organizations/{org}",              "org_patch",     200, 403, 403, 403, 401),
    ("DELETE", "/party-organizations/{spare_org}",        None,            204, 403, 403, 403, 401),

    ("GET",    "/contact-points",                         None,            200, 200, 200, 200, 401),
    ("POST",   "/contact-points",                         "point_a2",      201, 403, 403, 403, 401),
    ("POST",   "/contact-points",                         "point_b1",      201, 403, 403, 403, 401),
    ("GET",    "/contact-points/{point_a1}",              None,            200, 200, 200, 200, 401),
    ("GET",    "/contact-points/{point_a2}",              None,            200, 200, 404, 200, 401),
    ("GET",    "/contact-points/{point_b1}",              None,            200, 404, 404, 200, 401),
    ("POST",   "/contact-points/{point_a2}/end",          "end",           200, 403, 403, 403, 401),
    ("POST",   "/contact-points/{point_b1}/end",          "end",           200, 403, 403, 403, 401),

    ("GET",    "/coverage",                               None,            200, 200, 403, 200, 401),
    ("GET",    "/coverage?unit_id={unit_a}",              None,            200, 200, 403, 200, 401),
    ("GET",    "/coverage?unit_id={unit_b}",              None,            200, 403, 403, 200, 401),
]  # fmt: skip

CASES = [
    pytest.param(method, path, body, role, expected,
                 id=f"{method} {path} as {role} -> {expected}")
    for method, path, body, *statuses in MATRIX
    for role, expected in zip(ROLES, statuses, strict=True)
]

# Coverage sections whose items are cadres (counted per unit).
CADRE_SECTIONS = ("cadres_without_pairing", "cadres_below_quota",
                  "leaders_missing_contact_points")


# --- records -------------------------------------------------------------------------------


def _organization(session, name: str, kind: str, weak: bool = False) -> PartyOrganization:
    org = PartyOrganization(name=name, kind=kind, weak=weak)
    session.add(org)
    session.flush()
    return org


def _contact_point(session, cadre, organization) -> ContactPoint:
    point = ContactPoint(cadre_id=cadre.id, organization_id=organization.id, started_on=RECENT)
    session.add(point)
    session.flush()
    return point


def _paired_cadre(session, unit, village, rank="general", difficulty="easier"):
    """A fresh cadre of the unit with one fresh household of the village; returns both + pairing."""
    cadre = factories.cadre(session, unit, rank=rank)
    household = factories.household(session, village, difficulty=difficulty)
    return cadre, household, factories.pair(session, cadre, household, started_on=RECENT)


@pytest.fixture
def refs(world, session) -> dict[str, int]:
    """Ids for the placeholders; every test gets its own spare records (the test rolls back)."""
    ua, ub = world.units["a"], world.units["b"]
    va, vb = world.villages["a"], world.villages["b"]

    def assignment_of(village):
        return session.scalar(select(VillageAssignment.id).where(
            VillageAssignment.village_id == village.id, VillageAssignment.ended_on.is_(None)))

    def pairing_of(household):
        return session.scalar(select(Pairing.id).where(
            Pairing.household_id == household.id, Pairing.ended_on.is_(None)))

    free_village = factories.village(session, world.township)
    spare_village_a = factories.village(session, world.township)
    spare_village_b = factories.village(session, world.township)
    spare_assignment_a = factories.assign(session, ua, spare_village_a, started_on=RECENT)
    spare_assignment_b = factories.assign(session, ub, spare_village_b, started_on=RECENT)

    # Cadre a2 (section chief) links the harder household a2: in unit A but not the cadre's own.
    pairing_a2 = factories.pair(session, world.cadres["a2"], world.households["a2"],
                                started_on=RECENT)
    # Unpaired cadre/household couples for creating pairings (R1–R4 all satisfied).
    new_cadre_a, new_household_a = factories.cadre(session, ua), factories.household(session, va)
    new_cadre_b, new_household_b = factories.cadre(session, ub), factories.household(session, vb)
    chief_a = factories.cadre(session, ua, rank="section_chief")
    easier_household_a = factories.household(session, va, difficulty="easier")
    # Pairings nothing else uses, to be ended.
    *_, spare_pairing_a = _paired_cadre(session, ua, va)
    *_, spare_pairing_b = _paired_cadre(session, ub, vb)
    # Handover: a giver with one pairing and a free receiver of the same rank, in each unit.
    giver_a, *_ = _paired_cadre(session, ua, va)
    giver_b, *_ = _paired_cadre(session, ub, vb)
    receiver_a, receiver_b = factories.cadre(session, ua), factories.cadre(session, ub)
    idle_cadre_a = factories.cadre(session, ua)

    organization = _organization(session, "较差村党支部", "village_branch", weak=True)
    other_organization = _organization(session, "非公企业党支部", "non_public_economic")
    spare_organization = _organization(session, "社会组织党支部", "social_organization")
    contact_point_a1 = _contact_point(session, world.cadres["a1"], organization)
    contact_point_a2 = _contact_point(session, world.cadres["a2"], organization)
    contact_point_b1 = _contact_point(session, world.cadres["b1"], organization)
    session.commit()
    return {
        "township": world.township.id, "village_a": va.id, "village_b": vb.id,
        "free_village": free_village.id, "spare_village_a": spare_village_a.id,
        "spare_village_b": spare_village_b.id, "unit_a": ua.id, "unit_b": ub.id,
        "cadre_a1": world.cadres["a1"].id, "cadre_a2": world.cadres["a2"].id,
        "cadre_b1": world.cadres["b1"].id,
        "hold_a": assignment_of(va), "hold_b": assignment_of(vb),
        "spare_hold_a": spare_assignment_a.id, "spare_hold_b": spare_assignment_b.id,
        "pairing_a1": pairing_of(world.households["a1"]), "pairing_a2": pairing_a2.id,
        "pairing_b1": pairing_of(world.households["b1"]),
        "new_cadre_a": new_cadre_a.id, "new_household_a": new_household_a.id,
        "new_cadre_b": new_cadre_b.id, "new_household_b": new_household_b.id,
        "chief_a": chief_a.id, "easier_household_a": easier_household_a.id,
        "spare_pairing_a": spare_pairing_a.id, "spare_pairing_b": spare_pairing_b.id,
        "giver_a": giver_a.id, "giver_b": giver_b.id, "receiver_a": receiver_a.id,
        "receiver_b": receiver_b.id, "idle_cadre_a": idle_cadre_a.id,
        "org": organization.id, "other_org": other_organization.id,
        "spare_org": spare_organization.id,
        "point_a1": contact_point_a1.id, "point_a2": contact_point_a2.id,
        "point_b1": contact_point_b1.id,
    }


@pytest.fixture
def bodies(refs) -> dict[str, dict]:
    return {
        "assign_a": {"unit_id": refs["unit_a"], "village_id": refs["free_village"]},
        "assign_b": {"unit_id": refs["unit_b"], "village_id": refs["free_village"]},
        "end": {"reason": "工作调整"},
        "pair_in_a": {"cadre_id": refs["new_cadre_a"], "household_id": refs["new_household_a"]},
        "pair_in_b": {"cadre_id": refs["new_cadre_b"], "household_id": refs["new_household_b"]},
        "pair_override": {"cadre_id": refs["chief_a"], "household_id": refs["easier_household_a"],
                          "override_reason": "本村无较大难度户"},
        "hand_to_a": {"to_cadre_id": refs["receiver_a"], "reason": "岗位调动"},
        "hand_to_b": {"to_cadre_id": refs["receiver_b"], "reason": "岗位调动"},
        "new_org": {"name": "新设社会组织", "kind": "social_organization"},
        "org_patch": {"name": "改名的支部", "weak": False},
        "point_a2": {"cadre_id": refs["cadre_a2"], "organization_id": refs["other_org"]},
        "point_b1": {"cadre_id": refs["cadre_b1"], "organization_id": refs["other_org"]},
    }


# --- helpers -------------------------------------------------------------------------------


def _action(method: str, path: str) -> str:
    if path.endswith("/handover"):
        return "handover"
    if path.endswith("/end"):
        return "end"
    return {"GET": "read", "POST": "create", "PATCH": "update", "DELETE": "delete"}[method]


def _snapshot_url(action: str, url: str) -> str:
    """What the county admin reads to show that a refused write changed nothing."""
    if action == "end":
        return url.removesuffix("/end")
    if action == "handover":
        return f"{API}/pairings?per_page=500"
    if action == "create":
        return url + "?per_page=500"
    return url


def _ok(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def _active_pairings(admin, cadre_id: int) -> list[dict]:
    return _ok(admin.get(f"{API}/pairings?cadre_id={cadre_id}&active=true&per_page=500"))["items"]


def _assert_coverage_scope(report: dict, refs: dict, unit: str) -> None:
    """Every cadre and household the report lists belongs to unit `unit` ("a" or "b").

    cadres_below_quota is counted per unit by the coverage tests at the end of this file, which
    also check what its items say.
    """
    for section in ("cadres_without_pairing", "leaders_missing_contact_points"):
        assert {item["unit_id"] for item in report[section]["items"]} <= {refs[f"unit_{unit}"]}
    villages = {refs[f"village_{unit}"], refs[f"spare_village_{unit}"]}
    assert {item["village_id"] for item in report["households_with_needs_without_cadre"][
        "items"]} <= villages


# --- the matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
def test_each_role_gets_the_expected_answer_from_each_endpoint(
        world, refs, bodies, login_as, anonymous, admin, method, path, body, role, expected):
    api = anonymous if role == "anonymous" else login_as(world.users[role])
    url = API + path.format(**refs)
    payload = bodies[body] if body else None
    action = _action(method, path)
    refused_write = action != "read" and expected >= 400
    before = _ok(admin.get(_snapshot_url(action, url))) if refused_write else None
    giver = int(url.split("/")[-2]) if action == "handover" else None
    handed = [p["household_id"] for p in _active_pairings(admin, giver)] if giver else None

    kwargs = {"json": payload} if payload is not None else {}
    response = getattr(api, method.lower())(url, **kwargs)

    assert response.status_code == expected, response.get_data(as_text=True)
    if expected >= 400:
        assert response.mimetype == PROBLEM
        assert response.json["code"] == ERROR_CODES[expected]
        if refused_write:
            assert _ok(admin.get(_snapshot_url(action, url))) == before, \
                "a refused write changed something"
        return

    if action == "read" and path.startswith("/coverage"):
        asked = parse_qs(urlsplit(url).query).get("unit_id", [None])[0]
        unit = {str(refs["unit_a"]): "a", str(refs["unit_b"]): "b"}.get(asked) or (
            "a" if role == "unit_admin" else None)
        if unit is not None:
            _assert_coverage_scope(response.json, refs, unit)
    elif action == "read" and "{" in path:
        assert response.json["id"] == int(url.rsplit("/", 1)[1])
    elif action == "create":
        location = response.headers["Location"]
        for reader in (admin, api):  # the county admin and the creator itself can read it
            stored = _ok(reader.get(location))
            assert stored["id"] == response.json["id"]
            assert {k: stored[k] for k in payload} == payload
        if "active" in response.json:
            assert response.json["active"] is True
    elif action == "end":
        record_url = url.removesuffix("/end")
        for record in (response.json, _ok(admin.get(record_url))):
            assert record["active"] is False
            assert record["ended_on"] is not None
            assert payload["reason"] in record["end_reason"]
    elif action == "handover":
        receiver = payload["to_cadre_id"]
        assert response.json["from_cadre_id"] == giver
        assert response.json["to_cadre_id"] == receiver
        assert _active_pairings(admin, giver) == []
        assert sorted(p["household_id"] for p in _active_pairings(admin, receiver)) == \
            sorted(handed)
        moved = response.json["moved"]
        assert sorted(p["household_id"] for p in moved) == sorted(handed)
        assert all(p["cadre_id"] == receiver and p["active"] for p in moved)
        for old in response.json["ended"]:
            assert _ok(admin.get(f"{API}/pairings/{old}"))["active"] is False
    elif action == "update":
        assert {k: response.json[k] for k in payload} == payload
        assert {k: _ok(admin.get(url))[k] for k in payload} == payload
    elif action == "delete":
        assert admin.get(url).status_code == 404


# --- lists show only rows in scope ---------------------------------------------------------

# path, role, the ids it must list, the ids it must not list, and (field, ref) every listed item
# must carry (None: no restriction). A filter naming another unit must not widen the scope.
A, A1 = ("unit_id", "unit_a"), ("cadre_id", "cadre_a1")
LIST_SCOPE = [
    ("/village-assignments", "county_admin", {"hold_a", "hold_b"}, set(), None),
    ("/village-assignments", "inspector", {"hold_a", "hold_b"}, set(), None),
    ("/village-assignments", "unit_admin", {"hold_a", "spare_hold_a"},
     {"hold_b", "spare_hold_b"}, A),
    ("/village-assignments", "cadre", {"hold_a", "spare_hold_a"}, {"hold_b", "spare_hold_b"}, A),
    ("/village-assignments?unit_id={unit_b}", "unit_admin", set(), {"hold_b"}, A),
    ("/village-assignments?village_id={village_b}", "cadre", set(), {"hold_b"}, A),

    ("/pairings", "county_admin", {"pairing_a1", "pairing_a2", "pairing_b1"}, set(), None),
    ("/pairings", "inspector", {"pairing_a1", "pairing_a2", "pairing_b1"}, set(), None),
    ("/pairings", "unit_admin", {"pairing_a1", "pairing_a2", "spare_pairing_a"},
     {"pairing_b1", "spare_pairing_b"}, A),
    ("/pairings", "cadre", {"pairing_a1"}, {"pairing_a2", "pairing_b1", "spare_pairing_a"}, A1),
    ("/pairings?unit_id={unit_b}", "unit_admin", set(), {"pairing_b1"}, A),
    ("/pairings?cadre_id={cadre_b1}", "cadre", set(), {"pairing_b1"}, A1),
    ("/pairings?cadre_id={cadre_a2}", "cadre", set(), {"pairing_a2"}, A1),

    ("/contact-points", "county_admin", {"point_a1", "point_a2", "point_b1"}, set(), None),
    ("/contact-points", "inspector", {"point_a1", "point_a2", "point_b1"}, set(), None),
    ("/contact-points", "unit_admin", {"point_a1", "point_a2"}, {"point_b1"}, A),
    ("/contact-points", "cadre", {"point_a1"}, {"point_a2", "point_b1"}, A1),
    ("/contact-points?unit_id={unit_b}", "unit_admin", set(), {"point_b1"}, A),
    ("/contact-points?cadre_id={cadre_b1}", "cadre", set(), {"point_b1"}, A1),

    ("/party-organizations", "cadre", {"org", "spare_org"}, set(), None),
    ("/party-organizations", "unit_admin", {"org", "spare_org"}, set(), None),
]


@pytest.mark.parametrize(("path", "role", "shown", "hidden", "every"), [
    pytest.param(*row, id=f"{row[0]} as {row[1]}") for row in LIST_SCOPE])
def test_each_list_shows_only_the_rows_in_the_callers_scope(
        world, refs, login_as, path, role, shown, hidden, every):
    url = API + path.format(**refs)
    page = _ok(login_as(world.users[role]).get(url + ("&" if "?" in url else "?") + "per_page=500"))
    listed = {item["id"] for item in page["items"]}
    assert page["total"] == len(page["items"])
    assert {refs[name] for name in shown} <= listed
    assert not {refs[name] for name in hidden} & listed
    if every is not None:
        field, ref = every
        assert {item[field] for item in page["items"]} <= {refs[ref]}


# --- coverage: the unit admin's report is its unit's ---------------------------------------


@pytest.fixture
def coverage_gaps(world, session) -> dict[str, int]:
    """Gaps in both units, so a report that leaks unit B's rows into unit A's is visible."""
    ua, ub = world.units["a"], world.units["b"]
    gaps = {}
    for key, unit, village in (("a", ua, world.villages["a"]), ("b", ub, world.villages["b"])):
        gaps[f"idle_{key}"] = factories.cadre(session, unit).id  # without pairing
        chief = factories.cadre(session, unit, rank="section_chief")  # 1 of 2, no contact point
        factories.pair(session, chief, factories.household(session, village, difficulty="harder"),
                       started_on=RECENT)
        gaps[f"chief_{key}"] = chief.id
        gaps[f"lonely_household_{key}"] = factories.household(session, village).id  # has needs
    session.commit()
    return gaps


def _ids(report: dict, section: str) -> set[int]:
    return {item["id"] for item in report[section]["items"]}


def test_the_unit_admins_coverage_counts_only_its_own_units_cadres(
        world, coverage_gaps, admin, login_as):
    unit_a, unit_b = world.units["a"].id, world.units["b"].id
    unit_admin = login_as(world.users["unit_admin"])

    mine = _ok(unit_admin.get(f"{API}/coverage"))
    for_a = _ok(admin.get(f"{API}/coverage", query_string={"unit_id": unit_a}))
    for_b = _ok(admin.get(f"{API}/coverage", query_string={"unit_id": unit_b}))
    county = _ok(admin.get(f"{API}/coverage"))

    assert mine == for_a
    assert _ok(unit_admin.get(f"{API}/coverage", query_string={"unit_id": unit_a})) == for_a
    # Unit A's gaps are there, counted in full; unit B's are not.
    assert _ids(mine, "cadres_without_pairing") == {world.cadres["a2"].id,
                                                    coverage_gaps["idle_a"]}
    assert mine["cadres_below_quota"]["count"] == 1  # chief a; its items: the next test
    assert _ids(mine, "leaders_missing_contact_points") == {world.cadres["a2"].id,
                                                            coverage_gaps["chief_a"]}
    assert _ids(mine, "households_with_needs_without_cadre") == {
        world.households["a2"].id, coverage_gaps["lonely_household_a"]}
    for section, count in mine["summary"].items():
        assert count == mine[section]["count"] == len(mine[section]["items"]), section
    # The county's report holds both units' gaps, and A's and B's reports add up to it.
    assert {coverage_gaps["idle_a"], coverage_gaps["idle_b"]} <= _ids(county,
                                                                      "cadres_without_pairing")
    for section in CADRE_SECTIONS:
        assert mine["summary"][section] + for_b["summary"][section] == \
            county["summary"][section], section
        assert mine["summary"][section] < county["summary"][section], section


def test_the_unit_admins_cadres_below_quota_are_listed_with_their_details(
        world, coverage_gaps, admin, login_as):
    """The section names who is below quota, like cadres_without_pairing names who has none."""
    unit_a = world.units["a"].id
    chief = _ok(admin.get(f"{API}/cadres/{coverage_gaps['chief_a']}"))
    expected = [{"id": chief["id"], "name": chief["name"], "unit_id": unit_a,
                 "unit_name": chief["unit_name"], "rank": "section_chief", "active": 1,
                 "quota": 2}]
    for api, query in ((login_as(world.users["unit_admin"]), {}), (admin, {"unit_id": unit_a})):
        report = _ok(api.get(f"{API}/coverage", query_string=query))
        assert report["cadres_below_quota"]["items"] == expected
