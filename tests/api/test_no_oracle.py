"""SPEC §9 "no oracle": a write that names a record outside the caller's scope answers exactly
as if the record did not exist (same status, code and shape), and no error detail names
another unit's records.

Walked from the served OpenAPI document: every write operation (POST, PATCH, DELETE), as unit
A's admin and as cadre a1, once naming unit B's record and once naming an id that no record
has, in the path and in every `*_id` field of the body (the other fields plausible). The two
answers must be equal once the two ids are written alike. Also: a unit admin registering a
household with an ID number another unit's village already has hears the same answer as for
one of its own villages, and the database is not asked to refuse it (a refused statement is
what PostgreSQL writes to its log, values and all).
"""

import json
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from service.assignments.models import VillageAssignment
from service.openapi import spec_dict
from service.pairings.models import Pairing
from tests import factories
from tests.clock import CST
from tests.openapi_walk import fill_path, operations, plausible, resolve

MISSING_ID = 2**31 - 1
MISSING_UUID = "00000000-0000-4000-8000-00000000dead"


@pytest.fixture
def others(world, session, login_as, admin, clock):
    """Unit B's records of every kind a write can name, made through the API."""
    hb1, cb1 = world.households["b1"], world.cadres["b1"]
    b_cadre = login_as(factories.user(session, "cadre", cadre_=cb1))
    session.commit()
    now = clock.now().astimezone(CST)
    visit = b_cadre.post("/api/v1/visits", json={
        "id": str(uuid.uuid4()), "household_id": hb1.id, "visited_at": now.isoformat(),
        "kind": "home_visit"}).get_json()
    demand = b_cadre.post("/api/v1/demands", json={
        "id": str(uuid.uuid4()), "household_id": hb1.id, "category": "other",
        "description": "修路"}).get_json()
    task = admin.post("/api/v1/tasks", json={
        "household_id": hb1.id, "category": "low_income", "description": "种植",
        "due_on": (now.date() + timedelta(days=365)).isoformat()}).get_json()
    organization = admin.post("/api/v1/party-organizations", json={
        "name": "乙村党支部", "kind": "village_branch",
        "village_id": world.villages["b"].id}).get_json()
    point = admin.post("/api/v1/contact-points", json={
        "cadre_id": cb1.id, "organization_id": organization["id"]}).get_json()
    assert all("id" in r for r in (visit, demand, task, organization, point)), (
        visit, demand, task, organization, point)
    return {
        "household_id": hb1.id, "cadre_id": cb1.id, "to_cadre_id": cb1.id,
        "head_cadre_id": cb1.id, "unit_id": world.units["b"].id,
        "village_id": world.villages["b"].id, "visit_id": visit["id"],
        "demand_id": demand["id"], "task_id": task["id"], "contact_point_id": point["id"],
        "organization_id": organization["id"],
        "pairing_id": session.scalar(select(Pairing.id).where(Pairing.cadre_id == cb1.id)),
        "assignment_id": session.scalar(select(VillageAssignment.id).where(
            VillageAssignment.unit_id == world.units["b"].id)),
        "user_id": b_cadre_user_id(session, cb1),
    }


def b_cadre_user_id(session, cadre):
    from service.users.models import User

    return session.scalar(select(User.id).where(User.cadre_id == cadre.id))


def missing(name: str):
    return MISSING_UUID if name in ("visit_id", "demand_id") else MISSING_ID


def alike(response, ids) -> tuple:
    """An answer with the named ids written alike (and `instance`, the path, left out)."""
    body = response.get_json(silent=True)
    text = json.dumps({k: v for k, v in (body or {}).items() if k != "instance"},
                      sort_keys=True, ensure_ascii=False)
    text = re.sub(r"\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d)", "<time>", text)
    for value in ids:
        text = re.sub(rf"(?<![0-9A-Za-z-]){re.escape(str(value))}(?![0-9A-Za-z-])", "<id>",
                      text)
    return response.status_code, text


def good_values(world, clock):
    now = clock.now().astimezone(CST)
    return {"_today": now.date().isoformat(), "_now": now.isoformat(),
            "id": str(uuid.uuid4()), "household_id": world.households["a1"].id,
            "cadre_id": world.cadres["a1"].id, "village_id": world.villages["a"].id,
            "unit_id": world.units["a"].id, "township_id": world.township.id,
            "to_cadre_id": world.cadres["a2"].id, "month": now.date().isoformat()[:7],
            "reason": "调整", "name": "新名字"}


@pytest.mark.parametrize("role", ["unit_admin", "cadre"])
def test_out_of_scope_answers_as_missing_on_every_write(app, world, others, login_as, role,
                                                        clock):
    api = login_as(world.users[role])
    spec = spec_dict(app.extensions["api"])
    good = good_values(world, clock)
    compared = 0
    differences = []
    for path, method, op in operations(spec):
        if method not in ("post", "patch", "delete") or path.endswith("/auth/login"):
            continue
        names = [p["name"] for p in op.get("parameters", []) if p.get("in") == "path"]
        body_spec = (op.get("requestBody") or {}).get("content", {}).get("application/json")
        schema = resolve(spec, body_spec["schema"]) if body_spec else {}
        body = plausible(spec, schema, "", good) if body_spec else None
        if path.endswith("/visits/batch"):
            body = {"visits": [plausible(spec, {"$ref": "#/components/schemas/VisitIn"},
                                         "", good)]}
        # Each path id, then each *_id field of the body, out of scope vs missing.
        cases = [("path", name) for name in names if name in others]
        cases += [("body", name) for name in (schema.get("properties") or {})
                  if name.endswith("_id") and name in others]
        if path.endswith("/visits/batch"):
            cases.append(("batch", "household_id"))
        for where, name in cases:
            answers, fresh = [], []
            for value in (others[name], missing(name)):
                url = fill_path(path, op, lambda p, n=name, v=value: str(
                    v if p["name"] == n else others.get(p["name"], MISSING_ID)))
                sent = body
                if isinstance(body, dict) and "id" in body:  # a new client id each time
                    fresh.append(str(uuid.uuid4()))
                    sent = body = {**body, "id": fresh[-1]}
                if where == "body":
                    sent = {**body, name: value}
                elif where == "batch":
                    sent = {"visits": [{**body["visits"][0], name: value}]}
                response = api.client.open(url, method=method.upper(), json=sent,
                                           headers=api._headers({}))
                answers.append(alike(response, (others[name], missing(name), *fresh)))
            compared += 1
            if answers[0] != answers[1]:
                differences.append((method.upper(), path, where, name, *answers))
    assert not differences, "\n".join(map(repr, differences))
    assert compared >= 45


def test_a_taken_id_number_is_answered_alike_in_and_out_of_scope_and_never_by_the_database(
        world, session, unit_admin, connection):
    """Unit A's admin registers a household whose ID number a household of unit B's village
    already has, then one whose ID number a household of its own village has."""
    refused = []
    note = refused.append
    event.listen(connection.engine, "handle_error", note)
    try:
        answers = []
        for taken in (world.households["b1"], world.households["a2"]):
            response = unit_admin.post("/api/v1/households", json={
                "village_id": world.villages["a"].id, "head_name": "王五",
                "id_number": taken.id_number, "members": 3, "difficulty": "easier"})
            answers.append((response.status_code, response.get_json()["code"],
                            response.get_json().get("errors")))
            text = json.dumps(response.get_json(), ensure_ascii=False)
            assert str(taken.id) not in re.findall(r"\d+", text)
            assert taken.id_number not in text
    finally:
        event.remove(connection.engine, "handle_error", note)
    assert answers[0] == answers[1] and answers[0][0] == 409, answers
    assert refused == [], "the database was asked to refuse the duplicate"
