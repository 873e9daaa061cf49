"""Bad input is refused: a 4xx problem+json naming the field, never a 500; nothing written."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from service.households.models import Household
from service.households.rules import id_check_char
from service.places.models import Township, Village
from tests.clock import CLOCK
from tests.factories import valid_id_number

PROBLEM = "application/problem+json"


# --- helpers -----------------------------------------------------------------------------------


def problem(resp, status: int, code: str) -> dict:
    """Assert a problem+json answer with this status and code; return its body."""
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.get_json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] and body["title"]
    return body


def refused(resp, field: str, status: int = 422) -> dict:
    """A 422 (or other 4xx) whose `errors` names `field` (or an item of it, e.g. needs.0)."""
    code = {422: "validation_failed", 409: "already_exists"}[status]
    body = problem(resp, status, code)
    names = set(body.get("errors", {}))
    assert any(n == field or n.startswith(field + ".") for n in names), body
    return body


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def total(api, url: str) -> int:
    resp = api.get(url)
    assert resp.status_code == 200
    return resp.json["total"]


def with_check_digit(first17: str) -> str:
    return first17 + id_check_char(first17)


def wrong_check_digit(valid: str) -> str:
    return valid[:17] + next(c for c in "0123456789X" if c != valid[17])


def id_number_ending_in_x() -> str:
    """A valid ID whose check character is X (outside the factories' number range)."""
    for seq in range(1000):
        first17 = f"11010119900515{seq:03d}"
        if id_check_char(first17) == "X":
            return first17 + "X"
    raise AssertionError("no X check digit found")


def household_payload(world, **overrides) -> dict:
    body = {
        "village_id": world.villages["a"].id,
        "head_name": "王五",
        "id_number": valid_id_number(),
        "phone": "13812345678",
        "members": 4,
        "difficulty": "harder",
        "needs": ["low_income", "skills_training"],
        "income_per_capita": "4200.50",
    }
    body.update(overrides)
    return body


def free_village_code(world) -> str:
    used = {v.code for v in world.villages.values()}
    return next(world.township.code + f"{s:03d}" for s in range(999, 0, -1)
                if world.township.code + f"{s:03d}" not in used)


# --- townships ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["14000000", "1400000001", "14000000a", "", "14 000000",
                                  "１４００００００１"])
def test_township_code_that_is_not_nine_digits_is_refused(admin, session, code):
    before = count(session, Township)
    resp = admin.post("/api/v1/townships", json={"code": code, "name": "新乡"})
    refused(resp, "code")
    assert count(session, Township) == before


def test_township_with_nine_digit_code_is_accepted(admin):
    resp = admin.post("/api/v1/townships", json={"code": "150000009", "name": "新乡"})
    assert resp.status_code == 201
    assert resp.json["code"] == "150000009"


def test_duplicate_township_code_is_already_exists(admin, world, session):
    before = count(session, Township)
    resp = admin.post("/api/v1/townships", json={"code": world.township.code, "name": "重复乡"})
    refused(resp, "code", status=409)
    assert count(session, Township) == before


def test_township_code_with_trailing_newline_is_refused_not_stored(admin, session):
    # A regex ending in `$` also matches before a final newline; the code must be 9 digits.
    before = count(session, Township)
    resp = admin.post("/api/v1/townships", json={"code": "150000001\n", "name": "新乡"})
    refused(resp, "code")
    assert count(session, Township) == before


def test_township_patch_to_duplicate_code_is_already_exists(admin, world):
    other = admin.post("/api/v1/townships", json={"code": "150000002", "name": "另一乡"})
    assert other.status_code == 201
    resp = admin.patch(f"/api/v1/townships/{other.json['id']}",
                       json={"code": world.township.code})
    refused(resp, "code", status=409)
    assert admin.get(f"/api/v1/townships/{other.json['id']}").json["code"] == "150000002"


# --- villages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "1", "12", "1234", "12a", "１２３", "001\n"])
def test_village_code_that_is_not_twelve_digits_is_refused(admin, world, session, suffix):
    before = count(session, Village)
    resp = admin.post("/api/v1/villages", json={
        "code": world.township.code + suffix, "name": "新村", "township_id": world.township.id})
    refused(resp, "code")
    assert count(session, Village) == before


def test_village_code_not_starting_with_its_township_code_is_refused(admin, world, session):
    before = count(session, Village)
    prefix = "150000001"
    assert prefix != world.township.code
    resp = admin.post("/api/v1/villages", json={
        "code": prefix + "001", "name": "新村", "township_id": world.township.id})
    body = refused(resp, "code")
    assert world.township.code in " ".join(body["errors"]["code"])
    assert count(session, Village) == before


def test_village_moved_to_a_township_whose_code_it_does_not_start_with_is_refused(admin, world):
    other = admin.post("/api/v1/townships", json={"code": "150000003", "name": "另一乡"})
    village = world.villages["a"]
    resp = admin.patch(f"/api/v1/villages/{village.id}",
                       json={"township_id": other.json["id"]})
    refused(resp, "code")
    assert admin.get(f"/api/v1/villages/{village.id}").json["township_id"] == world.township.id


def test_township_code_change_is_refused_while_its_villages_carry_the_old_prefix(admin, world):
    # Otherwise every village of the township would break the prefix rule at once.
    url = f"/api/v1/townships/{world.township.id}"
    resp = admin.patch(url, json={"code": "150000006"})
    assert resp.status_code in (409, 422), resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    assert admin.get(url).json["code"] == world.township.code


def test_township_without_villages_may_change_its_code(admin):
    made = admin.post("/api/v1/townships", json={"code": "150000007", "name": "新乡"})
    resp = admin.patch(f"/api/v1/townships/{made.json['id']}", json={"code": "150000008"})
    assert resp.status_code == 200
    assert resp.json["code"] == "150000008"


def test_duplicate_village_code_is_already_exists(admin, world, session):
    before = count(session, Village)
    resp = admin.post("/api/v1/villages", json={
        "code": world.villages["a"].code, "name": "重复村", "township_id": world.township.id})
    refused(resp, "code", status=409)
    assert count(session, Village) == before


def test_village_in_missing_township_is_refused(admin, session):
    before = count(session, Village)
    resp = admin.post("/api/v1/villages", json={
        "code": "150000001001", "name": "新村", "township_id": 987654})
    refused(resp, "township_id")
    assert count(session, Village) == before


@pytest.mark.parametrize("field,value", [("latitude", 90.5), ("latitude", -91),
                                         ("longitude", 180.1), ("longitude", -181)])
def test_village_coordinates_out_of_range_are_refused(admin, world, session, field, value):
    before = count(session, Village)
    resp = admin.post("/api/v1/villages", json={
        "code": free_village_code(world), "name": "新村", "township_id": world.township.id,
        field: value})
    refused(resp, field)
    assert count(session, Village) == before


# --- households: ID number ---------------------------------------------------------------------


def _refused_household(admin, session, world, field, status=422, **overrides):
    before = count(session, Household)
    resp = admin.post("/api/v1/households", json=household_payload(world, **overrides))
    body = refused(resp, field, status=status)
    assert count(session, Household) == before
    return body


@pytest.mark.parametrize("id_number", [
    "14042719800101123",      # 17 characters
    "1404271980010112345",    # 19 characters
    "14042719800101123A",     # a letter other than X
    "1404271980O101123X",     # a letter among the digits
    "",
])
def test_household_id_number_of_wrong_shape_is_refused(admin, session, world, id_number):
    _refused_household(admin, session, world, "id_number", id_number=id_number)


def test_household_with_wrong_check_digit_is_refused(admin, session, world):
    good = valid_id_number()
    body = _refused_household(admin, session, world, "id_number",
                              id_number=wrong_check_digit(good))
    assert "校验位" in " ".join(body["errors"]["id_number"])


def test_household_with_nonexistent_birth_date_is_refused(admin, session, world):
    # 1980-02-30 does not exist; the check digit is right, so only the date is wrong.
    _refused_household(admin, session, world, "id_number",
                       id_number=with_check_digit("14042719800230123"))


def test_household_with_future_birth_date_is_refused(admin, session, world):
    born = (CLOCK.today() + timedelta(days=400)).strftime("%Y%m%d")
    _refused_household(admin, session, world, "id_number",
                       id_number=with_check_digit(f"140427{born}123"))


def test_household_born_before_1900_is_refused(admin, session, world):
    _refused_household(admin, session, world, "id_number",
                       id_number=with_check_digit("14042718991231123"))


def test_household_id_number_with_fullwidth_digits_is_refused(admin, session, world):
    # Python's \d matches any Unicode digit; a resident ID is ASCII digits only.
    # An ID ending in X: otherwise the (ASCII) check character never equals a full-width digit.
    ascii_id = id_number_ending_in_x()
    fullwidth = ascii_id.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    _refused_household(admin, session, world, "id_number", id_number=fullwidth)


def test_household_lowercase_x_is_accepted_and_stored_uppercase(admin, session, world):
    id_number = id_number_ending_in_x()
    resp = admin.post("/api/v1/households",
                      json=household_payload(world, id_number=id_number.lower()))
    assert resp.status_code == 201, resp.json
    assert resp.json["id_number"] == id_number
    session.expire_all()
    assert session.get(Household, resp.json["id"]).id_number == id_number


def test_household_duplicate_id_number_is_already_exists(admin, session, world):
    body = _refused_household(admin, session, world, "id_number", status=409,
                              id_number=world.households["a1"].id_number)
    assert body["errors"]["id_number"]


def test_household_lowercase_x_duplicate_of_stored_id_is_already_exists(admin, session, world):
    id_number = id_number_ending_in_x()
    first = admin.post("/api/v1/households", json=household_payload(world, id_number=id_number))
    assert first.status_code == 201
    _refused_household(admin, session, world, "id_number", status=409,
                       id_number=id_number.lower())


def test_household_patch_to_another_households_id_number_is_already_exists(admin, world):
    ha2 = world.households["a2"]
    resp = admin.patch(f"/api/v1/households/{ha2.id}",
                       json={"id_number": world.households["a1"].id_number})
    refused(resp, "id_number", status=409)
    assert admin.get(f"/api/v1/households/{ha2.id}").json["id_number"] == ha2.id_number


# --- households: phone, members, income, needs, names ------------------------------------------


@pytest.mark.parametrize("phone", [
    "12345678901",     # 12… is not a mobile prefix
    "1381234567",      # 10 digits
    "138123456789",    # 12 digits
    "0351-1234567",    # a landline
    "+8613812345678",
    "13812345678\n",   # trailing newline
    "１３８１２３４５６７８",  # full-width digits
])
def test_household_phone_that_is_not_a_mainland_mobile_is_refused(admin, session, world, phone):
    _refused_household(admin, session, world, "phone", phone=phone)


def test_household_mainland_mobile_is_accepted(admin, world):
    resp = admin.post("/api/v1/households", json=household_payload(world, phone="19912345678"))
    assert resp.status_code == 201
    assert resp.json["phone"] == "19912345678"


@pytest.mark.parametrize("members", [0, 31, -1, "many", True])
def test_household_members_outside_one_to_thirty_are_refused(admin, session, world, members):
    _refused_household(admin, session, world, "members", members=members)


def test_household_fractional_members_is_refused_not_truncated(admin, session, world):
    _refused_household(admin, session, world, "members", members=2.5)


@pytest.mark.parametrize("members", [1, 30])
def test_household_members_at_bounds_are_accepted(admin, world, members):
    resp = admin.post("/api/v1/households", json=household_payload(world, members=members))
    assert resp.status_code == 201
    assert resp.json["members"] == members


@pytest.mark.parametrize("income", [-1, "-0.01", "NaN", "Infinity", "lots"])
def test_household_negative_or_non_numeric_income_is_refused(admin, session, world, income):
    _refused_household(admin, session, world, "income_per_capita", income_per_capita=income)


def test_household_zero_income_is_accepted(admin, world):
    resp = admin.post("/api/v1/households", json=household_payload(world, income_per_capita=0))
    assert resp.status_code == 201
    assert resp.json["income_per_capita"] == 0


@pytest.mark.parametrize("needs", [["rich"], ["low_income", "Low_Income"], "low_income", [1]])
def test_household_need_outside_the_spec_list_is_refused(admin, session, world, needs):
    _refused_household(admin, session, world, "needs", needs=needs)


def test_household_duplicate_need_is_refused(admin, session, world):
    _refused_household(admin, session, world, "needs", needs=["low_income", "low_income"])


def test_household_every_spec_need_is_accepted(admin, world):
    needs = ["low_income", "school_dropout", "unemployed_labor", "entrepreneurship",
             "skills_training", "large_grower", "college_grad_official"]
    resp = admin.post("/api/v1/households", json=household_payload(world, needs=needs))
    assert resp.status_code == 201
    assert resp.json["needs"] == needs


@pytest.mark.parametrize("difficulty", ["hard", "", None, "HARDEST"])
def test_household_difficulty_outside_the_spec_list_is_refused(admin, session, world,
                                                                difficulty):
    _refused_household(admin, session, world, "difficulty", difficulty=difficulty)


def test_household_in_missing_village_is_refused(admin, session, world):
    _refused_household(admin, session, world, "village_id", village_id=987654)


@pytest.mark.parametrize("field", ["village_id", "head_name", "id_number", "members",
                                   "difficulty"])
def test_household_without_a_required_field_is_refused(admin, session, world, field):
    before = count(session, Household)
    payload = household_payload(world)
    del payload[field]
    refused(admin.post("/api/v1/households", json=payload), field)
    assert count(session, Household) == before


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "张" * 51, " " + "张" * 51 + " "])
def test_household_head_name_blank_or_too_long_is_refused(admin, session, world, name):
    _refused_household(admin, session, world, "head_name", head_name=name)


def test_household_head_name_is_stored_stripped(admin, session, world):
    resp = admin.post("/api/v1/households", json=household_payload(world, head_name="  张三  "))
    assert resp.status_code == 201
    assert resp.json["head_name"] == "张三"
    session.expire_all()
    assert session.get(Household, resp.json["id"]).head_name == "张三"


def test_household_head_name_of_fifty_characters_is_accepted(admin, world):
    name = "张" * 50
    resp = admin.post("/api/v1/households", json=household_payload(world, head_name=name))
    assert resp.status_code == 201
    assert resp.json["head_name"] == name


def test_a_name_is_measured_as_sent_and_stored_stripped(admin, session, world):
    """The spec's maxLength is what the server counts: stray spaces count too (a front-end that
    validates with the spec and the server agree), and are not stored."""
    inner = "张" * 48
    resp = admin.post("/api/v1/households", json=household_payload(world, head_name=f" {inner} "))
    assert resp.status_code == 201, resp.json
    assert resp.json["head_name"] == inner
    _refused_household(admin, session, world, "head_name", head_name=f"  {inner} ")


@pytest.mark.parametrize("url,payload", [
    ("/api/v1/townships", {"code": "150000004", "name": "   "}),
    ("/api/v1/townships", {"code": "150000004", "name": "乡" * 51}),
    ("/api/v1/units", {"name": "   "}),
    ("/api/v1/units", {"name": "单" * 101}),
])
def test_blank_or_too_long_place_and_unit_names_are_refused(admin, url, payload):
    before = total(admin, url)
    refused(admin.post(url, json=payload), "name")
    assert total(admin, url) == before


def test_cadre_blank_name_is_refused(admin, world):
    before = total(admin, "/api/v1/cadres")
    resp = admin.post("/api/v1/cadres", json={
        "name": "  ", "unit_id": world.units["a"].id, "rank": "general"})
    refused(resp, "name")
    assert total(admin, "/api/v1/cadres") == before


def test_cadre_unknown_rank_is_refused(admin, world):
    before = total(admin, "/api/v1/cadres")
    resp = admin.post("/api/v1/cadres", json={
        "name": "李四", "unit_id": world.units["a"].id, "rank": "minister"})
    refused(resp, "rank")
    assert total(admin, "/api/v1/cadres") == before


@pytest.mark.parametrize("patch,field", [
    ({"id_number": "140427198002301234"}, "id_number"),
    ({"phone": "12345678901"}, "phone"),
    ({"members": 0}, "members"),
    ({"members": 31}, "members"),
    ({"income_per_capita": -1}, "income_per_capita"),
    ({"needs": ["low_income", "low_income"]}, "needs"),
    ({"needs": ["rich"]}, "needs"),
    ({"head_name": "   "}, "head_name"),
])
def test_household_patch_with_bad_value_is_refused_and_changes_nothing(admin, world, patch,
                                                                       field):
    url = f"/api/v1/households/{world.households['a2'].id}"
    before = admin.get(url)
    refused(admin.patch(url, json=patch), field)
    after = admin.get(url)
    assert after.json == before.json
    assert after.headers["ETag"] == before.headers["ETag"]


# --- duplicates of names and usernames ---------------------------------------------------------


def test_duplicate_unit_name_is_already_exists(admin, world):
    before = total(admin, "/api/v1/units")
    resp = admin.post("/api/v1/units", json={"name": world.units["a"].name})
    refused(resp, "name", status=409)
    assert total(admin, "/api/v1/units") == before


def test_duplicate_username_is_already_exists(admin, world):
    before = total(admin, "/api/v1/users")
    resp = admin.post("/api/v1/users", json={
        "username": world.users["inspector"].username, "password": "long-enough-pass",
        "role": "inspector"})
    refused(resp, "username", status=409)
    assert total(admin, "/api/v1/users") == before


@pytest.mark.parametrize("username", ["ab", "has space", "名字", "x" * 51, "okname\n"])
def test_bad_username_is_refused(admin, username):
    before = total(admin, "/api/v1/users")
    resp = admin.post("/api/v1/users", json={
        "username": username, "password": "long-enough-pass", "role": "inspector"})
    refused(resp, "username")
    assert total(admin, "/api/v1/users") == before


def test_short_password_is_refused(admin):
    before = total(admin, "/api/v1/users")
    resp = admin.post("/api/v1/users", json={
        "username": "newinspector", "password": "short", "role": "inspector"})
    refused(resp, "password")
    assert total(admin, "/api/v1/users") == before


# --- unknown fields, malformed bodies, paging --------------------------------------------------


def _create_payloads(world) -> dict:
    return {
        "/api/v1/townships": {"code": "150000005", "name": "新乡"},
        "/api/v1/villages": {"code": free_village_code(world), "name": "新村",
                             "township_id": world.township.id},
        "/api/v1/units": {"name": "新单位"},
        "/api/v1/cadres": {"name": "李四", "unit_id": world.units["a"].id, "rank": "general"},
        "/api/v1/households": household_payload(world),
        "/api/v1/users": {"username": "newinspector", "password": "long-enough-pass",
                          "role": "inspector"},
    }


COLLECTIONS = ["/api/v1/townships", "/api/v1/villages", "/api/v1/units", "/api/v1/cadres",
               "/api/v1/households", "/api/v1/users"]


@pytest.mark.parametrize("url", COLLECTIONS)
def test_create_with_unknown_field_is_refused_naming_it(admin, world, url):
    before = total(admin, url)
    payload = {**_create_payloads(world)[url], "colour": "red"}
    refused(admin.post(url, json=payload), "colour")
    assert total(admin, url) == before


@pytest.mark.parametrize("field", ["id", "card_code", "household_quota", "version"])
def test_create_may_not_set_server_owned_fields(admin, world, field):
    url = "/api/v1/households" if field != "household_quota" else "/api/v1/cadres"
    before = total(admin, url)
    payload = {**_create_payloads(world)[url], field: "ABCDEFGHJKLMNPQR"}
    refused(admin.post(url, json=payload), field)
    assert total(admin, url) == before


def test_patch_with_unknown_field_is_refused_naming_it(admin, world):
    url = f"/api/v1/households/{world.households['a1'].id}"
    before = admin.get(url).json
    refused(admin.patch(url, json={"members": 5, "colour": "red"}), "colour")
    assert admin.get(url).json == before


@pytest.mark.parametrize("url", COLLECTIONS)
@pytest.mark.parametrize("body", ['{"name": ', "not json", '{"name": "x",}'])
def test_malformed_json_body_is_400_malformed_body(admin, url, body):
    before = total(admin, url)
    resp = admin.post(url, data=body, headers={"Content-Type": "application/json"})
    problem(resp, 400, "malformed_body")
    assert total(admin, url) == before


def test_malformed_json_patch_is_400_malformed_body(admin, world):
    url = f"/api/v1/households/{world.households['a1'].id}"
    before = admin.get(url).json
    resp = admin.patch(url, data="{", headers={"Content-Type": "application/json"})
    problem(resp, 400, "malformed_body")
    assert admin.get(url).json == before


@pytest.mark.parametrize("body", ["[]", '"text"', "42", "null"])
def test_json_body_that_is_not_an_object_is_refused(admin, body):
    before = total(admin, "/api/v1/units")
    resp = admin.post("/api/v1/units", data=body, headers={"Content-Type": "application/json"})
    assert 400 <= resp.status_code < 500, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    assert total(admin, "/api/v1/units") == before


@pytest.mark.parametrize("url", COLLECTIONS)
def test_per_page_above_500_is_refused_naming_per_page(admin, url):
    refused(admin.get(url + "?per_page=501"), "per_page")


@pytest.mark.parametrize("url", COLLECTIONS)
def test_per_page_of_500_is_accepted(admin, url):
    resp = admin.get(url + "?per_page=500")
    assert resp.status_code == 200
    assert resp.json["per_page"] == 500


@pytest.mark.parametrize("query,field", [("page=0", "page"), ("page=-1", "page"),
                                         ("page=abc", "page"), ("per_page=0", "per_page"),
                                         ("per_page=x", "per_page")])
def test_bad_page_arguments_are_refused(admin, query, field):
    refused(admin.get("/api/v1/households?" + query), field)


@pytest.mark.parametrize("query,field", [("difficulty=hard", "difficulty"),
                                         ("need=rich", "need"),
                                         ("village_id=abc", "village_id")])
def test_bad_household_filters_are_refused(admin, query, field):
    refused(admin.get("/api/v1/households?" + query), field)


def test_bad_cadre_rank_filter_is_refused(admin):
    refused(admin.get("/api/v1/cadres?rank=minister"), "rank")


# --- booleans are JSON booleans; a body is a JSON body ----------------------------------------


@pytest.mark.parametrize("weak", [0, 1, "yes", "true", "", None])
def test_a_body_boolean_must_be_true_or_false(admin, session, world, weak):
    from service.contacts.models import PartyOrganization

    before = count(session, PartyOrganization)
    resp = admin.post("/api/v1/party-organizations", json={
        "name": "某村党支部", "kind": "village_branch", "weak": weak,
        "village_id": world.villages["a"].id})
    refused(resp, "weak")
    assert count(session, PartyOrganization) == before


def test_a_body_boolean_true_is_taken(admin, world):
    resp = admin.post("/api/v1/party-organizations", json={
        "name": "某村党支部", "kind": "village_branch", "weak": True,
        "village_id": world.villages["a"].id})
    assert resp.status_code == 201, resp.json
    assert resp.json["weak"] is True


@pytest.mark.parametrize("value", ["yes", "1", "0", "on", "", "truthy"])
def test_a_query_flag_must_be_true_or_false(admin, world, value):
    refused(admin.get(f"/api/v1/pairings?active={value}"), "active")


@pytest.mark.parametrize("value,active", [("true", True), ("false", False), ("True", True)])
def test_a_query_flag_reads_true_and_false_in_any_case(admin, world, value, active):
    """The world has two pairings, both active."""
    resp = admin.get(f"/api/v1/pairings?active={value}")
    assert resp.status_code == 200
    assert resp.json["total"] == (2 if active else 0)
    assert {p["active"] for p in resp.json["items"]} <= {active}


def test_a_patch_without_a_body_is_400_and_changes_nothing(admin, session, world):
    household = world.households["a1"]
    before = admin.get(f"/api/v1/households/{household.id}")
    resp = admin.patch(f"/api/v1/households/{household.id}")
    problem(resp, 400, "body_required")
    after = admin.get(f"/api/v1/households/{household.id}")
    assert after.headers["ETag"] == before.headers["ETag"]


def test_a_body_that_is_not_json_is_415(admin, world):
    resp = admin.client.patch(f"/api/v1/households/{world.households['a1'].id}",
                              data="head_name=张三", headers={**admin._headers({}),
                                                             "Content-Type": "text/plain"})
    problem(resp, 415, "unsupported_media_type")


def test_a_post_without_a_body_is_400(admin, session):
    before = count(session, Township)
    problem(admin.post("/api/v1/townships"), 400, "body_required")
    assert count(session, Township) == before
