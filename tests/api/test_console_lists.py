"""SPEC §15 for the lists a console shows: the names a table needs on every row (no N+1: a page
of 500 costs the statements of a page of one), `ids=`, `sort=`, search by name, ID number and
phone within scope and masking, and no lost updates (428 without If-Match)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from service.demands.models import Demand
from service.openapi import spec_dict
from service.tasks.models import Task
from service.visits.models import Visit
from tests import factories
from tests.api.test_cadre_load import statements

CROWD = 40  # households paired, visited, with a task and a demand each, beyond the world's


@pytest.fixture
def crowd(session, world):
    return make_crowd(session, world, CROWD)


def make_crowd(session, world, count: int) -> list:
    """`count` more households in village a, each paired with a cadre of its own, with a
    visit, a task and a demand; names chosen so that sorting by them is checkable."""
    creator = world.users["county_admin"]
    made = []
    for n in range(count):
        cadre = factories.cadre(session, world.units["a"], name=f"干部{n:03d}")
        household = factories.household(session, world.villages["a"], head_name=f"户{n:03d}",
                                        phone=f"1390000{n:04d}")
        pairing = factories.pair(session, cadre, household)
        at = datetime(2026, 10, 1, 9, tzinfo=UTC) + timedelta(minutes=n)
        visit = Visit(id=str(uuid.uuid4()), cadre_id=cadre.id, household_id=household.id,
                      pairing_id=pairing.id, visited_at=at, kind="home_visit", direct=True,
                      created_by=creator.id, body_hash="0" * 64)
        visit.set_flags([])
        session.add(visit)
        session.add(Task(household_id=household.id, category="low_income", description="增收",
                         due_on=datetime(2026, 12, 1).date(), source="manual"))
        session.add(Demand(id=str(uuid.uuid4()), household_id=household.id, visit_id=visit.id,
                           cadre_id=cadre.id, created_by=creator.id, category="other",
                           description="修路", opened_at=at, body_hash="0" * 64))
        made.append((cadre, household))
    session.flush()
    return made


def items(response) -> list[dict]:
    assert response.status_code == 200, response.json
    return response.json["items"]


@pytest.fixture
def spec(app) -> dict:
    return spec_dict(app.extensions["api"])


def list_paths(spec) -> list[str]:
    """Every GET operation whose answer is a page of items."""
    pages = {name for name, schema in spec["components"]["schemas"].items()
             if set(schema.get("properties", {})) == {"items", "total", "page", "per_page"}}
    found = []
    for path, operations in spec["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        ref = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if "{" not in path and ref.get("$ref", "").rsplit("/", 1)[-1] in pages:
            found.append(path)
    return sorted(found)


def sort_fields(spec, path: str) -> list[str]:
    parameters = spec["paths"][path]["get"]["parameters"]
    (sort,) = [p for p in parameters if p["name"] == "sort"]
    return sort["description"].split(": ", 1)[1].split(", ")


# --- names on rows -----------------------------------------------------------------------------


def test_a_household_row_names_its_village_township_and_cadre(admin, world, crowd):
    cadre, household = crowd[0]
    (row,) = items(admin.get(f"/api/v1/households?ids={household.id}"))
    assert (row["village_name"], row["township_name"], row["township_id"]) == (
        world.villages["a"].name, world.township.name, world.township.id)
    assert (row["cadre_id"], row["cadre_name"]) == (cadre.id, "干部000")
    single = admin.get(f"/api/v1/households/{household.id}").json
    assert single == row


def test_a_household_without_a_pairing_names_no_cadre(admin, world, session):
    lone = factories.household(session, world.villages["a"])
    row = admin.get(f"/api/v1/households/{lone.id}").json
    assert (row["cadre_id"], row["cadre_name"]) == (None, None)


def test_tasks_demands_visits_and_pairings_name_household_village_and_cadre(
        admin, world, crowd):
    cadre, household = crowd[1]
    village = world.villages["a"].name
    (task,) = items(admin.get(f"/api/v1/tasks?household_id={household.id}"))
    assert (task["household_head_name"], task["village_name"], task["cadre_id"],
            task["cadre_name"]) == ("户001", village, cadre.id, "干部001")
    (demand,) = items(admin.get(f"/api/v1/demands?household_id={household.id}"))
    assert (demand["household_head_name"], demand["village_name"], demand["cadre_name"]) == (
        "户001", village, "干部001")
    (visit,) = items(admin.get(f"/api/v1/visits?household_id={household.id}"))
    assert (visit["household_head_name"], visit["cadre_name"]) == ("户001", "干部001")
    (pairing,) = items(admin.get(f"/api/v1/pairings?household_id={household.id}"))
    assert (pairing["cadre_name"], pairing["unit_name"], pairing["village_name"],
            pairing["household_head_name"]) == ("干部001", world.units["a"].name, village, "户001")
    (row,) = items(admin.get(f"/api/v1/cadres?ids={cadre.id}"))
    assert row["unit_name"] == world.units["a"].name


def test_a_page_of_500_costs_the_statements_of_a_page_of_one_on_every_list(
        admin, session, world, connection, spec):
    """No N+1 (SPEC §15): names come from joins or one query a page."""
    make_crowd(session, world, 500)
    counted = {}
    for path in list_paths(spec):
        with statements(connection) as small:
            items(admin.get(f"{path}?per_page=1"))
        with statements(connection) as large:
            page = items(admin.get(f"{path}?per_page=500"))
        counted[path] = (len(page), len(small), len(large))
        assert len(small) == len(large) <= 10, (path, large)
    print("rows, statements (page of 1), statements (page of 500):", counted)
    for path in ("/api/v1/households", "/api/v1/pairings", "/api/v1/tasks", "/api/v1/demands",
                 "/api/v1/visits", "/api/v1/cadres"):
        assert counted[path][0] == 500, path


# --- ids= --------------------------------------------------------------------------------------


def test_ids_fetches_those_records_and_only_those_in_scope(admin, unit_admin, world, crowd):
    wanted = [h.id for _, h in crowd[:3]] + [world.households["b1"].id]
    url = f"/api/v1/households?ids={','.join(map(str, wanted))}"
    assert {r["id"] for r in items(admin.get(url))} == set(wanted)
    # unit a's admin does not see village b's household: it is simply not there
    seen = {r["id"] for r in items(unit_admin.get(url))}
    assert seen == set(wanted[:3])


def test_ids_of_visits_and_demands_are_their_uuids(admin, crowd):
    visits = items(admin.get("/api/v1/visits?per_page=2"))
    asked = ",".join(v["id"].upper() for v in visits)
    assert {v["id"] for v in items(admin.get(f"/api/v1/visits?ids={asked}"))} == {
        v["id"] for v in visits}
    assert admin.get("/api/v1/demands?ids=12").status_code == 422


def test_ids_beyond_any_record_find_nothing_and_too_many_are_refused(admin, crowd):
    assert items(admin.get(f"/api/v1/households?ids={2**31},9999999999")) == []
    assert admin.get(f"/api/v1/households?ids={2**63}").status_code == 422
    assert admin.get("/api/v1/households?ids=" + ",".join(["1"] * 501)).status_code == 422
    for bad in ("", "1,,2", "a", "-1", "1;2", "0"):
        answer = admin.get(f"/api/v1/cadres?ids={bad}")
        assert answer.status_code == 422, bad
        assert answer.json["code"] == "validation_failed"


# --- sort= -------------------------------------------------------------------------------------


def test_sort_orders_by_a_name_and_descending(admin, crowd):
    names = [r["head_name"] for r in items(admin.get(
        "/api/v1/households?sort=-head_name&per_page=500&q=户0"))]
    assert names == sorted(names, reverse=True) and len(names) == CROWD
    cadres = [r["cadre_name"] for r in items(admin.get(
        "/api/v1/pairings?sort=cadre_name,-started_on&per_page=500"))]
    assert cadres == sorted(cadres)


def test_an_unknown_sort_field_is_400_naming_it(admin, crowd):
    for bad in ("income_per_capita", "-id_number", "head_name,,id", "head_name;drop"):
        answer = admin.get(f"/api/v1/households?sort={bad}")
        assert answer.status_code == 400, bad
        assert answer.json["code"] == "unknown_parameter"
        assert answer.json["parameters"][0].startswith("sort=")


def test_every_documented_sort_field_of_every_list_sorts_both_ways(admin, crowd, spec):
    paths = list_paths(spec)
    assert len(paths) >= 15
    for path in paths:
        fields = sort_fields(spec, path)
        assert "id" in fields, path
        for field in fields:
            for key in (field, f"-{field}"):
                answer = admin.get(f"{path}?sort={key}")
                assert answer.status_code == 200, (path, key, answer.json)


# --- search ------------------------------------------------------------------------------------


def test_search_by_id_number_fragment_for_those_who_read_it(admin, inspector, world, crowd):
    household = crowd[5][1]
    fragment = household.id_number[6:12]
    assert household.id in {r["id"] for r in items(admin.get(
        f"/api/v1/households?q={fragment}"))}
    # an inspector reads ID numbers masked: it cannot find a household by one
    assert household.id not in {r["id"] for r in items(inspector.get(
        f"/api/v1/households?q={fragment}"))}
    # three characters are too few to search an ID number by
    short = household.id_number[-3:]
    assert items(admin.get(f"/api/v1/households?q={short}&ids={household.id}")) == []


def test_search_by_phone_fragment_within_scope(cadre, unit_admin, admin, world, crowd):
    household = crowd[7][1]  # phone 13900000007
    assert [r["id"] for r in items(unit_admin.get("/api/v1/households?q=00000007"))] == [
        household.id]
    # a cadre reads phones, but only of its own households
    assert items(cadre.get("/api/v1/households?q=00000007")) == []
    assert [r["id"] for r in items(admin.get("/api/v1/households?q=户007"))] == [household.id]


def test_search_takes_wildcards_literally(admin, crowd):
    assert items(admin.get("/api/v1/households?q=%25")) == []
    assert items(admin.get("/api/v1/households?q=_")) == []


def test_cadres_are_found_by_name_or_phone(admin, world, session):
    factories.cadre(session, world.units["a"], name="查找者", phone="13811112222")
    assert [c["name"] for c in items(admin.get("/api/v1/cadres?q=11112222"))] == ["查找者"]
    assert [c["name"] for c in items(admin.get("/api/v1/cadres?q=查找"))] == ["查找者"]


# --- no lost updates ---------------------------------------------------------------------------


def test_a_patch_without_if_match_is_428_and_changes_nothing(admin, world):
    url = f"/api/v1/households/{world.households['a1'].id}"
    before = admin.get(url).json
    answer = admin.patch(url, json={"members": 9}, if_match=False)
    assert answer.status_code == 428
    assert answer.json["code"] == "precondition_required"
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert admin.get(url).json == before
    assert admin.patch(url, json={"members": 9}, headers={"If-Match": "*"}).status_code == 200
    stale = admin.patch(url, json={"members": 8}, headers={"If-Match": '"households-1-1"'})
    assert stale.status_code == 412


def test_a_delete_without_if_match_is_428_and_deletes_nothing(admin, world, session):
    lone = factories.household(session, world.villages["a"])
    url = f"/api/v1/households/{lone.id}"
    answer = admin.delete(url, if_match=False)
    assert (answer.status_code, answer.json["code"]) == (428, "precondition_required")
    assert admin.get(url).status_code == 200
    assert admin.delete(url).status_code == 204


def test_every_patch_and_delete_documents_if_match_as_required(spec):
    checked = 0
    for path, operations in spec["paths"].items():
        for method in ("patch", "delete"):
            if method in operations:
                parameters = {p["name"]: p for p in operations[method].get("parameters", [])}
                if "If-Match" in parameters:
                    checked += 1
                    assert parameters["If-Match"]["required"] is True
                    assert "428" in operations[method]["responses"], (method, path)
    assert checked >= 15
