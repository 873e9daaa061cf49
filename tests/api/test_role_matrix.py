"""Who may call what: every CRUD endpoint against every role, and tokens that must not work.

docs/design.md "Who sees what" and SPEC §4: townships, villages and units are readable by every
role and written by the county admin (a unit admin may edit its own unit); a unit admin writes
its own unit's cadres and the households of villages its unit holds; a cadre and an inspector
only read; accounts are the county admin's. A record outside the caller's scope answers 404.
"""

from datetime import datetime, timedelta

import jwt
import pytest
from sqlalchemy import select

from service.places.models import Village
from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
PROBLEM = "application/problem+json"
ROLES = ("county_admin", "unit_admin", "cadre", "inspector", "anonymous")
ERROR_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found",
               422: "validation_failed"}

# The unit admin is unit A's; the cadre account is cadre a1, paired with household a1.
# {placeholders} name records built by the `refs` fixture; bodies come from the `bodies` fixture
# and are valid, so a refusal can only come from the role or the scope.
#
#  method    path                               body               county unit cadre insp  anon
MATRIX = [
    ("GET",    "/me",                             None,               200,  200,  200,  200, 401),

    ("GET",    "/townships",                      None,               200,  200,  200,  200, 401),
    ("POST",   "/townships",                      "new_township",     201,  403,  403,  403, 401),
    ("GET",    "/townships/{township}",           None,               200,  200,  200,  200, 401),
    ("PATCH",  "/townships/{township}",           "rename",           200,  403,  403,  403, 401),
    ("DELETE", "/townships/{empty_township}",     None,               204,  403,  403,  403, 401),

    ("GET",    "/villages",                       None,               200,  200,  200,  200, 401),
    ("POST",   "/villages",                       "new_village",      201,  403,  403,  403, 401),
    ("GET",    "/villages/{village_a}",           None,               200,  200,  200,  200, 401),
    ("GET",    "/villages/{village_b}",           None,               200,  200,  200,  200, 401),
    ("PATCH",  "/villages/{village_a}",           "rename",           200,  403,  403,  403, 401),
    ("DELETE", "/villages/{empty_village}",       None,               204,  403,  403,  403, 401),

    ("GET",    "/units",                          None,               200,  200,  200,  200, 401),
    ("POST",   "/units",                          "new_unit",         201,  403,  403,  403, 401),
    ("GET",    "/units/{unit_a}",                 None,               200,  200,  200,  200, 401),
    ("GET",    "/units/{unit_b}",                 None,               200,  200,  200,  200, 401),
    ("PATCH",  "/units/{unit_a}",                 "rename_unit",      200,  200,  403,  403, 401),
    ("PATCH",  "/units/{unit_b}",                 "rename_unit",      200,  404,  403,  403, 401),
    ("DELETE", "/units/{empty_unit}",             None,               204,  403,  403,  403, 401),

    ("GET",    "/cadres",                         None,               200,  200,  200,  200, 401),
    ("POST",   "/cadres",                         "cadre_in_a",       201,  201,  403,  403, 401),
    ("POST",   "/cadres",                         "cadre_in_b",       201,  422,  403,  403, 401),
    ("GET",    "/cadres/{cadre_a1}",              None,               200,  200,  200,  200, 401),
    ("GET",    "/cadres/{cadre_a2}",              None,               200,  200,  404,  200, 401),
    ("GET",    "/cadres/{cadre_b1}",              None,               200,  404,  404,  200, 401),
    ("PATCH",  "/cadres/{cadre_a1}",              "rename",           200,  200,  403,  403, 401),
    ("PATCH",  "/cadres/{cadre_a2}",              "rename",           200,  200,  403,  403, 401),
    ("PATCH",  "/cadres/{cadre_b1}",              "rename",           200,  404,  403,  403, 401),
    ("DELETE", "/cadres/{cadre_a2}",              None,               204,  204,  403,  403, 401),
    ("DELETE", "/cadres/{spare_cadre_b}",         None,               204,  404,  403,  403, 401),

    ("GET",    "/households",                     None,               200,  200,  200,  200, 401),
    ("POST",   "/households",                     "household_in_a",   201,  201,  403,  403, 401),
    ("POST",   "/households",                     "household_in_b",   201,  422,  403,  403, 401),
    ("GET",    "/households/{household_a1}",      None,               200,  200,  200,  200, 401),
    ("GET",    "/households/{household_a2}",      None,               200,  200,  404,  200, 401),
    ("GET",    "/households/{household_b1}",      None,               200,  404,  404,  200, 401),
    ("PATCH",  "/households/{household_a1}",      "members",          200,  200,  403,  403, 401),
    ("PATCH",  "/households/{household_b1}",      "members",          200,  404,  403,  403, 401),
    ("DELETE", "/households/{household_a2}",      None,               204,  204,  403,  403, 401),
    ("DELETE", "/households/{spare_household_b}", None,               204,  404,  403,  403, 401),

    ("GET",    "/users",                          None,               200,  403,  403,  403, 401),
    ("POST",   "/users",                          "new_user",         201,  403,  403,  403, 401),
    ("GET",    "/users/{spare_user}",             None,               200,  403,  403,  403, 401),
    ("PATCH",  "/users/{spare_user}",             "user_patch",       200,  403,  403,  403, 401),
    ("DELETE", "/users/{spare_user}",             None,               204,  403,  403,  403, 401),
]

CASES = [
    pytest.param(method, path, body, role, expected,
                 id=f"{method} {path} as {role} -> {expected}")
    for method, path, body, *statuses in MATRIX
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.fixture
def refs(world, session) -> dict[str, int]:
    """Ids for the placeholders, with spare records that nothing depends on (deletable)."""
    empty_township = factories.township(session)
    empty_village = factories.village(session, world.township)
    empty_unit = factories.unit(session)
    spare_cadre_b = factories.cadre(session, world.units["b"])
    spare_household_b = factories.household(session, world.villages["b"])
    spare_user = factories.user(session, "inspector")
    session.commit()
    return {
        "township": world.township.id, "empty_township": empty_township.id,
        "village_a": world.villages["a"].id, "village_b": world.villages["b"].id,
        "empty_village": empty_village.id,
        "unit_a": world.units["a"].id, "unit_b": world.units["b"].id, "empty_unit": empty_unit.id,
        "cadre_a1": world.cadres["a1"].id, "cadre_a2": world.cadres["a2"].id,
        "cadre_b1": world.cadres["b1"].id, "spare_cadre_b": spare_cadre_b.id,
        "household_a1": world.households["a1"].id, "household_a2": world.households["a2"].id,
        "household_b1": world.households["b1"].id, "spare_household_b": spare_household_b.id,
        "spare_user": spare_user.id,
    }


def _free_village_code(session, township) -> str:
    used = set(session.scalars(select(Village.code)))
    return next(code for n in range(1000)
                if (code := f"{township.code}{n:03d}") not in used)


@pytest.fixture
def bodies(world, session) -> dict[str, dict]:
    return {
        "new_township": {"code": "149999999", "name": "新设乡"},
        "new_village": {"code": _free_village_code(session, world.township), "name": "新设村",
                        "township_id": world.township.id, "latitude": 36.2,
                        "longitude": 113.1},
        "new_unit": {"name": "新设单位"},
        "rename": {"name": "改过的名字"},
        "rename_unit": {"name": "改过名的单位"},
        "cadre_in_a": {"name": "新干部甲", "unit_id": world.units["a"].id, "rank": "general",
                       "phone": "13600001111"},
        "cadre_in_b": {"name": "新干部乙", "unit_id": world.units["b"].id, "rank": "general",
                       "phone": "13600002222"},
        "household_in_a": _household(world.villages["a"].id),
        "household_in_b": _household(world.villages["b"].id),
        "members": {"members": 6},
        "new_user": {"username": "new.inspector", "password": "a-long-enough-password",
                     "role": "inspector"},
        "user_patch": {"active": False},
    }


def _household(village_id: int) -> dict:
    return {"village_id": village_id, "head_name": "新登记户",
            "id_number": factories.valid_id_number(), "phone": "13700001111", "members": 2,
            "difficulty": "easier", "needs": ["low_income"], "income_per_capita": 2500}


def _snapshot(admin, method: str, url: str):
    """What the county admin reads at the target, to show a refused write changed nothing."""
    if method == "POST":
        return admin.get(url + "?per_page=500").json
    return admin.get(url).json


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
def test_each_role_gets_the_expected_answer_from_each_endpoint(
        world, refs, bodies, login_as, anonymous, admin, method, path, body, role, expected):
    api = anonymous if role == "anonymous" else login_as(world.users[role])
    url = API + path.format(**refs)
    payload = bodies[body] if body else None
    refused_write = method != "GET" and expected >= 400
    before = _snapshot(admin, method, url) if refused_write else None

    kwargs = {"json": payload} if payload is not None else {}
    response = getattr(api, method.lower())(url, **kwargs)

    assert response.status_code == expected, response.get_data(as_text=True)
    if expected >= 400:
        assert response.mimetype == PROBLEM
        assert response.json["code"] == ERROR_CODES[expected]
    if refused_write:
        assert _snapshot(admin, method, url) == before, "a refused write changed the record"
    if expected == 201:
        assert admin.get(response.headers["Location"]).status_code == 200
    if expected == 204:
        assert admin.get(url).status_code == 404
    if method == "PATCH" and expected == 200:
        assert {k: response.json[k] for k in payload} == payload


@pytest.mark.parametrize("role", ["county_admin", "unit_admin"])
@pytest.mark.parametrize("skills", [[], ["种植", "养殖"]])
def test_an_admin_may_create_a_cadre_with_skills(world, login_as, role, skills):
    """`skills` is part of CadreIn, so sending it must not turn an allowed create into an error."""
    api = login_as(world.users[role])
    body = {"name": "有技能的干部", "unit_id": world.units["a"].id, "rank": "general",
            "skills": skills}
    response = api.post(f"{API}/cadres", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["skills"] == skills


# --- tokens that must not authenticate ----------------------------------------------------


def _claims(user, *, issued: datetime, lifetime: timedelta) -> dict:
    """The claims service/auth.py issue_token puts in a token."""
    return {"sub": str(user.id), "tv": user.token_version, "iat": issued,
            "exp": issued + lifetime}


def _get_me(client, token: str):
    return client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})


def assert_unauthenticated(response) -> None:
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    assert response.json["code"] == "unauthenticated"


def test_a_hand_made_token_with_the_apps_key_is_accepted(app, client, world):
    """Control for the tests below: the same recipe with a future expiry works."""
    user = world.users["inspector"]
    claims = _claims(user, issued=CLOCK.now(), lifetime=timedelta(hours=1))
    token = jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS256")
    response = _get_me(client, token)
    assert response.status_code == 200 and response.json["id"] == user.id


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30."])
def test_a_garbage_token_is_unauthenticated(client, world, token):
    assert_unauthenticated(_get_me(client, token))


def test_an_expired_token_is_unauthenticated(app, client, world):
    user = world.users["county_admin"]
    claims = _claims(user, issued=CLOCK.now() - timedelta(hours=2),
                     lifetime=timedelta(hours=1))
    token = jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS256")
    assert_unauthenticated(_get_me(client, token))
    assert_unauthenticated(client.get(f"{API}/households",
                                      headers={"Authorization": f"Bearer {token}"}))


def test_a_token_signed_with_another_key_is_unauthenticated(client, world):
    claims = _claims(world.users["county_admin"], issued=CLOCK.now(),
                     lifetime=timedelta(hours=1))
    token = jwt.encode(claims, "not-the-apps-secret-key-at-all-0123456789", algorithm="HS256")
    assert_unauthenticated(_get_me(client, token))


def test_a_token_without_the_bearer_scheme_is_unauthenticated(client, login_as, world):
    token = login_as(world.users["county_admin"]).token
    response = client.get(f"{API}/me", headers={"Authorization": f"Token {token}"})
    assert_unauthenticated(response)


@pytest.mark.parametrize("role", ["unit_admin", "cadre", "inspector"])
def test_a_deactivated_users_old_token_is_unauthenticated(admin, login_as, world, role):
    user = world.users[role]
    api = login_as(user)
    assert api.get(f"{API}/me").status_code == 200

    deactivated = admin.patch(f"{API}/users/{user.id}", json={"active": False})
    assert deactivated.status_code == 200, deactivated.get_data(as_text=True)
    assert deactivated.json["active"] is False

    assert_unauthenticated(api.get(f"{API}/me"))
    assert_unauthenticated(api.get(f"{API}/households"))


def test_an_account_marked_inactive_in_the_database_cannot_use_its_token(login_as, session,
                                                                         world):
    """Inactive is refused by itself, not only through the token version PATCH bumps."""
    user = world.users["unit_admin"]
    api = login_as(user)
    assert api.get(f"{API}/me").status_code == 200
    user.active = False
    session.commit()
    assert_unauthenticated(api.get(f"{API}/me"))


def test_reactivating_a_user_does_not_revive_its_old_token(admin, login_as, world):
    user = world.users["cadre"]
    api = login_as(user)
    assert admin.patch(f"{API}/users/{user.id}", json={"active": False}).status_code == 200
    assert admin.patch(f"{API}/users/{user.id}", json={"active": True}).status_code == 200
    assert_unauthenticated(api.get(f"{API}/me"))


def test_a_deactivated_county_admins_old_token_is_unauthenticated(admin, login_as, session):
    other = factories.user(session, "county_admin")
    session.commit()
    api = login_as(other)
    assert api.get(f"{API}/users").status_code == 200
    assert admin.patch(f"{API}/users/{other.id}", json={"active": False}).status_code == 200
    assert_unauthenticated(api.get(f"{API}/users"))
