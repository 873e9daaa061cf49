"""Create, read, list, update and delete over HTTP as the county admin."""

import pytest

from tests.factories import valid_id_number

PROBLEM = "application/problem+json"


# --- helpers -----------------------------------------------------------------------------------


def problem(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.get_json()
    assert body["status"] == status and body["code"] == code
    return body


def created(resp) -> dict:
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.json


def free_village_code(world, skip=()) -> str:
    used = {v.code for v in world.villages.values()} | set(skip)
    return next(world.township.code + f"{s:03d}" for s in range(999, 0, -1)
                if world.township.code + f"{s:03d}" not in used)


def household_payload(world, **overrides) -> dict:
    body = {
        "village_id": world.villages["a"].id,
        "head_name": "王五",
        "id_number": valid_id_number(),
        "phone": "13812345678",
        "members": 4,
        "difficulty": "harder",
        "needs": ["low_income"],
        "income_per_capita": 4200,
    }
    body.update(overrides)
    return body


def ids(resp) -> set[int]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.json
    assert body["total"] == len(body["items"])
    return {item["id"] for item in body["items"]}


# Each resource: its collection, a create payload, and two successive edits of one field.
def resource(name: str, world) -> dict:
    return {
        "townships": {
            "url": "/api/v1/townships",
            "create": {"code": "150000001", "name": "新乡"},
            "edits": [{"name": "东山乡"}, {"name": "西河乡"}],
        },
        "villages": {
            "url": "/api/v1/villages",
            "create": {"code": free_village_code(world), "name": "新村",
                       "township_id": world.township.id, "latitude": 36.2,
                       "longitude": 113.3},
            "edits": [{"name": "东山村"}, {"name": "西河村"}],
        },
        "units": {
            "url": "/api/v1/units",
            "create": {"name": "县农业农村局"},
            "edits": [{"name": "县水利局"}, {"name": "县教育局"}],
        },
        "cadres": {
            "url": "/api/v1/cadres",
            "create": {"name": "李四", "unit_id": world.units["a"].id, "rank": "general",
                       "phone": "13800001111"},
            "edits": [{"name": "李四四"}, {"name": "李五"}],
        },
        "households": {
            "url": "/api/v1/households",
            "create": household_payload(world),
            "edits": [{"members": 5}, {"members": 6}],
        },
        "users": {
            "url": "/api/v1/users",
            "create": {"username": "new.inspector", "password": "long-enough-pass",
                       "role": "inspector"},
            "edits": [{"role": "county_admin"}, {"role": "inspector"}],
        },
    }[name]


RESOURCES = ["townships", "villages", "units", "cadres", "households", "users"]


def create(admin, spec) -> tuple[dict, str, str]:
    """POST the resource; return (body, its URL, ETag)."""
    resp = admin.post(spec["url"], json=spec["create"])
    body = created(resp)
    return body, f"{spec['url']}/{body['id']}", resp.headers["ETag"]


# --- the life of a record ----------------------------------------------------------------------


@pytest.mark.parametrize("name", RESOURCES)
def test_create_answers_201_with_location_etag_and_the_record(admin, world, name):
    spec = resource(name, world)
    resp = admin.post(spec["url"], json=spec["create"])
    body = created(resp)
    assert resp.headers["Location"].endswith(f"{spec['url']}/{body['id']}")
    assert resp.headers["ETag"].startswith('"') and len(resp.headers["ETag"]) > 2
    for key, value in spec["create"].items():
        if key != "password":
            assert body[key] == value, key
    assert "password" not in body and "password_hash" not in body


@pytest.mark.parametrize("name", RESOURCES)
def test_location_of_a_created_record_reads_it_back_with_the_same_etag(admin, world, name):
    spec = resource(name, world)
    resp = admin.post(spec["url"], json=spec["create"])
    body = created(resp)
    location = resp.headers["Location"]
    got = admin.get(location[location.index("/api/"):])
    assert got.status_code == 200
    assert got.json == body
    assert got.headers["ETag"] == resp.headers["ETag"]


@pytest.mark.parametrize("name", RESOURCES)
def test_created_record_appears_in_its_list(admin, world, name):
    spec = resource(name, world)
    before = admin.get(spec["url"]).json["total"]
    body, _, _ = create(admin, spec)
    listed = admin.get(spec["url"] + "?per_page=500").json
    assert listed["total"] == before + 1
    assert body["id"] in {item["id"] for item in listed["items"]}


@pytest.mark.parametrize("name", RESOURCES)
def test_patch_with_matching_if_match_succeeds_with_a_new_etag(admin, world, name):
    spec = resource(name, world)
    _, url, etag = create(admin, spec)
    edit = spec["edits"][0]
    resp = admin.patch(url, json=edit, headers={"If-Match": etag})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    (field, value), = edit.items()
    assert resp.json[field] == value
    assert resp.headers["ETag"] != etag
    got = admin.get(url)
    assert got.json[field] == value
    assert got.headers["ETag"] == resp.headers["ETag"]


@pytest.mark.parametrize("name", RESOURCES)
def test_patch_with_stale_if_match_is_412_and_leaves_the_record_unchanged(admin, world, name):
    spec = resource(name, world)
    _, url, stale = create(admin, spec)
    first, second = spec["edits"]
    assert admin.patch(url, json=first).status_code == 200
    current = admin.get(url)
    resp = admin.patch(url, json=second, headers={"If-Match": stale})
    problem(resp, 412, "precondition_failed")
    after = admin.get(url)
    assert after.json == current.json
    assert after.headers["ETag"] == current.headers["ETag"]


@pytest.mark.parametrize("name", RESOURCES)
def test_patch_without_if_match_succeeds(admin, world, name):
    spec = resource(name, world)
    _, url, etag = create(admin, spec)
    edit = spec["edits"][0]
    resp = admin.patch(url, json=edit)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    (field, value), = edit.items()
    assert admin.get(url).json[field] == value
    assert resp.headers["ETag"] != etag


@pytest.mark.parametrize("name", RESOURCES)
def test_delete_answers_204_then_the_record_is_404(admin, world, name):
    spec = resource(name, world)
    body, url, etag = create(admin, spec)
    resp = admin.delete(url, headers={"If-Match": etag})
    assert resp.status_code == 204
    assert resp.get_data() == b""
    problem(admin.get(url), 404, "not_found")
    assert body["id"] not in {i["id"] for i in admin.get(spec["url"] + "?per_page=500").json[
        "items"]}
    problem(admin.delete(url), 404, "not_found")


@pytest.mark.parametrize("name", RESOURCES)
def test_delete_without_if_match_works(admin, world, name):
    spec = resource(name, world)
    _, url, _ = create(admin, spec)
    assert admin.delete(url).status_code == 204
    problem(admin.get(url), 404, "not_found")


@pytest.mark.parametrize("name", RESOURCES)
def test_delete_with_stale_if_match_is_412_and_keeps_the_record(admin, world, name):
    spec = resource(name, world)
    _, url, stale = create(admin, spec)
    assert admin.patch(url, json=spec["edits"][0]).status_code == 200
    problem(admin.delete(url, headers={"If-Match": stale}), 412, "precondition_failed")
    assert admin.get(url).status_code == 200


@pytest.mark.parametrize("name", RESOURCES)
def test_missing_record_is_404_problem(admin, world, name):
    spec = resource(name, world)
    url = f"{spec['url']}/987654"
    problem(admin.get(url), 404, "not_found")
    problem(admin.patch(url, json=spec["edits"][0]), 404, "not_found")
    problem(admin.delete(url), 404, "not_found")


def test_household_needs_change_gives_a_new_etag(admin, world):
    url = f"/api/v1/households/{world.households['a2'].id}"
    stale = admin.get(url).headers["ETag"]
    resp = admin.patch(url, json={"needs": ["school_dropout", "skills_training"]},
                       headers={"If-Match": stale})
    assert resp.status_code == 200
    assert resp.json["needs"] == ["school_dropout", "skills_training"]
    assert resp.headers["ETag"] != stale
    # A client still holding the old copy is refused rather than overwriting the new needs.
    problem(admin.patch(url, json={"needs": ["low_income"]}, headers={"If-Match": stale}),
            412, "precondition_failed")
    assert admin.get(url).json["needs"] == ["school_dropout", "skills_training"]


def test_household_patch_changes_only_the_fields_sent(admin, world):
    url = f"/api/v1/households/{world.households['a2'].id}"
    before = admin.get(url).json
    resp = admin.patch(url, json={"phone": "13900000000", "difficulty": "hardest"})
    assert resp.status_code == 200
    assert resp.json == {**before, "phone": "13900000000", "difficulty": "hardest"}


# --- records others depend on ------------------------------------------------------------------


def test_township_with_villages_cannot_be_deleted(admin, world):
    url = f"/api/v1/townships/{world.township.id}"
    body = problem(admin.delete(url), 409, "has_dependents")
    assert "villages" in body["dependents"]
    assert admin.get(url).status_code == 200


def test_village_with_households_cannot_be_deleted(admin, world):
    village = created(admin.post("/api/v1/villages", json={
        "code": free_village_code(world), "name": "新村", "township_id": world.township.id}))
    household = created(admin.post("/api/v1/households",
                                   json=household_payload(world, village_id=village["id"])))
    url = f"/api/v1/villages/{village['id']}"
    body = problem(admin.delete(url), 409, "has_dependents")
    assert body["dependents"] == ["households"]
    assert admin.get(url).status_code == 200
    # Once the household is gone the village can go.
    assert admin.delete(f"/api/v1/households/{household['id']}").status_code == 204
    assert admin.delete(url).status_code == 204


def test_village_held_by_a_unit_cannot_be_deleted(admin, world):
    body = problem(admin.delete(f"/api/v1/villages/{world.villages['b'].id}"), 409,
                   "has_dependents")
    assert "village assignments" in body["dependents"]


def test_unit_with_cadres_cannot_be_deleted(admin, world):
    unit = created(admin.post("/api/v1/units", json={"name": "县林业局"}))
    cadre = created(admin.post("/api/v1/cadres", json={
        "name": "赵六", "unit_id": unit["id"], "rank": "general"}))
    url = f"/api/v1/units/{unit['id']}"
    body = problem(admin.delete(url), 409, "has_dependents")
    assert body["dependents"] == ["cadres"]
    assert admin.get(url).status_code == 200
    assert admin.delete(f"/api/v1/cadres/{cadre['id']}").status_code == 204
    assert admin.delete(url).status_code == 204


def test_cadre_with_a_pairing_cannot_be_deleted(admin, world):
    url = f"/api/v1/cadres/{world.cadres['b1'].id}"
    body = problem(admin.delete(url), 409, "has_dependents")
    assert "pairings" in body["dependents"]
    assert admin.get(url).status_code == 200


def test_cadre_who_heads_a_unit_cannot_be_deleted(admin, world):
    cadre = world.cadres["a2"]
    unit_url = f"/api/v1/units/{world.units['a'].id}"
    assert admin.patch(unit_url, json={"head_cadre_id": cadre.id}).status_code == 200
    body = problem(admin.delete(f"/api/v1/cadres/{cadre.id}"), 409, "has_dependents")
    assert "units (as head)" in body["dependents"]
    assert admin.get(unit_url).json["head_cadre_id"] == cadre.id


def test_household_with_a_pairing_cannot_be_deleted(admin, world):
    url = f"/api/v1/households/{world.households['a1'].id}"
    body = problem(admin.delete(url), 409, "has_dependents")
    assert body["dependents"] == ["pairings"]
    assert admin.get(url).status_code == 200


def test_unpaired_world_household_can_be_deleted(admin, world):
    url = f"/api/v1/households/{world.households['a2'].id}"
    assert admin.delete(url).status_code == 204
    problem(admin.get(url), 404, "not_found")


# --- cadres: the household quota ---------------------------------------------------------------


@pytest.mark.parametrize("rank,quota", [("county_level", 2), ("section_chief", 2),
                                        ("deputy_section_chief", 2), ("general", 1)])
def test_cadre_household_quota_follows_rank(admin, world, rank, quota):
    body = created(admin.post("/api/v1/cadres", json={
        "name": "钱七", "unit_id": world.units["a"].id, "rank": rank}))
    assert body["household_quota"] == quota
    assert admin.get(f"/api/v1/cadres/{body['id']}").json["household_quota"] == quota


@pytest.mark.parametrize("old,new,quota", [("general", "deputy_section_chief", 2),
                                           ("county_level", "general", 1),
                                           ("general", "section_chief", 2)])
def test_cadre_household_quota_follows_a_rank_change(admin, world, old, new, quota):
    body = created(admin.post("/api/v1/cadres", json={
        "name": "孙八", "unit_id": world.units["a"].id, "rank": old}))
    resp = admin.patch(f"/api/v1/cadres/{body['id']}", json={"rank": new})
    assert resp.status_code == 200
    assert resp.json["household_quota"] == quota
    assert admin.get(f"/api/v1/cadres/{body['id']}").json["household_quota"] == quota


def test_cadre_quota_cannot_be_set_directly(admin, world):
    url = f"/api/v1/cadres/{world.cadres['a1'].id}"
    resp = admin.patch(url, json={"household_quota": 5})
    assert resp.status_code == 422
    assert "household_quota" in resp.json["errors"]
    assert admin.get(url).json["household_quota"] == 1


def test_cadre_created_with_skills_keeps_them(admin, world):
    resp = admin.post("/api/v1/cadres", json={
        "name": "吴十", "unit_id": world.units["a"].id, "rank": "general",
        "skills": ["农技", "电商"]})
    body = created(resp)
    assert body["skills"] == ["农技", "电商"]
    assert admin.get(f"/api/v1/cadres/{body['id']}").json["skills"] == ["农技", "电商"]


def test_cadre_skills_can_be_edited(admin, world):
    url = f"/api/v1/cadres/{world.cadres['a1'].id}"
    resp = admin.patch(url, json={"skills": ["养殖"]})
    assert resp.status_code == 200
    assert admin.get(url).json["skills"] == ["养殖"]


def test_cadre_in_missing_unit_is_refused(admin, world):
    before = admin.get("/api/v1/cadres").json["total"]
    resp = admin.post("/api/v1/cadres", json={"name": "周九", "unit_id": 987654,
                                              "rank": "general"})
    assert problem(resp, 422, "validation_failed")["errors"].keys() == {"unit_id"}
    assert admin.get("/api/v1/cadres").json["total"] == before


# --- households: card codes --------------------------------------------------------------------


def test_every_household_gets_a_distinct_card_code_of_at_least_16_characters(admin, world):
    made = [created(admin.post("/api/v1/households", json=household_payload(world)))
            for _ in range(3)]
    codes = [h["card_code"] for h in made]
    assert all(isinstance(c, str) and len(c) >= 16 for c in codes)
    listed = admin.get("/api/v1/households?per_page=500").json["items"]
    all_codes = [h["card_code"] for h in listed]
    assert set(codes) <= set(all_codes)
    assert len(set(all_codes)) == len(all_codes) == len(listed)
    for h in made:
        assert admin.get(f"/api/v1/households/{h['id']}").json["card_code"] == h["card_code"]


def test_card_code_is_not_chosen_by_the_client_nor_changed_by_edits(admin, world):
    url = f"/api/v1/households/{world.households['a1'].id}"
    code = admin.get(url).json["card_code"]
    assert admin.patch(url, json={"card_code": "AAAAAAAAAAAAAAAA"}).status_code == 422
    assert admin.patch(url, json={"members": 7}).status_code == 200
    assert admin.get(url).json["card_code"] == code


# --- units: the head cadre ---------------------------------------------------------------------


def test_unit_head_may_be_one_of_its_own_cadres(admin, world):
    url = f"/api/v1/units/{world.units['a'].id}"
    resp = admin.patch(url, json={"head_cadre_id": world.cadres["a2"].id})
    assert resp.status_code == 200
    assert resp.json["head_cadre_id"] == world.cadres["a2"].id
    assert admin.get(url).json["head_cadre_id"] == world.cadres["a2"].id


@pytest.mark.parametrize("which", ["other_unit", "missing"])
def test_unit_head_that_is_not_a_cadre_of_the_unit_is_refused(admin, world, which):
    url = f"/api/v1/units/{world.units['a'].id}"
    head = world.cadres["b1"].id if which == "other_unit" else 987654
    before = admin.get(url)
    body = problem(admin.patch(url, json={"head_cadre_id": head}), 422, "validation_failed")
    assert "head_cadre_id" in body["errors"]
    after = admin.get(url)
    assert after.json == before.json and after.headers["ETag"] == before.headers["ETag"]


def test_unit_head_can_be_cleared(admin, world):
    url = f"/api/v1/units/{world.units['a'].id}"
    admin.patch(url, json={"head_cadre_id": world.cadres["a1"].id})
    resp = admin.patch(url, json={"head_cadre_id": None})
    assert resp.status_code == 200
    assert resp.json["head_cadre_id"] is None


def test_moving_a_unit_head_to_another_unit_does_not_leave_a_foreign_head(admin, world):
    # The head must stay a cadre of the unit: refuse the move, or clear the headship.
    unit_a = f"/api/v1/units/{world.units['a'].id}"
    head = world.cadres["a2"]
    assert admin.patch(unit_a, json={"head_cadre_id": head.id}).status_code == 200
    resp = admin.patch(f"/api/v1/cadres/{head.id}", json={"unit_id": world.units["b"].id})
    assert resp.status_code in (200, 409, 422), resp.get_data(as_text=True)
    cadre_unit = admin.get(f"/api/v1/cadres/{head.id}").json["unit_id"]
    unit_head = admin.get(unit_a).json["head_cadre_id"]
    assert unit_head is None or cadre_unit == world.units["a"].id


# --- list filters ------------------------------------------------------------------------------


def test_township_list_filters_by_name(admin, world):
    east = created(admin.post("/api/v1/townships", json={"code": "150000001", "name": "东山乡"}))
    created(admin.post("/api/v1/townships", json={"code": "150000002", "name": "西河乡"}))
    assert ids(admin.get("/api/v1/townships?q=东山")) == {east["id"]}
    assert ids(admin.get("/api/v1/townships?q=不存在")) == set()


def test_village_list_filters_by_township_unit_and_name(admin, world):
    other_t = created(admin.post("/api/v1/townships", json={"code": "150000001",
                                                           "name": "东山乡"}))
    far = created(admin.post("/api/v1/villages", json={
        "code": "150000001001", "name": "东山村", "township_id": other_t["id"]}))
    va, vb = world.villages["a"].id, world.villages["b"].id
    assert ids(admin.get(f"/api/v1/villages?township_id={world.township.id}")) == {va, vb}
    assert ids(admin.get(f"/api/v1/villages?township_id={other_t['id']}")) == {far["id"]}
    assert ids(admin.get(f"/api/v1/villages?unit_id={world.units['b'].id}")) == {vb}
    assert ids(admin.get("/api/v1/villages?q=东山")) == {far["id"]}
    assert ids(admin.get(f"/api/v1/villages?township_id={world.township.id}&q=东山")) == set()


def test_unit_list_filters_by_name_and_held_village(admin, world):
    forest = created(admin.post("/api/v1/units", json={"name": "县林业局"}))
    assert ids(admin.get("/api/v1/units?q=林业")) == {forest["id"]}
    assert ids(admin.get(f"/api/v1/units?village_id={world.villages['b'].id}")) == {
        world.units["b"].id}


def test_cadre_list_filters_by_unit_rank_and_name(admin, world):
    zhang = created(admin.post("/api/v1/cadres", json={
        "name": "张伟", "unit_id": world.units["b"].id, "rank": "county_level"}))
    ua = world.units["a"].id
    assert ids(admin.get(f"/api/v1/cadres?unit_id={ua}")) == {
        world.cadres["a1"].id, world.cadres["a2"].id}
    assert ids(admin.get("/api/v1/cadres?rank=section_chief")) == {world.cadres["a2"].id}
    assert ids(admin.get("/api/v1/cadres?rank=county_level")) == {zhang["id"]}
    assert ids(admin.get("/api/v1/cadres?q=张")) == {zhang["id"]}
    assert ids(admin.get(f"/api/v1/cadres?unit_id={ua}&rank=general")) == {world.cadres["a1"].id}


def test_household_list_filters(admin, world):
    other_t = created(admin.post("/api/v1/townships", json={"code": "150000001",
                                                           "name": "东山乡"}))
    far_v = created(admin.post("/api/v1/villages", json={
        "code": "150000001001", "name": "东山村", "township_id": other_t["id"]}))
    far = created(admin.post("/api/v1/households", json=household_payload(
        world, village_id=far_v["id"], head_name="欧阳明", difficulty="hardest",
        needs=["school_dropout", "large_grower"])))
    ha1, ha2, hb1 = (world.households[k].id for k in ("a1", "a2", "b1"))
    get = admin.get
    assert ids(get(f"/api/v1/households?township_id={world.township.id}")) == {ha1, ha2, hb1}
    assert ids(get(f"/api/v1/households?township_id={other_t['id']}")) == {far["id"]}
    assert ids(get(f"/api/v1/households?village_id={world.villages['a'].id}")) == {ha1, ha2}
    assert ids(get(f"/api/v1/households?unit_id={world.units['b'].id}")) == {hb1}
    assert ids(get("/api/v1/households?difficulty=harder")) == {ha2}
    assert ids(get("/api/v1/households?difficulty=hardest")) == {far["id"]}
    assert ids(get("/api/v1/households?need=large_grower")) == {far["id"]}
    assert ids(get("/api/v1/households?need=low_income")) == {ha1, ha2, hb1}
    assert ids(get("/api/v1/households?need=entrepreneurship")) == set()
    assert ids(get("/api/v1/households?q=欧阳")) == {far["id"]}
    assert ids(get(f"/api/v1/households?village_id={world.villages['a'].id}"
                   "&difficulty=easier")) == {ha1}


def test_household_name_filter_treats_wildcards_literally(admin, world):
    odd = created(admin.post("/api/v1/households", json=household_payload(
        world, head_name="百分_%号")))
    assert ids(admin.get("/api/v1/households?q=%")) == {odd["id"]}
    assert ids(admin.get("/api/v1/households?q=_")) == {odd["id"]}


def test_user_list_filters_by_role_unit_active_and_name(admin, world):
    new = created(admin.post("/api/v1/users", json={
        "username": "unit.b.admin", "password": "long-enough-pass", "role": "unit_admin",
        "unit_id": world.units["b"].id}))
    assert admin.patch(f"/api/v1/users/{new['id']}", json={"active": False}).status_code == 200
    users = world.users
    assert ids(admin.get("/api/v1/users?role=unit_admin")) == {users["unit_admin"].id, new["id"]}
    assert ids(admin.get(f"/api/v1/users?unit_id={world.units['b'].id}")) == {new["id"]}
    assert ids(admin.get("/api/v1/users?active=false")) == {new["id"]}
    assert ids(admin.get("/api/v1/users?q=unit.b")) == {new["id"]}


# --- the list envelope -------------------------------------------------------------------------


def test_list_envelope_has_items_total_page_and_per_page(admin, world):
    body = admin.get("/api/v1/households").json
    assert set(body) == {"items", "total", "page", "per_page"}
    assert body["page"] == 1 and body["per_page"] == 50 and body["total"] == 3


@pytest.mark.parametrize("url,expected", [("/api/v1/households", 3), ("/api/v1/cadres", 3),
                                          ("/api/v1/villages", 2), ("/api/v1/units", 2),
                                          ("/api/v1/users", 4)])
def test_lists_paginate_one_item_per_page(admin, world, url, expected):
    pages = []
    for page in range(1, expected + 1):
        body = admin.get(f"{url}?page={page}&per_page=1").json
        assert body["total"] == expected
        assert body["page"] == page and body["per_page"] == 1
        assert len(body["items"]) == 1
        pages.append(body["items"][0]["id"])
    assert len(set(pages)) == expected
    assert set(pages) == {i["id"] for i in admin.get(url).json["items"]}
    beyond = admin.get(f"{url}?page={expected + 1}&per_page=1").json
    assert beyond["items"] == [] and beyond["total"] == expected


def test_second_page_with_per_page_one_is_the_second_household(admin, world):
    everything = [h["id"] for h in admin.get("/api/v1/households").json["items"]]
    body = admin.get("/api/v1/households?page=2&per_page=1").json
    assert body == {**body, "total": 3, "page": 2, "per_page": 1}
    assert [h["id"] for h in body["items"]] == everything[1:2]


def test_pagination_applies_after_filters(admin, world):
    va = world.villages["a"].id
    first = admin.get(f"/api/v1/households?village_id={va}&per_page=1").json
    second = admin.get(f"/api/v1/households?village_id={va}&per_page=1&page=2").json
    assert first["total"] == second["total"] == 2
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {
        world.households["a1"].id, world.households["a2"].id}
