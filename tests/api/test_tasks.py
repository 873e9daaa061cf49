"""Tasks (包扶任务) through HTTP: generation from needs, manual tasks, the R9 life cycle, filters,
scope per role, R5 (不完成不撤村) and deleting a household entered by mistake (SPEC §1–§3, issue 4).

The `world` fixture: unit A holds village a, unit B holds village b; cadres a1 (general) and a2
(section_chief) in A, b1 (general) in B; households a1 (easier) and a2 (harder) in village a,
b1 (easier) in village b; pairings a1→household a1 and b1→household b1. The unit admin belongs
to unit A and the cadre account is cadre a1. Factory households have no generated tasks: tasks
either come from households created through the API or are inserted with the session.

Dates: these tests talk only of today, yesterday and days from now, read from the clock (the
suite's, at TEST_NOW; conftest), so they hold on any day after the world was built on
2026-01-01.
"""

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from service.tasks.models import Task
from service.tasks.rules import TEMPLATES
from tests.clock import CLOCK
from tests.factories import valid_id_number

API = "/api/v1"
TASKS = f"{API}/tasks"
HOUSEHOLDS = f"{API}/households"
ASSIGNMENTS = f"{API}/village-assignments"
PROBLEM = "application/problem+json"
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- helpers -----------------------------------------------------------------------------


def problem(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.json
    assert body["status"] == status and body["code"] == code
    return body


def ok(resp) -> dict:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.json


def created(resp, collection: str = TASKS) -> dict:
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.headers["Location"] == f"{collection}/{resp.json['id']}"
    return resp.json


def listing(api, **query) -> list[dict]:
    body = ok(api.get(TASKS, query_string={"per_page": 500, **query}))
    assert body["total"] == len(body["items"])
    return body["items"]


def ids(api, **query) -> set[int]:
    return {t["id"] for t in listing(api, **query)}


def task(api, task_id: int) -> dict:
    return ok(api.get(f"{TASKS}/{task_id}"))


def new_household(api, world, needs=None, village: str = "a", **extra) -> dict:
    body = {"village_id": world.villages[village].id, "head_name": "李四",
            "id_number": valid_id_number(), "phone": "13812345678", "members": 3,
            "difficulty": "easier", "income_per_capita": 3000, **extra}
    if needs is not None:
        body["needs"] = needs
    return created(api.post(HOUSEHOLDS, json=body), HOUSEHOLDS)


def set_needs(api, household_id: int, needs: list[str]) -> dict:
    return ok(api.patch(f"{HOUSEHOLDS}/{household_id}", json={"needs": needs}))


def tasks_of(api, household_id: int, **query) -> list[dict]:
    return listing(api, household_id=household_id, **query)


def by_category(items: list[dict]) -> dict[str, dict]:
    out = {t["category"]: t for t in items}
    assert len(out) == len(items), "more than one task per category"
    return out


def move(api, task_id: int, to: str, note: str | None = None):
    body = {"to": to} if note is None else {"to": to, "note": note}
    return api.post(f"{TASKS}/{task_id}/transition", json=body)


PATH = ("open", "in_progress", "done", "verified")


def advance(api, task_id: int, status: str) -> None:
    """Walk an open task forward to `status` (the county admin may make every move)."""
    advance_from(api, task_id, "open", status)


def advance_from(api, task_id: int, start: str, status: str) -> None:
    """Walk a task forward from `start` to `status`."""
    for to in PATH[PATH.index(start) + 1:PATH.index(status) + 1]:
        assert ok(move(api, task_id, to))["status"] == to


def add_task(session, household_id: int, category: str = "low_income", *,
             status: str = "open", source: str = "manual", due_on: date | None = None,
             closed_on: date | None = None) -> int:
    """Insert a task directly (factory households have no generated tasks)."""
    t = Task(household_id=household_id, category=category, description="测试任务",
             target="测试目标", due_on=due_on or CLOCK.today() + timedelta(days=30), status=status,
             source=source, closed_on=closed_on,
             closed_reason="测试关闭" if closed_on else None)
    session.add(t)
    session.commit()
    return t.id


def manual(api, household_id: int, **overrides):
    body = {"household_id": household_id, "category": "skills_training",
            "description": "联系县人社局安排电焊培训", "target": "取得结业证书",
            "due_on": (CLOCK.today() + timedelta(days=60)).isoformat(), **overrides}
    return api.post(TASKS, json=body)


def add_task_via_api(api, household_id: int) -> int:
    return created(manual(api, household_id))["id"]


def assignment_of(admin, village) -> dict:
    items = ok(admin.get(ASSIGNMENTS, query_string={"village_id": village.id,
                                                     "active": "true"}))["items"]
    assert len(items) == 1
    return items[0]


def end(admin, assignment_id: int, **extra):
    return admin.post(f"{ASSIGNMENTS}/{assignment_id}/end", json={"reason": "任务完成", **extra})


@pytest.fixture
def cadre_api(world, login_as):
    return login_as(world.users["cadre"])


@pytest.fixture
def hid(world):
    """Household ids of the world, by name."""
    return {k: h.id for k, h in world.households.items()}


# --- generation from needs ---------------------------------------------------------------


def test_creating_a_household_generates_one_task_per_need_from_the_template(admin, world):
    h = new_household(admin, world, ["low_income", "school_dropout"])
    items = tasks_of(admin, h["id"])
    assert len(items) == 2
    tasks = by_category(items)
    assert set(tasks) == {"low_income", "school_dropout"}
    for category, t in tasks.items():
        assert t["source"] == "generated"
        assert t["status"] == "open"
        assert t["household_id"] == h["id"]
        assert t["description"] == TEMPLATES[category][0]
        assert CJK.search(t["description"])
        assert t["target"] and CJK.search(t["target"])
        assert t["closed_on"] is None and t["closed_reason"] is None
        assert t["overdue"] is False
        assert date.fromisoformat(t["due_on"]) > CLOCK.today()
    assert "增收" in tasks["low_income"]["description"]
    assert "学费" in tasks["school_dropout"]["description"]
    assert tasks["low_income"]["due_on"] == (CLOCK.today() + timedelta(days=365)).isoformat()
    assert tasks["school_dropout"]["due_on"] == (
        CLOCK.today() + timedelta(days=TEMPLATES["school_dropout"][2])).isoformat()


def test_a_generated_task_starts_with_no_transitions(admin, world):
    h = new_household(admin, world, ["large_grower"])
    (t,) = tasks_of(admin, h["id"])
    detail = task(admin, t["id"])
    assert detail["transitions"] == []
    assert detail["category"] == "large_grower" and detail["source"] == "generated"


def test_a_household_created_by_the_unit_admin_also_gets_its_tasks(unit_admin, admin, world):
    h = new_household(unit_admin, world, ["entrepreneurship"])
    assert [t["category"] for t in tasks_of(admin, h["id"])] == ["entrepreneurship"]


@pytest.mark.parametrize("needs", [[], None])
def test_a_household_with_no_needs_has_no_tasks(admin, world, needs):
    h = new_household(admin, world, needs)
    assert tasks_of(admin, h["id"]) == []
    assert tasks_of(admin, h["id"], closed="true") == []


def test_adding_a_need_generates_only_the_new_task(admin, world):
    h = new_household(admin, world, ["low_income", "school_dropout"])
    before = by_category(tasks_of(admin, h["id"]))
    set_needs(admin, h["id"], ["low_income", "school_dropout", "unemployed_labor"])
    after = by_category(tasks_of(admin, h["id"]))
    assert set(after) == {"low_income", "school_dropout", "unemployed_labor"}
    for category in ("low_income", "school_dropout"):
        assert after[category]["id"] == before[category]["id"]
    new = after["unemployed_labor"]
    assert new["source"] == "generated" and new["status"] == "open"
    assert new["description"] == TEMPLATES["unemployed_labor"][0]


def test_patching_the_same_needs_again_creates_nothing(admin, world):
    h = new_household(admin, world, ["low_income", "school_dropout"])
    first = ids(admin, household_id=h["id"])
    set_needs(admin, h["id"], ["school_dropout", "low_income"])
    set_needs(admin, h["id"], ["low_income", "school_dropout"])
    ok(admin.patch(f"{HOUSEHOLDS}/{h['id']}", json={"members": 5}))
    assert ids(admin, household_id=h["id"]) == first
    assert ids(admin, household_id=h["id"], closed="true") == set()


def test_needs_added_to_a_factory_household_generate_their_tasks(admin, world, hid):
    set_needs(admin, hid["a2"], ["low_income", "skills_training"])
    assert set(by_category(tasks_of(admin, hid["a2"]))) == {"low_income", "skills_training"}


def test_removing_a_need_closes_its_task_and_keeps_it_in_history(admin, world):
    h = new_household(admin, world, ["low_income", "school_dropout"])
    tasks = by_category(tasks_of(admin, h["id"]))
    gone = tasks["low_income"]["id"]
    advance(admin, gone, "in_progress")
    set_needs(admin, h["id"], ["school_dropout"])
    closed = task(admin, gone)
    assert closed["closed_on"] == CLOCK.today().isoformat()
    assert closed["closed_reason"]
    assert closed["status"] == "in_progress"
    assert closed["overdue"] is False
    assert [t["to_status"] for t in closed["transitions"]] == ["in_progress"]
    assert ids(admin, household_id=h["id"], closed="true") == {gone}
    assert ids(admin, household_id=h["id"], closed="false") == {tasks["school_dropout"]["id"]}
    assert ids(admin, household_id=h["id"]) == {gone, tasks["school_dropout"]["id"]}
    untouched = task(admin, tasks["school_dropout"]["id"])
    assert untouched["closed_on"] is None and untouched["closed_reason"] is None


def test_removing_every_need_closes_every_task(admin, world):
    h = new_household(admin, world, ["low_income", "school_dropout"])
    set_needs(admin, h["id"], [])
    items = tasks_of(admin, h["id"])
    assert len(items) == 2
    assert all(t["closed_on"] == CLOCK.today().isoformat() and t["closed_reason"] for t in items)
    assert all(t["status"] == "open" for t in items)


def test_re_adding_a_removed_need_generates_a_fresh_task(admin, world):
    h = new_household(admin, world, ["low_income"])
    (old,) = tasks_of(admin, h["id"])
    set_needs(admin, h["id"], [])
    set_needs(admin, h["id"], ["low_income"])
    items = tasks_of(admin, h["id"])
    assert len(items) == 2
    fresh = [t for t in items if t["id"] != old["id"]]
    assert len(fresh) == 1
    assert fresh[0]["category"] == "low_income" and fresh[0]["source"] == "generated"
    assert fresh[0]["status"] == "open" and fresh[0]["closed_on"] is None
    assert task(admin, old["id"])["closed_on"] == CLOCK.today().isoformat()
    assert ids(admin, household_id=h["id"], closed="false") == {fresh[0]["id"]}
    # Patching again with the need present keeps exactly one live task.
    set_needs(admin, h["id"], ["low_income"])
    assert ids(admin, household_id=h["id"], closed="false") == {fresh[0]["id"]}


def test_database_refuses_two_live_generated_tasks_for_one_need(session, world, hid):
    add_task(session, hid["a1"], "low_income", source="generated")
    with pytest.raises(IntegrityError):
        add_task(session, hid["a1"], "low_income", source="generated")
    session.rollback()


def test_database_accepts_a_new_generated_task_beside_a_closed_one(session, world, hid):
    add_task(session, hid["a1"], "low_income", source="generated", closed_on=CLOCK.today())
    add_task(session, hid["a1"], "low_income", source="generated")
    add_task(session, hid["a1"], "low_income", source="manual")
    rows = session.scalars(select(Task).where(Task.household_id == hid["a1"])).all()
    assert len(rows) == 3


# --- manual tasks ------------------------------------------------------------------------


def test_county_admin_adds_a_task_by_hand(admin, world, hid):
    resp = manual(admin, hid["a2"])
    body = created(resp)
    assert resp.headers["ETag"]
    assert body["source"] == "manual" and body["status"] == "open"
    assert body["household_id"] == hid["a2"] and body["category"] == "skills_training"
    assert body["description"] == "联系县人社局安排电焊培训"
    assert body["target"] == "取得结业证书"
    assert body["due_on"] == (CLOCK.today() + timedelta(days=60)).isoformat()
    assert body["closed_on"] is None and body["transitions"] == []
    assert ids(admin, household_id=hid["a2"]) == {body["id"]}


def test_unit_admin_adds_a_task_for_a_household_in_its_village(unit_admin, world, hid):
    body = created(manual(unit_admin, hid["a2"]))
    assert body["source"] == "manual"


def test_unit_admin_may_not_add_a_task_outside_its_villages(unit_admin, admin, world, hid):
    problem(manual(unit_admin, hid["b1"]), 422, "validation_failed")
    assert ids(admin, household_id=hid["b1"]) == set()


def test_cadre_adds_a_task_for_its_paired_household(cadre_api, world, hid):
    body = created(manual(cadre_api, hid["a1"]))
    assert body["source"] == "manual" and body["household_id"] == hid["a1"]


@pytest.mark.parametrize("household", ["a2", "b1"])
def test_cadre_may_not_add_a_task_for_a_household_it_is_not_paired_with(
        cadre_api, admin, world, hid, household):
    problem(manual(cadre_api, hid[household]), 422, "validation_failed")
    assert ids(admin, household_id=hid[household]) == set()


def test_inspector_may_not_add_tasks(inspector, admin, world, hid):
    problem(manual(inspector, hid["a1"]), 403, "forbidden")
    assert ids(admin, household_id=hid["a1"]) == set()


def test_a_task_for_an_unknown_household_is_a_validation_error(admin, world):
    body = problem(manual(admin, 999999), 422, "validation_failed")
    assert "household_id" in body["errors"]


def test_a_category_outside_the_needs_list_is_a_validation_error(admin, world, hid):
    body = problem(manual(admin, hid["a1"], category="fake_seeds"), 422, "validation_failed")
    assert "category" in body["errors"]
    assert ids(admin, household_id=hid["a1"]) == set()


@pytest.mark.parametrize("missing", ["description", "due_on", "category", "household_id"])
def test_a_manual_task_without_a_required_field_is_a_validation_error(admin, world, hid,
                                                                      missing):
    body = {"household_id": hid["a1"], "category": "low_income", "description": "增收",
            "due_on": CLOCK.today().isoformat()}
    del body[missing]
    assert missing in problem(admin.post(TASKS, json=body), 422, "validation_failed")["errors"]


def test_a_manual_task_may_not_set_its_own_status_or_source(admin, world, hid):
    problem(manual(admin, hid["a1"], status="verified"), 422, "validation_failed")
    problem(manual(admin, hid["a1"], source="generated"), 422, "validation_failed")
    assert ids(admin, household_id=hid["a1"]) == set()


def test_editing_a_task_honours_if_match(admin, world, hid):
    resp = manual(admin, hid["a1"])
    tid, etag = created(resp)["id"], resp.headers["ETag"]
    assert admin.get(f"{TASKS}/{tid}").headers["ETag"] == etag
    edited = admin.patch(f"{TASKS}/{tid}", json={"description": "改为烹饪培训"},
                         headers={"If-Match": etag})
    assert ok(edited)["description"] == "改为烹饪培训"
    assert edited.headers["ETag"] != etag
    stale = admin.patch(f"{TASKS}/{tid}", json={"description": "过时的修改"},
                        headers={"If-Match": etag})
    problem(stale, 412, "precondition_failed")
    assert task(admin, tid)["description"] == "改为烹饪培训"
    due = (CLOCK.today() + timedelta(days=400)).isoformat()
    fresh = admin.patch(f"{TASKS}/{tid}", json={"due_on": due, "target": None},
                        headers={"If-Match": edited.headers["ETag"]})
    assert ok(fresh)["due_on"] == due and fresh.json["target"] is None


@pytest.mark.parametrize("role", ["cadre", "unit_admin"])
def test_cadre_and_unit_admin_edit_tasks_in_scope(admin, login_as, world, hid, role):
    tid = add_task_via_api(admin, hid["a1"])
    body = ok(login_as(world.users[role]).patch(f"{TASKS}/{tid}", json={"target": "收入翻番"}))
    assert body["target"] == "收入翻番"
    assert task(admin, tid)["target"] == "收入翻番"


def test_a_manual_task_without_a_target_has_a_null_target(admin, world, hid):
    body = {"household_id": hid["a1"], "category": "low_income", "description": "发展养殖",
            "due_on": (CLOCK.today() + timedelta(days=10)).isoformat()}
    assert created(admin.post(TASKS, json=body))["target"] is None


def test_a_transition_changes_the_tasks_etag(admin, world, hid):
    resp = manual(admin, hid["a1"])
    tid, etag = created(resp)["id"], resp.headers["ETag"]
    advance(admin, tid, "in_progress")
    assert admin.get(f"{TASKS}/{tid}").headers["ETag"] != etag
    problem(admin.patch(f"{TASKS}/{tid}", json={"description": "x"},
                        headers={"If-Match": etag}), 412, "precondition_failed")


def test_editing_a_task_cannot_change_its_status(admin, world, hid):
    tid = created(manual(admin, hid["a1"]))["id"]
    problem(admin.patch(f"{TASKS}/{tid}", json={"status": "verified"}), 422,
            "validation_failed")
    assert task(admin, tid)["status"] == "open"


def test_deleting_a_manual_open_task_removes_it(admin, world, hid):
    tid = created(manual(admin, hid["a1"]))["id"]
    resp = admin.delete(f"{TASKS}/{tid}")
    assert resp.status_code == 204, resp.get_data(as_text=True)
    problem(admin.get(f"{TASKS}/{tid}"), 404, "not_found")
    assert ids(admin, household_id=hid["a1"]) == set()


def test_cadre_deletes_its_own_mistaken_task(cadre_api, world, hid):
    tid = created(manual(cadre_api, hid["a1"]))["id"]
    assert cadre_api.delete(f"{TASKS}/{tid}").status_code == 204
    problem(cadre_api.get(f"{TASKS}/{tid}"), 404, "not_found")


def test_deleting_a_generated_task_is_refused(admin, world):
    h = new_household(admin, world, ["low_income"])
    (t,) = tasks_of(admin, h["id"])
    problem(admin.delete(f"{TASKS}/{t['id']}"), 409, "task_in_history")
    assert task(admin, t["id"])["status"] == "open"


@pytest.mark.parametrize("status", ["in_progress", "done", "verified"])
def test_deleting_a_manual_task_that_moved_is_refused(admin, world, hid, status):
    tid = created(manual(admin, hid["a1"]))["id"]
    advance(admin, tid, status)
    problem(admin.delete(f"{TASKS}/{tid}"), 409, "task_in_history")
    assert task(admin, tid)["status"] == status


def test_unknown_task_is_404(admin, world):
    problem(admin.get(f"{TASKS}/999999"), 404, "not_found")
    problem(move(admin, 999999, "in_progress"), 404, "not_found")


# --- R9 transitions ----------------------------------------------------------------------


@pytest.mark.parametrize(("start", "to"), [
    ("open", "in_progress"), ("in_progress", "done"), ("done", "verified")])
def test_allowed_forward_move(admin, world, hid, start, to):
    tid = add_task_via_api(admin, hid["a1"])
    advance(admin, tid, start)
    body = ok(move(admin, tid, to, note="按计划推进"))
    assert body["status"] == to
    last = body["transitions"][-1]
    assert (last["from_status"], last["to_status"], last["note"]) == (start, to, "按计划推进")
    assert task(admin, tid)["status"] == to


def test_inspector_verifies_a_done_task(admin, inspector, world, hid):
    tid = add_task_via_api(admin, hid["a1"])
    advance(admin, tid, "done")
    body = ok(move(inspector, tid, "verified", note="入户核实"))
    assert body["status"] == "verified"
    last = body["transitions"][-1]
    assert last["user_id"] == world.users["inspector"].id
    assert (last["from_status"], last["to_status"]) == ("done", "verified")


def test_done_goes_back_to_in_progress_with_a_reason(admin, world, hid):
    tid = add_task_via_api(admin, hid["a1"])
    advance(admin, tid, "done")
    body = ok(move(admin, tid, "in_progress", note="核查发现收入未达标"))
    assert body["status"] == "in_progress"
    assert body["transitions"][-1]["note"] == "核查发现收入未达标"
    # and forward again
    assert ok(move(admin, tid, "done"))["status"] == "done"
    assert ok(move(admin, tid, "verified"))["status"] == "verified"


def test_cadre_and_unit_admin_move_their_tasks_forward(cadre_api, unit_admin, admin, world,
                                                       hid):
    tid = add_task_via_api(admin, hid["a1"])
    assert ok(move(cadre_api, tid, "in_progress"))["status"] == "in_progress"
    assert ok(move(unit_admin, tid, "done"))["status"] == "done"
    assert ok(move(cadre_api, tid, "in_progress", note="返贫风险"))["status"] == "in_progress"
    assert ok(move(cadre_api, tid, "done"))["status"] == "done"


@pytest.mark.parametrize(("start", "to"), [
    ("open", "open"), ("open", "done"), ("open", "verified"),
    ("in_progress", "in_progress"), ("in_progress", "verified"), ("in_progress", "open"),
    ("done", "done"), ("done", "open"),
    ("verified", "open"), ("verified", "in_progress"), ("verified", "done"),
    ("verified", "verified"),
])
def test_refused_move_is_invalid_transition(admin, world, hid, start, to):
    tid = add_task_via_api(admin, hid["a1"])
    advance(admin, tid, start)
    before = task(admin, tid)
    problem(move(admin, tid, to, note="理由"), 409, "invalid_transition")
    after = task(admin, tid)
    assert after["status"] == start
    assert after["transitions"] == before["transitions"]


@pytest.mark.parametrize("note", [None, "", "   "])
def test_done_back_to_in_progress_without_a_reason_is_refused(admin, world, hid, note):
    tid = add_task_via_api(admin, hid["a1"])
    advance(admin, tid, "done")
    problem(move(admin, tid, "in_progress", note=note), 409, "invalid_transition")
    after = task(admin, tid)
    assert after["status"] == "done" and len(after["transitions"]) == 2


@pytest.mark.parametrize("status", ["open", "in_progress", "done"])
@pytest.mark.parametrize("to", ["open", "in_progress", "done", "verified"])
def test_a_closed_task_does_not_move(admin, session, world, hid, status, to):
    tid = add_task(session, hid["a1"], "low_income", status=status, source="generated",
                   closed_on=CLOCK.today())
    problem(move(admin, tid, to, note="理由"), 409, "invalid_transition")
    after = task(admin, tid)
    assert after["status"] == status and after["transitions"] == []


def test_a_task_closed_by_removing_its_need_does_not_move(admin, world):
    h = new_household(admin, world, ["low_income"])
    (t,) = tasks_of(admin, h["id"])
    set_needs(admin, h["id"], [])
    problem(move(admin, t["id"], "in_progress"), 409, "invalid_transition")
    assert task(admin, t["id"])["status"] == "open"


@pytest.mark.parametrize("role", ["cadre", "unit_admin"])
def test_only_county_admin_or_inspector_verifies(admin, login_as, world, hid, role):
    tid = add_task_via_api(admin, hid["a1"])
    advance(admin, tid, "done")
    problem(move(login_as(world.users[role]), tid, "verified"), 403, "forbidden")
    after = task(admin, tid)
    assert after["status"] == "done" and len(after["transitions"]) == 2


@pytest.mark.parametrize(("start", "to", "note"), [
    ("open", "in_progress", None), ("in_progress", "done", None),
    ("done", "in_progress", "核查不实")])
def test_inspector_may_only_verify(admin, inspector, world, hid, start, to, note):
    tid = add_task_via_api(admin, hid["a1"])
    advance(admin, tid, start)
    problem(move(inspector, tid, to, note=note), 403, "forbidden")
    assert task(admin, tid)["status"] == start


@pytest.mark.parametrize("start", ["open", "in_progress", "done", "verified"])
@pytest.mark.parametrize("to", ["open", "in_progress", "done"])
def test_inspector_never_moves_a_task_except_to_verified(admin, inspector, world, hid, start,
                                                         to):
    # Which refusal comes first (role 403 or move 409) is not fixed for an impossible move;
    # the move itself must never happen.
    tid = add_task_via_api(admin, hid["a1"])
    advance(admin, tid, start)
    resp = move(inspector, tid, to, note="督查")
    assert resp.status_code in (403, 409), resp.get_data(as_text=True)
    assert resp.json["code"] in ("forbidden", "invalid_transition")
    after = task(admin, tid)
    assert after["status"] == start and len(after["transitions"]) == PATH.index(start)


def test_inspector_may_not_edit_or_delete_tasks(admin, inspector, world, hid):
    tid = add_task_via_api(admin, hid["a1"])
    problem(inspector.patch(f"{TASKS}/{tid}", json={"description": "x"}), 403, "forbidden")
    problem(inspector.delete(f"{TASKS}/{tid}"), 403, "forbidden")
    assert task(admin, tid)["description"] == "联系县人社局安排电焊培训"


@pytest.mark.parametrize("to", ["", "closed", "reopened", None])
def test_an_unknown_target_status_is_a_validation_error(admin, world, hid, to):
    tid = add_task_via_api(admin, hid["a1"])
    problem(admin.post(f"{TASKS}/{tid}/transition", json={"to": to}), 422,
            "validation_failed")
    problem(admin.post(f"{TASKS}/{tid}/transition", json={}), 422, "validation_failed")
    assert task(admin, tid)["status"] == "open"


def test_every_transition_keeps_who_when_what_and_why(admin, cadre_api, unit_admin, inspector,
                                                      world, hid):
    tid = add_task_via_api(admin, hid["a1"])
    steps = [(cadre_api, "cadre", "in_progress", "已联系农技站"),
             (unit_admin, "unit_admin", "done", None),
             (admin, "county_admin", "in_progress", "复核未通过"),
             (cadre_api, "cadre", "done", "已整改"),
             (inspector, "inspector", "verified", "不打招呼督查核实")]
    start = CLOCK.now() - timedelta(seconds=5)
    for api, _, to, note in steps:
        ok(move(api, tid, to, note=note))
    end_ = CLOCK.now() + timedelta(seconds=5)
    history = task(admin, tid)["transitions"]
    assert len(history) == len(steps)
    previous = "open"
    for record, (_, user, to, note) in zip(history, steps, strict=True):
        assert record["from_status"] == previous and record["to_status"] == to
        assert record["note"] == note
        assert record["user_id"] == world.users[user].id
        at = datetime.fromisoformat(record["at"])
        assert at.tzinfo is not None
        assert start <= at <= end_
        previous = to
    ats = [datetime.fromisoformat(r["at"]) for r in history]
    assert ats == sorted(ats)


# --- filters -----------------------------------------------------------------------------


@pytest.fixture
def spread(session, world, hid):
    """Tasks over the world's households, in various states."""
    yesterday, later = CLOCK.today() - timedelta(days=1), CLOCK.today() + timedelta(days=30)
    t = {
        "a1_open": add_task(session, hid["a1"], "low_income", source="generated", due_on=later),
        "a1_late": add_task(session, hid["a1"], "school_dropout", status="in_progress",
                            due_on=yesterday),
        "a2_done_late": add_task(session, hid["a2"], "skills_training", status="done",
                                 due_on=yesterday),
        "a2_verified": add_task(session, hid["a2"], "low_income", status="verified",
                                source="generated", due_on=later),
        "b1_late": add_task(session, hid["b1"], "low_income", source="generated",
                            due_on=yesterday),
        "b1_closed_late": add_task(session, hid["b1"], "large_grower", source="generated",
                                   due_on=yesterday, closed_on=CLOCK.today()),
    }
    return t


def test_filters_by_household_village_unit_and_cadre(admin, world, hid, spread):
    t = spread
    assert ids(admin) == set(t.values())
    assert ids(admin, household_id=hid["a1"]) == {t["a1_open"], t["a1_late"]}
    assert ids(admin, household_id=hid["a2"]) == {t["a2_done_late"], t["a2_verified"]}
    assert ids(admin, village_id=world.villages["a"].id) == {
        t["a1_open"], t["a1_late"], t["a2_done_late"], t["a2_verified"]}
    assert ids(admin, village_id=world.villages["b"].id) == {t["b1_late"], t["b1_closed_late"]}
    assert ids(admin, unit_id=world.units["a"].id) == ids(admin, village_id=world.villages["a"].id)
    assert ids(admin, unit_id=world.units["b"].id) == {t["b1_late"], t["b1_closed_late"]}
    assert ids(admin, cadre_id=world.cadres["a1"].id) == {t["a1_open"], t["a1_late"]}
    assert ids(admin, cadre_id=world.cadres["b1"].id) == {t["b1_late"], t["b1_closed_late"]}
    assert ids(admin, cadre_id=world.cadres["a2"].id) == set()


def test_filters_by_category_status_and_source(admin, world, hid, spread):
    t = spread
    assert ids(admin, category="low_income") == {t["a1_open"], t["a2_verified"], t["b1_late"]}
    assert ids(admin, category="school_dropout") == {t["a1_late"]}
    assert ids(admin, category="entrepreneurship") == set()
    assert ids(admin, status="open") == {t["a1_open"], t["b1_late"], t["b1_closed_late"]}
    assert ids(admin, status="in_progress") == {t["a1_late"]}
    assert ids(admin, status="done") == {t["a2_done_late"]}
    assert ids(admin, status="verified") == {t["a2_verified"]}
    assert ids(admin, source="manual") == {t["a1_late"], t["a2_done_late"]}
    assert ids(admin, source="generated") == {
        t["a1_open"], t["a2_verified"], t["b1_late"], t["b1_closed_late"]}
    assert ids(admin, village_id=world.villages["a"].id, status="open",
               category="low_income") == {t["a1_open"]}


def test_overdue_means_past_due_and_not_finished_nor_closed(admin, world, hid, spread):
    t = spread
    late = {t["a1_late"], t["b1_late"]}
    assert ids(admin, overdue="true") == late
    assert ids(admin, overdue="false") == set(t.values()) - late
    flags = {item["id"]: item["overdue"] for item in listing(admin)}
    assert {i for i, flag in flags.items() if flag} == late
    assert task(admin, t["a1_late"])["overdue"] is True
    assert task(admin, t["a2_done_late"])["overdue"] is False
    assert task(admin, t["b1_closed_late"])["overdue"] is False


def test_an_overdue_task_says_by_how_many_days(admin, session, world, hid):
    tid = add_task(session, hid["a1"], due_on=CLOCK.today() - timedelta(days=3))
    assert task(admin, tid)["days_overdue"] == 3
    assert {i["id"]: i["days_overdue"] for i in listing(admin)}[tid] == 3
    advance(admin, tid, "done")
    assert task(admin, tid)["days_overdue"] is None


def test_a_task_due_today_is_not_yet_overdue(admin, session, world, hid):
    tid = add_task(session, hid["a1"], due_on=CLOCK.today())
    assert task(admin, tid)["overdue"] is False
    assert task(admin, tid)["days_overdue"] is None
    assert ids(admin, overdue="true") == set()


def test_an_open_task_due_yesterday_stops_being_overdue_once_done(admin, session, world, hid):
    tid = add_task(session, hid["a1"], due_on=CLOCK.today() - timedelta(days=1))
    assert task(admin, tid)["overdue"] is True and ids(admin, overdue="true") == {tid}
    advance(admin, tid, "done")
    assert task(admin, tid)["overdue"] is False and ids(admin, overdue="true") == set()


def test_closed_filter(admin, world, spread):
    t = spread
    assert ids(admin, closed="true") == {t["b1_closed_late"]}
    assert ids(admin, closed="false") == set(t.values()) - {t["b1_closed_late"]}


@pytest.mark.parametrize(("key", "value"), [
    ("status", "closed"), ("category", "fake_seeds"), ("source", "imported"),
    ("overdue", "maybe"), ("household_id", "abc"), ("closed", "sometimes")])
def test_a_malformed_filter_is_a_validation_error(admin, world, key, value):
    problem(admin.get(TASKS, query_string={key: value}), 422, "validation_failed")


def test_list_is_paginated(admin, session, world, hid, spread):
    first = ok(admin.get(TASKS, query_string={"per_page": 4, "page": 1}))
    second = ok(admin.get(TASKS, query_string={"per_page": 4, "page": 2}))
    assert first["total"] == second["total"] == 6
    assert len(first["items"]) == 4 and len(second["items"]) == 2
    assert {i["id"] for i in first["items"] + second["items"]} == set(spread.values())


# --- scope -------------------------------------------------------------------------------


def test_cadre_sees_only_tasks_of_its_paired_households(cadre_api, world, hid, spread):
    t = spread
    assert ids(cadre_api) == {t["a1_open"], t["a1_late"]}
    assert ids(cadre_api, village_id=world.villages["a"].id) == {t["a1_open"], t["a1_late"]}
    assert ids(cadre_api, household_id=hid["b1"]) == set()


def test_unit_admin_sees_only_tasks_in_its_units_villages(unit_admin, world, hid, spread):
    t = spread
    assert ids(unit_admin) == {t["a1_open"], t["a1_late"], t["a2_done_late"],
                               t["a2_verified"]}
    assert ids(unit_admin, unit_id=world.units["b"].id) == set()


def test_inspector_sees_every_task(inspector, world, spread):
    assert ids(inspector) == set(spread.values())
    for tid in spread.values():
        assert task(inspector, tid)["id"] == tid


@pytest.mark.parametrize(("role", "outside"), [
    ("cadre", "a2_done_late"), ("cadre", "b1_late"), ("unit_admin", "b1_late")])
def test_reading_or_acting_on_a_task_outside_scope_is_404(login_as, admin, world, spread,
                                                          role, outside):
    api = login_as(world.users[role])
    tid = spread[outside]
    before = task(admin, tid)
    problem(api.get(f"{TASKS}/{tid}"), 404, "not_found")
    problem(move(api, tid, "in_progress", note="越权"), 404, "not_found")
    problem(move(api, tid, "done"), 404, "not_found")
    problem(api.patch(f"{TASKS}/{tid}", json={"description": "越权修改"}), 404, "not_found")
    problem(api.delete(f"{TASKS}/{tid}"), 404, "not_found")
    after = task(admin, tid)
    assert after == before


def test_cadre_loses_sight_of_tasks_once_its_pairing_ends(admin, cadre_api, world, hid,
                                                          spread):
    (pairing,) = ok(admin.get(f"{API}/pairings", query_string={
        "household_id": hid["a1"], "active": "true"}))["items"]
    ended = ok(admin.post(f"{API}/pairings/{pairing['id']}/end", json={"reason": "调岗"}))
    assert ended["ended_on"] == CLOCK.today().isoformat()
    assert ids(cadre_api) == set()
    problem(cadre_api.get(f"{TASKS}/{spread['a1_open']}"), 404, "not_found")
    problem(move(cadre_api, spread["a1_open"], "in_progress"), 404, "not_found")
    problem(manual(cadre_api, hid["a1"]), 422, "validation_failed")


def test_unit_admin_loses_sight_of_tasks_once_its_unit_leaves_the_village(
        admin, unit_admin, world, spread):
    # Finish or close every task of village a so that the unit may leave it (R5).
    ok(move(admin, spread["a1_late"], "done"))
    set_needs(admin, world.households["a1"].id, [])
    ok(end(admin, assignment_of(admin, world.villages["a"])["id"], end_pairings=True))
    assert ids(unit_admin) == set()
    problem(unit_admin.get(f"{TASKS}/{spread['a2_verified']}"), 404, "not_found")


# --- R5: 不完成不撤村 -------------------------------------------------------------------


@pytest.mark.parametrize("status", ["open", "in_progress"])
def test_ending_an_assignment_with_an_unfinished_task_is_refused(admin, session, world, hid,
                                                                 status):
    tid = add_task(session, hid["a2"], status=status)
    assignment = assignment_of(admin, world.villages["a"])
    body = problem(end(admin, assignment["id"]), 409, "open_tasks_remain")
    assert body["count"] == 1 and body["task_ids"] == [tid]
    assert assignment_of(admin, world.villages["a"])["id"] == assignment["id"]


def test_open_tasks_remain_names_how_many_and_which(admin, world):
    h1 = new_household(admin, world, ["low_income", "school_dropout"])
    h2 = new_household(admin, world, ["large_grower"])
    expected = sorted(ids(admin, household_id=h1["id"]) | ids(admin, household_id=h2["id"]))
    advance(admin, expected[0], "in_progress")
    assignment = assignment_of(admin, world.villages["a"])
    body = problem(end(admin, assignment["id"], end_pairings=True), 409, "open_tasks_remain")
    assert body["count"] == 3
    assert sorted(body["task_ids"]) == expected
    assert body["detail"]


def test_end_pairings_does_not_bypass_r5(admin, session, world, hid):
    add_task(session, hid["a1"], status="open")
    assignment = assignment_of(admin, world.villages["a"])
    problem(end(admin, assignment["id"], end_pairings=True), 409, "open_tasks_remain")
    still = assignment_of(admin, world.villages["a"])
    assert still["id"] == assignment["id"] and still["ended_on"] is None
    pairings = ok(admin.get(f"{API}/pairings", query_string={
        "household_id": hid["a1"], "active": "true"}))["items"]
    assert len(pairings) == 1


def test_r5_holds_for_an_assignment_ended_on_an_earlier_date(admin, session, world, hid):
    add_task(session, hid["a2"], status="in_progress")
    assignment = assignment_of(admin, world.villages["a"])
    # A day between the unit's arrival and today, as when an end is recorded late.
    started = date.fromisoformat(assignment["started_on"])
    earlier = started + (CLOCK.today() - started) // 2
    assert started <= earlier < CLOCK.today()
    problem(end(admin, assignment["id"], ended_on=earlier.isoformat(), end_pairings=True), 409,
            "open_tasks_remain")


@pytest.mark.parametrize("finished", ["done", "verified"])
def test_ending_an_assignment_once_every_task_is_finished_succeeds(admin, world, finished):
    h = new_household(admin, world, ["low_income", "school_dropout"])
    assignment = assignment_of(admin, world.villages["a"])
    for tid in ids(admin, household_id=h["id"]):
        advance(admin, tid, "in_progress")
        problem(end(admin, assignment["id"], end_pairings=True), 409, "open_tasks_remain")
        advance_from(admin, tid, "in_progress", finished)
    body = ok(end(admin, assignment["id"], end_pairings=True))
    assert body["active"] is False and body["ended_on"] == CLOCK.today().isoformat()


def test_a_task_closed_because_its_need_went_away_does_not_block(admin, world):
    h = new_household(admin, world, ["low_income"])
    (t,) = tasks_of(admin, h["id"])
    assignment = assignment_of(admin, world.villages["a"])
    problem(end(admin, assignment["id"], end_pairings=True), 409, "open_tasks_remain")
    set_needs(admin, h["id"], [])
    assert ok(end(admin, assignment["id"], end_pairings=True))["active"] is False
    assert task(admin, t["id"])["status"] == "open"


def test_tasks_in_another_village_do_not_block(admin, session, world, hid):
    other = add_task(session, hid["b1"], status="open")
    assignment = assignment_of(admin, world.villages["a"])
    assert ok(end(admin, assignment["id"], end_pairings=True))["active"] is False
    b = assignment_of(admin, world.villages["b"])
    body = problem(end(admin, b["id"], end_pairings=True), 409, "open_tasks_remain")
    assert body["task_ids"] == [other]


def test_a_village_without_tasks_is_released_as_before(admin, world):
    assignment = assignment_of(admin, world.villages["a"])
    assert ok(end(admin, assignment["id"], end_pairings=True))["active"] is False


# --- deleting a household entered by mistake ---------------------------------------------


def test_deleting_a_mistaken_household_takes_its_untouched_generated_tasks(admin, world):
    h = new_household(admin, world, ["low_income", "school_dropout"])
    task_ids = ids(admin, household_id=h["id"])
    assert len(task_ids) == 2
    resp = admin.delete(f"{HOUSEHOLDS}/{h['id']}")
    assert resp.status_code == 204, resp.get_data(as_text=True)
    problem(admin.get(f"{HOUSEHOLDS}/{h['id']}"), 404, "not_found")
    assert ids(admin, household_id=h["id"]) == set()
    for tid in task_ids:
        problem(admin.get(f"{TASKS}/{tid}"), 404, "not_found")


def test_deleting_a_household_with_closed_untouched_tasks_succeeds(admin, world):
    h = new_household(admin, world, ["low_income"])
    set_needs(admin, h["id"], ["school_dropout"])
    assert admin.delete(f"{HOUSEHOLDS}/{h['id']}").status_code == 204


@pytest.mark.parametrize("status", ["in_progress", "done", "verified"])
def test_deleting_a_household_whose_task_moved_is_refused(admin, world, status):
    h = new_household(admin, world, ["low_income", "school_dropout"])
    moved = sorted(ids(admin, household_id=h["id"]))[0]
    advance(admin, moved, status)
    problem(admin.delete(f"{HOUSEHOLDS}/{h['id']}"), 409, "has_dependents")
    assert ok(admin.get(f"{HOUSEHOLDS}/{h['id']}"))["id"] == h["id"]
    assert len(ids(admin, household_id=h["id"])) == 2
    assert task(admin, moved)["status"] == status


def test_deleting_a_household_whose_task_came_back_to_in_progress_is_refused(admin, world):
    h = new_household(admin, world, ["low_income"])
    (t,) = tasks_of(admin, h["id"])
    advance(admin, t["id"], "done")
    ok(move(admin, t["id"], "in_progress", note="复查未达标"))
    problem(admin.delete(f"{HOUSEHOLDS}/{h['id']}"), 409, "has_dependents")
    assert len(task(admin, t["id"])["transitions"]) == 3


@pytest.mark.parametrize("status", ["in_progress", "done", "verified"])
def test_a_household_whose_task_is_past_open_is_kept_even_without_recorded_moves(
        admin, session, world, status):
    # e.g. tasks loaded by demo-data or an import, whose status was set without transitions
    h = new_household(admin, world, ["low_income"])
    (t,) = tasks_of(admin, h["id"])
    session.execute(update(Task).where(Task.id == t["id"]).values(status=status))
    session.commit()
    problem(admin.delete(f"{HOUSEHOLDS}/{h['id']}"), 409, "has_dependents")
    assert task(admin, t["id"])["status"] == status
