"""Who may call what on visits, batch sync and sync down (SPEC §4 roles, §5).

Only a cadre logs visits (its own households), sends batches, corrects its own visits and syncs
down; admins and inspectors read. A unit admin reads its unit's cadres' visits, a cadre its own;
a visit outside the caller's scope answers 404, exactly as if it did not exist.

The unit admin is unit A's; the cadre account is cadre a1 (unit A), paired with household a1.
Cadre a2 (unit A) is paired with household a2 and cadre b1 (unit B) with household b1; each
logs one visit through POST /visits under its own account before every test.
"""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
PROBLEM = "application/problem+json"
CST = ZoneInfo("Asia/Shanghai")
ROLES = ("county_admin", "unit_admin", "cadre", "inspector", "anonymous")
ERROR_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}

#    method   path                     body         cnty unit cadr insp anon
MATRIX = [
    ("GET",   "/visits",               None,        200, 200, 200, 200, 401),
    ("POST",  "/visits",               "visit_a1",  403, 403, 201, 403, 401),
    ("POST",  "/visits",               "visit_b1",  403, 403, 403, 403, 401),
    ("POST",  "/visits/batch",         "batch_a1",  403, 403, 200, 403, 401),
    ("POST",  "/visits/batch",         "batch_b1",  403, 403, 200, 403, 401),
    ("GET",   "/visits/{visit_a1}",    None,        200, 200, 200, 200, 401),
    ("GET",   "/visits/{visit_a2}",    None,        200, 200, 404, 200, 401),
    ("GET",   "/visits/{visit_b1}",    None,        200, 404, 404, 200, 401),
    ("GET",   "/visits/{missing}",     None,        404, 404, 404, 404, 401),
    ("PATCH", "/visits/{visit_a1}",    "patch",     403, 403, 200, 403, 401),
    ("PATCH", "/visits/{visit_a2}",    "patch",     403, 403, 404, 403, 401),
    ("PATCH", "/visits/{visit_b1}",    "patch",     403, 403, 404, 403, 401),
    ("GET",   "/sync",                 None,        403, 403, 200, 403, 401),
]  # fmt: skip

CASES = [
    pytest.param(method, path, body, role, expected,
                 id=f"{method} {path} as {role} -> {expected}")
    for method, path, body, *statuses in MATRIX
    for role, expected in zip(ROLES, statuses, strict=True)
]

# What the one item of each batch body comes to when a cadre a1 sends it.
BATCH_ITEM = {"batch_a1": ("created", None), "batch_b1": ("rejected", 403)}


def yesterday_morning() -> datetime:
    return (CLOCK.local() - timedelta(days=1)).replace(hour=10, minute=0, second=0,
                                                       microsecond=0)


def visit_body(household_id: int, **overrides) -> dict:
    body = {"id": str(uuid.uuid4()), "household_id": household_id,
            "visited_at": yesterday_morning().isoformat(), "kind": "home_visit",
            "diary": "入户了解生产生活情况"}
    body.update(overrides)
    return body


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


@pytest.fixture
def refs(world, session, login_as) -> dict:
    """Ids for the placeholders: one visit per cadre, each logged by its own cadre."""
    factories.pair(session, world.cadres["a2"], world.households["a2"])
    user_a2 = factories.user(session, "cadre", cadre_=world.cadres["a2"])
    user_b1 = factories.user(session, "cadre", cadre_=world.cadres["b1"])
    session.commit()
    logged = {}
    for name, user in (("a1", world.users["cadre"]), ("a2", user_a2), ("b1", user_b1)):
        body = visit_body(world.households[name].id)
        logged[f"visit_{name}"] = _ok(login_as(user).post(f"{API}/visits", json=body), 201)["id"]
    return {
        **logged,
        "missing": str(uuid.uuid4()),
        "unit_b": world.units["b"].id, "village_b": world.villages["b"].id,
        "cadre_a2": world.cadres["a2"].id, "cadre_b1": world.cadres["b1"].id,
        "household_b1": world.households["b1"].id,
    }


@pytest.fixture
def bodies(world) -> dict:
    a1, b1 = world.households["a1"].id, world.households["b1"].id
    return {
        "visit_a1": visit_body(a1, diary="帮助联系农技站"),
        "visit_b1": visit_body(b1),
        "batch_a1": {"visits": [visit_body(a1, kind="heart_to_heart")]},
        "batch_b1": {"visits": [visit_body(b1)]},
        "patch": {"diary": "补记: 商定下周送煤"},
    }


def _all_visits(admin) -> list[dict]:
    return _ok(admin.get(f"{API}/visits?per_page=500"))["items"]


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
def test_each_role_gets_the_expected_answer_from_each_visit_endpoint(
        world, refs, bodies, login_as, anonymous, admin, method, path, body, role, expected):
    api = anonymous if role == "anonymous" else login_as(world.users[role])
    url = API + path.format(**refs)
    payload = bodies[body] if body else None
    writes = method != "GET"
    before = _all_visits(admin) if writes else None

    kwargs = {"json": payload} if payload is not None else {}
    response = getattr(api, method.lower())(url, **kwargs)

    assert response.status_code == expected, response.get_data(as_text=True)
    if expected >= 400:
        assert response.mimetype == PROBLEM
        assert response.json["status"] == expected
        assert response.json["code"] == ERROR_CODES[expected]
        if writes:
            assert _all_visits(admin) == before, "a refused write changed something"
        return

    cadre_a1 = world.cadres["a1"].id
    if method == "GET" and path == "/visits":
        assert response.json["total"] == len(response.json["items"]) > 0
    elif method == "GET" and path.startswith("/visits/"):
        assert response.json["id"] == url.rsplit("/", 1)[1]
    elif method == "POST" and path == "/visits":
        assert response.headers["Location"] == f"{API}/visits/{payload['id']}"
        stored = _ok(admin.get(response.headers["Location"]))
        assert stored["id"] == payload["id"] and stored["cadre_id"] == cadre_a1
        assert stored["diary"] == payload["diary"]
        assert len(_all_visits(admin)) == len(before) + 1
    elif method == "POST" and path == "/visits/batch":
        status, problem_status = BATCH_ITEM[body]
        [result] = response.json["results"]
        assert result["id"] == payload["visits"][0]["id"]
        assert result["status"] == status
        if status == "created":
            assert _ok(admin.get(f"{API}/visits/{result['id']}"))["cadre_id"] == cadre_a1
            assert len(_all_visits(admin)) == len(before) + 1
        else:
            assert result["problem"]["status"] == problem_status
            assert _all_visits(admin) == before
    elif method == "PATCH":
        assert response.json["diary"] == payload["diary"]
        stored = _ok(admin.get(url))
        assert stored["diary"] == payload["diary"] and stored["revisions"] == 1
    elif path == "/sync":
        assert [h["id"] for h in response.json["households"]] == [world.households["a1"].id]
    else:  # pragma: no cover - every success row is checked above
        raise AssertionError(f"no check for {method} {path}")


# --- lists show only rows in scope ---------------------------------------------------------

# path, role, the visits it must list, the visits it must not list. A filter naming another
# unit, cadre, household or village must not widen the caller's scope.
ALL = {"visit_a1", "visit_a2", "visit_b1"}
LIST_SCOPE = [
    ("/visits", "county_admin", ALL, set()),
    ("/visits", "inspector", ALL, set()),
    ("/visits", "unit_admin", {"visit_a1", "visit_a2"}, {"visit_b1"}),
    ("/visits", "cadre", {"visit_a1"}, {"visit_a2", "visit_b1"}),
    ("/visits?cadre_id={cadre_b1}", "unit_admin", set(), {"visit_b1"}),
    ("/visits?unit_id={unit_b}", "unit_admin", set(), {"visit_b1"}),
    ("/visits?village_id={village_b}", "unit_admin", set(), {"visit_b1"}),
    ("/visits?cadre_id={cadre_a2}", "cadre", set(), {"visit_a2"}),
    ("/visits?household_id={household_b1}", "cadre", set(), {"visit_b1"}),
    ("/visits?unit_id={unit_b}", "county_admin", {"visit_b1"}, {"visit_a1", "visit_a2"}),
]


@pytest.mark.parametrize(("path", "role", "shown", "hidden"), [
    pytest.param(*row, id=f"{row[0]} as {row[1]}") for row in LIST_SCOPE])
def test_each_visit_list_shows_only_the_visits_in_the_callers_scope(
        world, refs, login_as, path, role, shown, hidden):
    url = API + path.format(**refs)
    page = _ok(login_as(world.users[role]).get(url + ("&" if "?" in url else "?") + "per_page=500"))
    listed = {item["id"] for item in page["items"]}

    assert page["total"] == len(page["items"])
    assert {refs[name] for name in shown} == listed & {refs[name] for name in ALL}
    assert not {refs[name] for name in hidden} & listed
