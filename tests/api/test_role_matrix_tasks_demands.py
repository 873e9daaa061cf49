"""Who may call what on 包扶任务 (tasks) and 诉求 (demands).

The roles each endpoint allows are those of its `@require(...)`; inside an allowed role the
scope decides (SPEC §4 Roles, issue 4): a unit admin acts on the tasks and demands of the
households in its unit's villages, a cadre on those of the households it is paired with, an
inspector reads everything, verifies tasks and confirms demands. A record outside the caller's
scope answers 404, exactly as if it did not exist; a create naming a household outside the
scope is 403.
"""

import uuid
from datetime import timedelta

import pytest

from service.tasks.models import Task
from tests.clock import CST, NOW

API = "/api/v1"
PROBLEM = "application/problem+json"
ROLES = ("county_admin", "unit_admin", "cadre", "inspector", "anonymous")
ERROR_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found",
               422: "validation_failed"}
DUE = NOW.astimezone(CST).date() + timedelta(days=90)  # 90 days after the tests' today

# The unit admin is unit A's; the cadre account is cadre a1 (unit A), paired with household a1;
# household a2 is in village a (unit A) but not the cadre's; household b1 is unit B's.
# {placeholders} name records built by the `refs` fixture, fresh for every test; bodies come
# from the `bodies` fixture and are valid, so a refusal can only come from the role or scope.
#
#    method    path                               body             cnty unit cadr insp anon
MATRIX = [
    ("GET",    "/tasks",                          None,            200, 200, 200, 200, 401),
    ("POST",   "/tasks",                          "task_for_a1",   201, 201, 201, 403, 401),
    ("POST",   "/tasks",                          "task_for_a2",   201, 201, 422, 403, 401),
    ("POST",   "/tasks",                          "task_for_b1",   201, 422, 422, 403, 401),
    ("GET",    "/tasks/{task_a1}",                None,            200, 200, 200, 200, 401),
    ("GET",    "/tasks/{task_a2}",                None,            200, 200, 404, 200, 401),
    ("GET",    "/tasks/{task_b1}",                None,            200, 404, 404, 200, 401),
    ("PATCH",  "/tasks/{task_a1}",                "task_patch",    200, 200, 200, 403, 401),
    ("PATCH",  "/tasks/{task_a2}",                "task_patch",    200, 200, 404, 403, 401),
    ("PATCH",  "/tasks/{task_b1}",                "task_patch",    200, 404, 404, 403, 401),
    ("DELETE", "/tasks/{task_a1}",                None,            204, 204, 204, 403, 401),
    ("DELETE", "/tasks/{task_a2}",                None,            204, 204, 404, 403, 401),
    ("DELETE", "/tasks/{task_b1}",                None,            204, 404, 404, 403, 401),
    ("POST",   "/tasks/{task_a1}/transition",     "start",         200, 200, 200, 403, 401),
    ("POST",   "/tasks/{task_a2}/transition",     "start",         200, 200, 404, 403, 401),
    ("POST",   "/tasks/{task_b1}/transition",     "start",         200, 404, 404, 403, 401),
    ("POST",   "/tasks/{done_a1}/transition",     "finish_task",   200, 403, 403, 200, 401),
    ("POST",   "/tasks/{done_b1}/transition",     "finish_task",   200, 404, 404, 200, 401),
    ("POST",   "/tasks/{done_a1}/transition",     "reopen",        200, 200, 200, 403, 401),

    ("GET",    "/demands",                        None,            200, 200, 200, 200, 401),
    ("POST",   "/demands",                        "demand_for_a1", 201, 201, 201, 403, 401),
    ("POST",   "/demands",                        "demand_for_a2", 201, 201, 422, 403, 401),
    ("POST",   "/demands",                        "demand_for_b1", 201, 422, 422, 403, 401),
    ("GET",    "/demands/{demand_a1}",            None,            200, 200, 200, 200, 401),
    ("GET",    "/demands/{demand_a2}",            None,            200, 200, 404, 200, 401),
    ("GET",    "/demands/{demand_b1}",            None,            200, 404, 404, 200, 401),
    ("PATCH",  "/demands/{demand_a1}",            "demand_patch",  200, 200, 200, 403, 401),
    ("PATCH",  "/demands/{demand_a2}",            "demand_patch",  200, 200, 404, 403, 401),
    ("PATCH",  "/demands/{demand_b1}",            "demand_patch",  200, 404, 404, 403, 401),
    ("POST",   "/demands/{demand_a1}/transition", "start",         200, 200, 200, 403, 401),
    ("POST",   "/demands/{demand_a2}/transition", "start",         200, 200, 404, 403, 401),
    ("POST",   "/demands/{demand_b1}/transition", "start",         200, 404, 404, 403, 401),
    ("POST",   "/demands/{solved_a1}/transition", "confirm",       200, 200, 403, 200, 401),
    ("POST",   "/demands/{solved_b1}/transition", "confirm",       200, 404, 404, 200, 401),
    ("POST",   "/demands/{solved_a1}/transition", "reopen",        200, 200, 200, 403, 401),
]  # fmt: skip

CASES = [
    pytest.param(method, path, body, role, expected,
                 id=f"{method} {path} {body or ''} as {role} -> {expected}")
    for method, path, body, *statuses in MATRIX
    for role, expected in zip(ROLES, statuses, strict=True)
]


# --- records -------------------------------------------------------------------------------


def _task(session, household, status="open") -> Task:
    task = Task(household_id=household.id, category="low_income", source="manual",
                description="帮助发展产业, 完成增收任务", target="人均收入达标", due_on=DUE,
                status=status)
    session.add(task)
    session.flush()
    return task


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


def _demand(admin, household, *moves: dict) -> str:
    """A demand raised by the county admin for the household, moved along `moves`."""
    demand_id = str(uuid.uuid4())
    _ok(admin.post(f"{API}/demands", json={
        "id": demand_id, "household_id": household.id, "category": "harvest_help",
        "description": "秋收缺人手"}), 201)
    for move in moves:
        _ok(admin.post(f"{API}/demands/{demand_id}/transition", json=move))
    return demand_id


@pytest.fixture
def refs(world, session, admin) -> dict[str, object]:
    """Ids for the placeholders; every test gets its own records (the test rolls back)."""
    ha1, ha2, hb1 = (world.households[k] for k in ("a1", "a2", "b1"))
    tasks = {"task_a1": _task(session, ha1), "task_a2": _task(session, ha2),
             "task_b1": _task(session, hb1), "done_a1": _task(session, ha1, "done"),
             "done_b1": _task(session, hb1, "done")}
    session.commit()
    solve = ({"to": "in_progress"}, {"to": "resolved", "resolution": "组织志愿者帮忙秋收"})
    return {
        **{name: task.id for name, task in tasks.items()},
        "household_a1": ha1.id, "household_a2": ha2.id, "household_b1": hb1.id,
        "demand_a1": _demand(admin, ha1), "demand_a2": _demand(admin, ha2),
        "demand_b1": _demand(admin, hb1),
        "solved_a1": _demand(admin, ha1, *solve), "solved_b1": _demand(admin, hb1, *solve),
    }


@pytest.fixture
def bodies(refs) -> dict[str, dict]:
    def task_for(household):
        return {"household_id": refs[household], "category": "skills_training",
                "description": "联系部门进行培训", "target": "参加一期职业技能培训",
                "due_on": DUE.isoformat()}

    def demand_for(household):
        return {"id": str(uuid.uuid4()), "household_id": refs[household],
                "category": "winter_heating", "description": "冬季取暖用煤不够"}

    return {
        "task_for_a1": task_for("household_a1"), "task_for_a2": task_for("household_a2"),
        "task_for_b1": task_for("household_b1"),
        "task_patch": {"description": "帮助发展养殖产业", "target": "年增收三千元",
                       "due_on": (DUE + timedelta(days=30)).isoformat()},
        "start": {"to": "in_progress"},
        "finish_task": {"to": "verified", "note": "入户核实"},
        "reopen": {"to": "in_progress", "note": "农户反映问题未解决"},
        "confirm": {"to": "confirmed", "note": "农户满意"},
        "demand_for_a1": demand_for("household_a1"), "demand_for_a2": demand_for("household_a2"),
        "demand_for_b1": demand_for("household_b1"),
        "demand_patch": {"description": "秋收缺人手, 玉米待收", "category": "harvest_help"},
    }


# --- helpers -------------------------------------------------------------------------------


def _action(method: str, path: str) -> str:
    if path.endswith("/transition"):
        return "transition"
    return {"GET": "read", "POST": "create", "PATCH": "update", "DELETE": "delete"}[method]


def _snapshot_url(action: str, url: str) -> str:
    """What the county admin reads to show that a refused write changed nothing."""
    if action == "transition":
        return url.removesuffix("/transition")
    if action == "create":
        return url + "?per_page=500"
    return url


def _record_id(url: str):
    raw = url.removesuffix("/transition").rsplit("/", 1)[1]
    return int(raw) if raw.isdigit() else raw


# --- the matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
def test_each_role_gets_the_expected_answer_from_each_endpoint(
        world, refs, bodies, login_as, anonymous, admin, method, path, body, role, expected):
    api = anonymous if role == "anonymous" else login_as(world.users[role])
    url = API + path.format(**refs)
    payload = bodies[body] if body else None
    action = _action(method, path)
    refused_write = action != "read" and expected >= 400
    before = _ok(admin.get(_snapshot_url(action, url))) if action != "read" else None

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

    if action == "read" and "{" in path:
        assert response.json["id"] == _record_id(url)
    elif action == "read":  # which rows: test_each_list_shows_exactly_the_rows_in_the_callers_scope
        assert response.json["total"] == len(response.json["items"]) > 0
    elif action == "create":
        location = response.headers["Location"]
        assert location == f"{url}/{response.json['id']}"
        for reader in (admin, api):  # the county admin and the creator itself can read it
            stored = _ok(reader.get(location))
            assert stored["id"] == response.json["id"]
            assert {k: stored[k] for k in payload} == payload
            assert stored["status"] == "open"
        after = _ok(admin.get(url + "?per_page=500"))
        assert after["total"] == before["total"] + 1
    elif action == "update":
        assert {k: response.json[k] for k in payload} == payload
        assert {k: _ok(admin.get(url))[k] for k in payload} == payload
        assert response.json["status"] == before["status"]
    elif action == "delete":
        assert admin.get(url).status_code == 404
    elif action == "transition":
        stored = _ok(admin.get(url.removesuffix("/transition")))
        assert response.json["status"] == stored["status"] == payload["to"]
        if path.startswith("/tasks"):
            last = stored["transitions"][-1]
            assert (last["from_status"], last["to_status"], last["user_id"]) == (
                before["status"], payload["to"], world.users[role].id)
            assert last["note"] == payload.get("note")
            assert len(stored["transitions"]) == len(before["transitions"]) + 1
        else:
            stamp = {"in_progress": "in_progress_at", "confirmed": "confirmed_at"}[payload["to"]]
            assert stored[stamp] is not None
            if before["status"] == "resolved" and payload["to"] == "in_progress":
                assert stored["resolved_at"] is None


# --- lists show only rows in scope ---------------------------------------------------------

TASKS_OF = {"a1": {"task_a1", "done_a1"}, "a2": {"task_a2"}, "b1": {"task_b1", "done_b1"}}
DEMANDS_OF = {"a1": {"demand_a1", "solved_a1"}, "a2": {"demand_a2"},
              "b1": {"demand_b1", "solved_b1"}}
LIST_SCOPE = [
    # role           households it sees
    ("county_admin", {"a1", "a2", "b1"}),
    ("inspector",    {"a1", "a2", "b1"}),
    ("unit_admin",   {"a1", "a2"}),
    ("cadre",        {"a1"}),
]  # fmt: skip


@pytest.mark.parametrize("collection", ["tasks", "demands"])
@pytest.mark.parametrize(("role", "households"), LIST_SCOPE)
def test_each_list_shows_exactly_the_rows_in_the_callers_scope(
        world, refs, login_as, collection, role, households):
    names = TASKS_OF if collection == "tasks" else DEMANDS_OF
    page = _ok(login_as(world.users[role]).get(f"{API}/{collection}?per_page=500"))

    assert page["total"] == len(page["items"])
    assert {item["id"] for item in page["items"]} == {
        refs[name] for h in households for name in names[h]}
    assert {item["household_id"] for item in page["items"]} == {
        refs[f"household_{h}"] for h in households}


@pytest.mark.parametrize("collection", ["tasks", "demands"])
@pytest.mark.parametrize(("role", "query"), [
    ("unit_admin", "unit_id={unit_b}"),
    ("unit_admin", "household_id={household_b1}"),
    ("cadre", "household_id={household_a2}"),
    ("cadre", "village_id={village_b}"),
])
def test_a_filter_naming_rows_outside_scope_lists_nothing(
        world, refs, login_as, collection, role, query):
    names = {"unit_b": world.units["b"].id, "village_b": world.villages["b"].id, **refs}
    page = _ok(login_as(world.users[role]).get(
        f"{API}/{collection}?per_page=500&" + query.format(**names)))
    assert page["items"] == [] and page["total"] == 0
