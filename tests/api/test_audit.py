"""The audit trail (SPEC §11): every kind of change is one event with who, what, before and after
and the request's id, written in the change's own transaction; personal data never in it;
append-only in the database; read by county admins and inspectors (a unit admin: its unit's),
newest first, filtered.

The `world` fixture: unit A holds village a, unit B village b; cadres a1, a2 (A), b1 (B);
households a1, a2 (village a), b1 (village b); a1 and b1 are paired.
"""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError

from service.audit.models import AuditEvent
from tests import factories
from tests.clock import CLOCK

API = "/api/v1"
AUDIT = f"{API}/audit"


def events(session, **where) -> list[AuditEvent]:
    """The events written so far (oldest first), by column values."""
    session.expire_all()
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, key) == value)
    return session.scalars(stmt).all()


def one(session, **where) -> AuditEvent:
    found = events(session, **where)
    assert len(found) == 1, [(e.action, e.record_type, e.record_id) for e in found]
    return found[0]


def ok(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


def household_body(village_id: int, **extra) -> dict:
    return {"village_id": village_id, "head_name": "新登记户", "id_number":
            factories.valid_id_number(), "phone": "13700001111", "members": 2,
            "difficulty": "easier", "needs": ["low_income"], "income_per_capita": 2500,
            **extra}


# --- each kind of change, once, with its before and after -----------------------------------


def test_a_create_names_the_user_the_request_and_every_field_given(world, admin, session):
    sent = household_body(world.villages["a"].id)
    response = admin.post(f"{API}/households", json=sent, headers={"X-Request-ID": "req-42"})
    household = ok(response, 201)

    event = one(session, record_type="household", action="create")
    assert (event.user_id, event.actor, event.record_id) == (
        world.users["county_admin"].id, world.users["county_admin"].username,
        str(household["id"]))
    assert event.request_id == "req-42" == response.headers["X-Request-ID"]
    assert event.changes["head_name"] == [None, "新登记户"]
    assert event.changes["members"] == [None, 2]
    assert event.changes["village_id"] == [None, world.villages["a"].id]
    assert event.changes["needs"] == [None, ["low_income"]]
    # Personal data is never written into the trail: only that it was set.
    for field in ("id_number", "phone", "income_per_capita", "card_code"):
        assert event.changes[field] == [None, "[redacted]"], field
    assert sent["id_number"] not in str(event.changes)
    assert "version" not in event.changes and "updated_at" not in event.changes
    # The tasks its needs generated are creates of their own, by the same user and request.
    task = one(session, record_type="task", action="create")
    assert (task.user_id, task.request_id) == (world.users["county_admin"].id, "req-42")


def test_an_update_lists_only_what_changed(world, admin, session):
    household = world.households["a2"]
    ok(admin.patch(f"{API}/households/{household.id}",
                   json={"members": 5, "phone": "13900001111", "needs": ["low_income",
                                                                        "skills_training"]}))

    event = one(session, record_type="household", action="update")
    assert event.record_id == str(household.id)
    assert event.changes == {"members": [3, 5], "phone": ["[redacted]", "[redacted]"],
                             "needs": [["low_income"], ["low_income", "skills_training"]]}


def test_an_update_that_changes_nothing_writes_no_event(world, admin, session):
    household = world.households["a2"]
    ok(admin.patch(f"{API}/households/{household.id}", json={"members": household.members}))
    assert events(session, record_type="household") == []


def test_ending_a_pairing_is_an_end(world, admin, session):
    pairing = ok(admin.get(f"{API}/pairings?household_id={world.households['a1'].id}"))[
        "items"][0]
    ok(admin.post(f"{API}/pairings/{pairing['id']}/end", json={"reason": "调离"}))

    event = one(session, record_type="pairing")
    assert (event.action, event.record_id) == ("end", str(pairing["id"]))
    assert event.changes == {"ended_on": [None, CLOCK.today().isoformat()],
                             "end_reason": [None, "调离"]}


def test_a_delete_keeps_what_the_record_was(world, admin, session):
    created = ok(admin.post(f"{API}/households", json=household_body(
        world.villages["a"].id, needs=[])), 201)
    response = admin.delete(f"{API}/households/{created['id']}")
    assert response.status_code == 204, response.get_data(as_text=True)

    event = one(session, record_type="household", action="delete")
    assert event.record_id == str(created["id"])
    assert event.changes["head_name"] == ["新登记户", None]
    assert event.changes["id_number"] == ["[redacted]", None]


def test_a_task_transition_is_a_transition(world, admin, cadre, session):
    task = ok(admin.post(f"{API}/tasks", json={
        "household_id": world.households["a1"].id, "category": "low_income",
        "description": "增收", "due_on": (CLOCK.today() + timedelta(days=30)).isoformat()}), 201)
    ok(cadre.post(f"{API}/tasks/{task['id']}/transition", json={"to": "in_progress"}))

    event = one(session, record_type="task", action="transition")
    assert event.user_id == world.users["cadre"].id
    assert event.changes == {"status": ["open", "in_progress"]}


def test_a_demand_transition_is_a_transition(world, cadre, session):
    demand_id = str(uuid.uuid4())
    ok(cadre.post(f"{API}/demands", json={"id": demand_id, "household_id":
                                          world.households["a1"].id, "category": "road_repair",
                                          "description": "路坏了"}), 201)
    ok(cadre.post(f"{API}/demands/{demand_id}/transition", json={"to": "in_progress"}))

    event = one(session, record_type="demand", action="transition")
    assert event.record_id == demand_id
    assert event.changes["status"] == ["open", "in_progress"]
    assert event.changes["in_progress_at"][0] is None


def test_publishing_is_a_publish(world, admin, session):
    month = (CLOCK.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    published = ok(admin.post(f"{API}/disclosures", json={
        "village_id": world.villages["a"].id, "month": month}), 201)

    event = one(session, record_type="disclosure")
    assert (event.action, event.record_id) == ("publish", str(published["id"]))
    assert event.changes["month"] == [None, month]
    assert event.changes["sha256"] == [None, published["sha256"]]
    assert "document" not in event.changes


def test_a_handover_is_one_handover_with_its_ends_and_creates(world, admin, session):
    giver, receiver = world.cadres["a1"], factories.cadre(session, world.units["a"])
    moved = ok(admin.post(f"{API}/cadres/{giver.id}/handover", json={
        "to_cadre_id": receiver.id, "reason": "岗位调整"}))

    event = one(session, action="handover")
    assert (event.record_type, event.record_id) == ("cadre", str(giver.id))
    assert event.changes == {"cadre_id": [giver.id, receiver.id],
                             "pairing_ids": [moved["ended"], [p["id"] for p in moved["moved"]]],
                             "reason": [None, "岗位调整"]}
    assert [e.record_id for e in events(session, record_type="pairing", action="end")] == [
        str(i) for i in moved["ended"]]
    assert [e.record_id for e in events(session, record_type="pairing", action="create")] == [
        str(p["id"]) for p in moved["moved"]]


def test_account_changes_name_the_role_and_never_the_password(world, admin, session):
    user = world.users["inspector"]
    ok(admin.patch(f"{API}/users/{user.id}", json={"role": "county_admin"}))
    ok(admin.patch(f"{API}/users/{user.id}", json={"password": "another-long-password"}))

    role, password = events(session, record_type="user", action="update")
    assert role.changes == {"role": ["inspector", "county_admin"]}
    assert password.changes == {"password_hash": ["[redacted]", "[redacted]"],
                                "token_version": [1, 2]}
    assert "another-long-password" not in str(password.changes)


def test_a_failed_login_is_on_the_trail_though_the_answer_is_401(world, anonymous, session):
    user = world.users["cadre"]
    refused = anonymous.post(f"{API}/auth/login", json={"username": user.username,
                                                         "password": "wrong-password-1"})
    unknown = anonymous.post(f"{API}/auth/login", json={"username": "nobody",
                                                         "password": "wrong-password-1"})
    assert (refused.status_code, unknown.status_code) == (401, 401)

    named, nameless = events(session, action="login_failed")
    assert (named.record_type, named.record_id, named.user_id, named.actor) == (
        "user", str(user.id), None, "anonymous")
    assert (nameless.record_id, nameless.changes) == (None, {})
    assert "nobody" not in str(nameless.changes)


def test_visits_from_a_phone_are_creates_one_each(world, cadre, session):
    day = (CLOCK.local() - timedelta(days=1)).replace(hour=10, minute=0, second=0,
                                                       microsecond=0)
    one_id, batch_ids = str(uuid.uuid4()), [str(uuid.uuid4()) for _ in range(3)]
    household = world.households["a1"].id
    ok(cadre.post(f"{API}/visits", json={"id": one_id, "household_id": household,
                                         "visited_at": day.isoformat(), "kind": "home_visit",
                                         "diary": "民情日记不进审计"}), 201)
    results = ok(cadre.post(f"{API}/visits/batch", json={"visits": [
        {"id": i, "household_id": household, "kind": "heart_to_heart", "diary": "秘密",
         "visited_at": (day + timedelta(hours=2 + n)).isoformat()}
        for n, i in enumerate(batch_ids)] + [{"id": "not-a-uuid"}]}))["results"]
    assert [r["status"] for r in results] == ["created"] * 3 + ["rejected"]

    created = events(session, record_type="visit")
    assert sorted(e.record_id for e in created) == sorted([one_id, *batch_ids])
    assert {(e.action, e.user_id) for e in created} == {("create", world.users["cadre"].id)}
    assert all(e.changes["diary"] == [None, "[redacted]"] for e in created)


def test_a_refused_change_leaves_no_event(world, admin, session):
    # R2: household a1 already has a cadre.
    response = admin.post(f"{API}/pairings", json={"cadre_id": world.cadres["a2"].id,
                                                   "household_id": world.households["a1"].id,
                                                   "override_reason": "x"})
    assert response.status_code == 409
    assert events(session) == []


def test_the_command_line_is_actor_cli(app, connection, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data", "--townships", "2", "--villages", "6", "--units",
                                 "3", "--cadres", "12", "--households", "30", "--quiet"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-user", "chief", "--role", "county_admin",
                                 "--password-stdin"], input="a-long-password\n")
    assert result.exit_code == 0, result.output

    imports = {e.record_type: e for e in events(session, action="import")}
    assert imports["household"].changes["rows"] == [None, 30]
    assert imports["household"].changes["source"] == [None, "demo-data --seed 2026"]
    assert {(e.user_id, e.actor, e.record_id) for e in imports.values()} == {(None, "cli", None)}
    # demo-data opened the demo logins, create-user the chief's: all by the command line
    created = {e.changes["username"][1]: e
               for e in events(session, record_type="user", action="create")}
    assert set(created) == {"admin", "inspector", "unit1", "cadre1", "chief"}
    assert (created["chief"].user_id, created["chief"].actor, created["chief"].changes["role"]) \
        == (None, "cli", [None, "county_admin"])


# --- append-only --------------------------------------------------------------------------


def test_the_database_refuses_to_change_or_remove_an_event(world, admin, session):
    ok(admin.patch(f"{API}/households/{world.households['a2'].id}", json={"members": 6}))
    event = one(session, record_type="household")
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(update(AuditEvent).where(AuditEvent.id == event.id)
                        .values(actor="someone else"))
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(delete(AuditEvent).where(AuditEvent.id == event.id))
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(delete(AuditEvent))
    if session.get_bind().dialect.name == "postgresql":
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(text("TRUNCATE audit_events"))
    assert one(session, record_type="household").actor == event.actor


# --- reading it -----------------------------------------------------------------------------


@pytest.fixture
def trail(world, admin, cadre, session, clock):
    """Three changes at known moments: two by the admin, one by the cadre."""
    with clock.at("2026-11-02T09:00:00+08:00"):
        ok(admin.patch(f"{API}/households/{world.households['a2'].id}", json={"members": 4}))
    with clock.at("2026-11-10T09:00:00+08:00"):
        ok(admin.patch(f"{API}/villages/{world.villages['b'].id}", json={"name": "新名村"}))
    with clock.at("2026-11-20T09:00:00+08:00"):
        ok(cadre.post(f"{API}/demands", json={
            "id": str(uuid.uuid4()), "household_id": world.households["a1"].id,
            "category": "water_supply", "description": "通水"}), 201)
    return events(session)


def test_the_trail_reads_newest_first_and_pages(trail, admin):
    page = ok(admin.get(f"{AUDIT}?per_page=2"))
    assert page["total"] == 3 and page["per_page"] == 2
    assert [e["id"] for e in page["items"]] == [trail[2].id, trail[1].id]
    rest = ok(admin.get(f"{AUDIT}?per_page=2&page=2"))
    assert [e["id"] for e in rest["items"]] == [trail[0].id]
    first = rest["items"][0]
    assert first["changes"] == {"members": [3, 4]}
    assert first["at"].startswith("2026-11-02T01:00:00")


@pytest.mark.parametrize("query, which", [
    ("record_type=village", [1]),
    ("record_type=household&record_id={a2}", [0]),
    ("user_id={cadre}", [2]),
    ("action=create", [2]),
    ("action=update", [1, 0]),
    ("since=2026-11-05T00:00:00%2B08:00", [2, 1]),
    ("until=2026-11-10T09:00:00%2B08:00", [0]),
    ("since=2026-11-05T00:00:00Z&until=2026-11-15T00:00:00Z", [1]),
])
def test_the_trail_filters(world, trail, admin, query, which):
    query = query.format(a2=world.households["a2"].id, cadre=world.users["cadre"].id)
    assert [e["id"] for e in ok(admin.get(f"{AUDIT}?{query}"))["items"]] == [
        trail[i].id for i in which]


def test_inspectors_read_the_trail_unit_admins_their_units_and_others_may_not(
        trail, inspector, unit_admin, cadre, anonymous):
    assert ok(inspector.get(AUDIT))["total"] == 3
    # Unit A's admin: household a2 and the demand of household a1 (village a), not village b.
    assert [e["id"] for e in ok(unit_admin.get(AUDIT))["items"]] == [trail[2].id, trail[0].id]
    for other, status in ((cadre, 403), (anonymous, 401)):
        response = other.get(AUDIT)
        assert response.status_code == status
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("query", ["record_type=households", "action=delete_all",
                                   "since=yesterday", "user_id=0", "record_id=a%20b"])
def test_bad_filters_are_422(world, admin, query):
    response = admin.get(f"{AUDIT}?{query}")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["code"] == "validation_failed"
