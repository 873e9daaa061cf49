"""Data scope and masking through HTTP (docs/design.md "Who sees what", SPEC §4 Roles, §7).

The `world` fixture: unit A holds village a, unit B holds village b; cadres a1, a2 in A and b1 in
B; households a1, a2 in village a and b1 in village b; a1 is paired with cadre a1, b1 with cadre
b1. The unit admin belongs to unit A and the cadre account is cadre a1.
"""

import json

import pytest
from sqlalchemy import select

from service.assignments.models import VillageAssignment
from service.pairings.models import Pairing
from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
PROBLEM = "application/problem+json"
ALL_MASKED = ["card_code", "id_number", "income_per_capita", "phone"]


# --- helpers -----------------------------------------------------------------------------


def item_ids(response) -> set[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.json["items"]}


def assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    assert response.json["code"] == code


def household_body(village_id: int) -> dict:
    """A valid new household, so the only possible refusal is scope or role."""
    return {"village_id": village_id, "head_name": "新登记户", "id_number":
            factories.valid_id_number(), "phone": "13700001111", "members": 2,
            "difficulty": "easier", "needs": ["low_income"], "income_per_capita": 2500}


def cadre_body(unit_id: int) -> dict:
    return {"name": "新干部", "unit_id": unit_id, "rank": "general", "phone": "13600002222"}


def hh(world, key: str) -> int:
    return world.households[key].id


def end_assignment_of(session, unit) -> None:
    assignment = session.scalars(
        select(VillageAssignment).where(VillageAssignment.unit_id == unit.id)).one()
    assignment.ended_on = max(CLOCK.today(), assignment.started_on)
    session.commit()


def end_pairings_of(session, cadre_) -> None:
    for pairing in session.scalars(select(Pairing).where(Pairing.cadre_id == cadre_.id)):
        pairing.ended_on = max(CLOCK.today(), pairing.started_on)
        pairing.end_reason = "test"
    session.commit()


# --- unit admin: households ---------------------------------------------------------------


def test_unit_admin_lists_exactly_the_households_of_villages_its_unit_holds(unit_admin, world):
    response = unit_admin.get(f"{API}/households")
    assert item_ids(response) == {hh(world, "a1"), hh(world, "a2")}
    assert response.json["total"] == 2


def test_unit_admin_reading_another_units_household_gets_404_like_a_missing_one(
        unit_admin, world):
    hidden = unit_admin.get(f"{API}/households/{hh(world, 'b1')}")
    missing = unit_admin.get(f"{API}/households/999999999")
    assert_problem(hidden, 404, "not_found")
    assert_problem(missing, 404, "not_found")
    assert hidden.json["title"] == missing.json["title"]
    assert unit_admin.get(f"{API}/households/{hh(world, 'a1')}").status_code == 200


def test_unit_admin_cannot_edit_another_units_household(unit_admin, admin, world):
    url = f"{API}/households/{hh(world, 'b1')}"
    before = admin.get(url).json
    assert_problem(unit_admin.patch(url, json={"members": 7}), 404, "not_found")
    assert admin.get(url).json == before
    # The same edit on its own household goes through.
    own = unit_admin.patch(f"{API}/households/{hh(world, 'a2')}", json={"members": 7})
    assert own.status_code == 200 and own.json["members"] == 7


def test_unit_admin_cannot_delete_another_units_household(unit_admin, admin, world):
    url = f"{API}/households/{hh(world, 'b1')}"
    assert_problem(unit_admin.delete(url), 404, "not_found")
    assert admin.get(url).status_code == 200


def test_unit_admin_cannot_register_a_household_in_a_village_its_unit_does_not_hold(
        unit_admin, admin, world):
    total = admin.get(f"{API}/households").json["total"]
    refused = unit_admin.post(f"{API}/households", json=household_body(world.villages["b"].id))
    assert_problem(refused, 422, "validation_failed")
    assert admin.get(f"{API}/households").json["total"] == total
    # The same body in its own village is accepted.
    created = unit_admin.post(f"{API}/households", json=household_body(world.villages["a"].id))
    assert created.status_code == 201, created.get_data(as_text=True)


def test_unit_admin_cannot_move_its_household_into_another_units_village(
        unit_admin, admin, world):
    url = f"{API}/households/{hh(world, 'a2')}"
    refused = unit_admin.patch(url, json={"village_id": world.villages["b"].id})
    assert_problem(refused, 422, "validation_failed")
    assert admin.get(url).json["village_id"] == world.villages["a"].id


# --- unit admin: cadres and units ---------------------------------------------------------


def test_unit_admin_lists_only_its_own_units_cadres(unit_admin, world):
    ids = item_ids(unit_admin.get(f"{API}/cadres"))
    assert ids == {world.cadres["a1"].id, world.cadres["a2"].id}


def test_unit_admin_reading_another_units_cadre_gets_404(unit_admin, world):
    assert_problem(unit_admin.get(f"{API}/cadres/{world.cadres['b1'].id}"), 404, "not_found")
    assert unit_admin.get(f"{API}/cadres/{world.cadres['a2'].id}").status_code == 200


def test_unit_admin_cannot_edit_or_delete_another_units_cadre(unit_admin, admin, world):
    url = f"{API}/cadres/{world.cadres['b1'].id}"
    before = admin.get(url).json
    assert_problem(unit_admin.patch(url, json={"name": "改名"}), 404, "not_found")
    assert_problem(unit_admin.delete(url), 404, "not_found")
    assert admin.get(url).json == before


def test_unit_admin_cannot_create_a_cadre_in_another_unit(unit_admin, admin, world):
    total = admin.get(f"{API}/cadres").json["total"]
    refused = unit_admin.post(f"{API}/cadres", json=cadre_body(world.units["b"].id))
    assert_problem(refused, 422, "validation_failed")
    assert admin.get(f"{API}/cadres").json["total"] == total
    created = unit_admin.post(f"{API}/cadres", json=cadre_body(world.units["a"].id))
    assert created.status_code == 201, created.get_data(as_text=True)


def test_unit_admin_cannot_move_its_cadre_to_another_unit(unit_admin, admin, world):
    url = f"{API}/cadres/{world.cadres['a2'].id}"
    refused = unit_admin.patch(url, json={"unit_id": world.units["b"].id})
    assert_problem(refused, 422, "validation_failed")
    assert admin.get(url).json["unit_id"] == world.units["a"].id


def test_unit_admin_may_edit_its_own_unit_but_not_another(unit_admin, admin, world):
    other = f"{API}/units/{world.units['b'].id}"
    before = admin.get(other).json
    assert_problem(unit_admin.patch(other, json={"name": "被改的单位"}), 404, "not_found")
    assert admin.get(other).json == before

    own = unit_admin.patch(f"{API}/units/{world.units['a'].id}", json={"name": "本单位新名"})
    assert own.status_code == 200, own.get_data(as_text=True)
    assert own.json["name"] == "本单位新名"


# --- filters never widen scope ------------------------------------------------------------


@pytest.mark.parametrize("query", ["unit_id={unit_b}", "village_id={village_b}",
                                   "unit_id={unit_b}&village_id={village_b}"])
def test_filters_cannot_widen_a_unit_admins_household_scope(unit_admin, admin, world, query):
    query = query.format(unit_b=world.units["b"].id, village_b=world.villages["b"].id)
    # The filter itself works: the county admin finds household b1 with it.
    assert item_ids(admin.get(f"{API}/households?{query}")) == {hh(world, "b1")}
    response = unit_admin.get(f"{API}/households?{query}")
    assert item_ids(response) == set()
    assert response.json["total"] == 0


def test_filters_cannot_widen_a_unit_admins_cadre_scope(unit_admin, world):
    response = unit_admin.get(f"{API}/cadres?unit_id={world.units['b'].id}")
    assert item_ids(response) == set() and response.json["total"] == 0


def test_filters_cannot_widen_a_cadres_household_scope(cadre, world):
    # Village a is the cadre's own village, yet household a2 there is not paired with it.
    response = cadre.get(f"{API}/households?village_id={world.villages['a'].id}")
    assert item_ids(response) == {hh(world, "a1")}
    response = cadre.get(f"{API}/households?unit_id={world.units['b'].id}")
    assert item_ids(response) == set()


# --- scope follows the assignment and pairing history -------------------------------------


def test_unit_admin_loses_households_when_its_village_assignment_ends(
        unit_admin, session, world):
    assert item_ids(unit_admin.get(f"{API}/households")) == {hh(world, "a1"), hh(world, "a2")}

    end_assignment_of(session, world.units["a"])

    response = unit_admin.get(f"{API}/households")
    assert item_ids(response) == set() and response.json["total"] == 0
    for key in ("a1", "a2"):
        url = f"{API}/households/{hh(world, key)}"
        assert_problem(unit_admin.get(url), 404, "not_found")
        assert_problem(unit_admin.patch(url, json={"members": 5}), 404, "not_found")


def test_unit_admin_cannot_register_households_in_a_village_no_longer_held(
        unit_admin, session, world):
    end_assignment_of(session, world.units["a"])
    refused = unit_admin.post(f"{API}/households", json=household_body(world.villages["a"].id))
    assert_problem(refused, 422, "validation_failed")


# --- cadre --------------------------------------------------------------------------------


def test_cadre_lists_only_the_households_it_is_paired_with(cadre, world):
    response = cadre.get(f"{API}/households")
    assert item_ids(response) == {hh(world, "a1")}
    assert response.json["total"] == 1


def test_cadre_reading_an_unpaired_household_gets_404(cadre, world):
    assert cadre.get(f"{API}/households/{hh(world, 'a1')}").status_code == 200
    for key in ("a2", "b1"):
        assert_problem(cadre.get(f"{API}/households/{hh(world, key)}"), 404, "not_found")


def test_cadre_sees_only_itself_among_cadres(cadre, world):
    assert item_ids(cadre.get(f"{API}/cadres")) == {world.cadres["a1"].id}
    assert cadre.get(f"{API}/cadres/{world.cadres['a1'].id}").status_code == 200
    for key in ("a2", "b1"):
        assert_problem(cadre.get(f"{API}/cadres/{world.cadres[key].id}"), 404, "not_found")


CADRE_AND_INSPECTOR_WRITES = [
    ("post", "/households", "household_in_a"),
    ("patch", "/households/{household_a1}", "members"),
    ("delete", "/households/{household_a2}", None),
    ("post", "/cadres", "cadre_in_a"),
    ("patch", "/cadres/{cadre_a1}", "rename"),
    ("delete", "/cadres/{cadre_a2}", None),
]


def _write_request(world, path, body):
    refs = {"household_a1": hh(world, "a1"), "household_a2": hh(world, "a2"),
            "cadre_a1": world.cadres["a1"].id, "cadre_a2": world.cadres["a2"].id}
    bodies = {"household_in_a": household_body(world.villages["a"].id), "members": {"members": 6},
              "cadre_in_a": cadre_body(world.units["a"].id), "rename": {"name": "改名"},
              None: None}
    return API + path.format(**refs), bodies[body]


@pytest.mark.parametrize(("method", "path", "body"), CADRE_AND_INSPECTOR_WRITES)
def test_cadre_cannot_write_households_or_cadres(cadre, admin, world, method, path, body):
    url, payload = _write_request(world, path, body)
    read_url = url if method != "post" else url + "?per_page=500"
    before = admin.get(read_url).json
    kwargs = {"json": payload} if payload is not None else {}
    assert_problem(getattr(cadre, method)(url, **kwargs), 403, "forbidden")
    assert admin.get(read_url).json == before


def test_cadre_sees_no_household_after_its_pairing_ends(cadre, session, world):
    assert item_ids(cadre.get(f"{API}/households")) == {hh(world, "a1")}

    end_pairings_of(session, world.cadres["a1"])

    response = cadre.get(f"{API}/households")
    assert item_ids(response) == set() and response.json["total"] == 0
    assert_problem(cadre.get(f"{API}/households/{hh(world, 'a1')}"), 404, "not_found")


# --- inspector ----------------------------------------------------------------------------


def assert_masked_for_inspector(shown: dict, real) -> None:
    assert shown["id_number"] != real.id_number
    assert "*" in shown["id_number"]
    assert shown["id_number"].endswith(real.id_number[-4:])
    assert shown["phone"] != real.phone
    assert "*" in shown["phone"]
    assert shown["phone"].endswith(real.phone[-4:])
    assert shown["income_per_capita"] is None
    assert shown["card_code"] is None
    assert sorted(shown["masked"]) == ALL_MASKED


def test_inspector_reads_every_household(inspector, world):
    response = inspector.get(f"{API}/households")
    assert item_ids(response) == {h.id for h in world.households.values()}
    for key in ("a1", "a2", "b1"):
        assert inspector.get(f"{API}/households/{hh(world, key)}").status_code == 200


def test_inspector_sees_personal_data_masked_in_lists_and_reads(inspector, world):
    listed = {item["id"]: item for item in inspector.get(f"{API}/households").json["items"]}
    for household in world.households.values():
        assert household.phone and household.income_per_capita is not None
        assert_masked_for_inspector(listed[household.id], household)
        one = inspector.get(f"{API}/households/{household.id}")
        assert_masked_for_inspector(one.json, household)


@pytest.mark.parametrize(("method", "path", "body"), CADRE_AND_INSPECTOR_WRITES)
def test_inspector_cannot_write_households_or_cadres(inspector, admin, world, method, path,
                                                     body):
    url, payload = _write_request(world, path, body)
    read_url = url if method != "post" else url + "?per_page=500"
    before = admin.get(read_url).json
    kwargs = {"json": payload} if payload is not None else {}
    assert_problem(getattr(inspector, method)(url, **kwargs), 403, "forbidden")
    assert admin.get(read_url).json == before


# --- what each role sees of a household ---------------------------------------------------


def test_county_admin_sees_full_personal_data_and_card_code(admin, world):
    real = world.households["b1"]
    shown = admin.get(f"{API}/households/{real.id}").json
    assert shown["id_number"] == real.id_number
    assert shown["phone"] == real.phone
    assert shown["income_per_capita"] == float(real.income_per_capita)
    assert shown["card_code"] == real.card_code and real.card_code
    assert shown["masked"] == []


def test_unit_admin_sees_id_number_phone_and_income_but_not_card_code(unit_admin, world):
    real = world.households["a1"]
    for shown in (unit_admin.get(f"{API}/households/{real.id}").json,
                  next(i for i in unit_admin.get(f"{API}/households").json["items"]
                       if i["id"] == real.id)):
        assert shown["id_number"] == real.id_number
        assert shown["phone"] == real.phone
        assert shown["income_per_capita"] == float(real.income_per_capita)
        assert shown["card_code"] is None
        assert shown["masked"] == ["card_code"]


def test_cadre_sees_phone_and_income_but_a_masked_id_number(cadre, world):
    real = world.households["a1"]
    for shown in (cadre.get(f"{API}/households/{real.id}").json,
                  cadre.get(f"{API}/households").json["items"][0]):
        assert shown["id"] == real.id
        assert shown["phone"] == real.phone
        assert shown["income_per_capita"] == float(real.income_per_capita)
        assert shown["id_number"] != real.id_number
        assert "*" in shown["id_number"]
        assert shown["id_number"].endswith(real.id_number[-4:])
        assert shown["card_code"] is None
        assert sorted(shown["masked"]) == ["card_code", "id_number"]


# --- nothing of another unit leaks into a scoped response ---------------------------------


@pytest.fixture
def named_world(world, session):
    """Head names that cannot be substrings of one another or of anything else."""
    for key, name in (("a1", "甲村一号户主"), ("a2", "甲村二号户主"), ("b1", "乙村一号户主")):
        world.households[key].head_name = name
    session.commit()
    return world


def _forms(value: str) -> set[str]:
    """The value as it could appear in a JSON body, raw or \\u-escaped."""
    return {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


LIST_URLS = [
    "/households",
    "/households?per_page=500",
    "/households?unit_id={unit_b}",
    "/households?village_id={village_b}",
    "/households?township_id={township}",
    "/households?q=乙村",
    "/households?q=户主",
    "/cadres",
    "/cadres?unit_id={unit_b}",
    "/units",
    "/villages",
]


@pytest.mark.parametrize(("role", "out_of_scope"), [("unit_admin", ("b1",)),
                                                    ("cadre", ("a2", "b1"))])
@pytest.mark.parametrize("url", LIST_URLS)
def test_scoped_list_responses_never_contain_out_of_scope_household_data(
        named_world, login_as, role, out_of_scope, url):
    world = named_world
    api = login_as(world.users[role])
    url = API + url.format(unit_b=world.units["b"].id, village_b=world.villages["b"].id,
                           township=world.township.id)
    response = api.get(url)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for key in out_of_scope:
        household = world.households[key]
        for secret in (household.id_number, household.head_name):
            for form in _forms(secret):
                assert form not in text, f"{key}'s {secret!r} leaked to {role} via {url}"


def test_leak_scan_would_see_the_data_where_it_is_in_scope(named_world, admin):
    """The scan above is meaningful: the same data is present in the county admin's list."""
    text = admin.get(f"{API}/households?q=乙村").get_data(as_text=True)
    b1 = named_world.households["b1"]
    assert any(form in text for form in _forms(b1.head_name))
    assert b1.id_number in text
