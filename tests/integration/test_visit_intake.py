"""A visit from a phone as it really runs: real commits, no test transaction around it.

On PostgreSQL POST /visits runs statement by statement (no BEGIN/COMMIT), reads the sender's
account within its one read, writes the visit and its audit event in one statement, and sends
its statements straight to psycopg (service/visits/fastpath.py);
the API tests run inside one rolled-back transaction and so cannot see any of that. These can.
"""

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from service.audit.models import AuditEvent
from service.audit.recorder import event_row
from service.auth import current_caller, issue_token
from service.context import Actor
from service.demands.models import Demand
from service.visits.fastpath import statement_by_statement
from service.visits.intake import _AUDIT_COLUMNS, _INSERT_VISIT, _INTAKE_READ, Intake
from service.visits.models import Visit
from service.web import get_session
from tests import factories
from tests.clock import CLOCK
from tests.integration.racing import race

VISITS = "/api/v1/visits"
CST = ZoneInfo("Asia/Shanghai")
PHONES = 8


def yesterday(hour: int = 10) -> datetime:
    day = CLOCK.local() - timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def body(household, **overrides) -> dict:
    out = {"id": str(uuid.uuid4()), "household_id": household.id,
           "visited_at": yesterday().isoformat(), "kind": "home_visit",
           "diary": "了解家中种植情况, 商量增收办法"}
    out.update(overrides)
    return out


@pytest.fixture
def field(app, committed):
    """A cadre paired with a household, committed, and the cadre's token."""
    world = factories.small_world(committed)
    with app.test_request_context():
        token = issue_token(world.users["cadre"])[0]
    world.token = token
    world.headers = {"Authorization": f"Bearer {token}"}
    return world


def stored(session, **where) -> int:
    session.expire_all()
    stmt = select(func.count()).select_from(Visit)
    for key, value in where.items():
        stmt = stmt.where(getattr(Visit, key) == value)
    return session.scalar(stmt)


def test_a_visit_is_stored_as_sent_and_a_replay_returns_the_stored_one(app, committed, field):
    client, sent = app.test_client(), body(field.households["a1"])

    first = client.post(VISITS, json=sent, headers=field.headers)
    again = client.post(VISITS, json=sent, headers=field.headers)

    assert first.status_code == 201, first.json
    assert again.status_code == 200, again.json
    assert again.json == first.json
    row = committed.get(Visit, sent["id"])
    assert (row.cadre_id, row.household_id, row.kind, row.direct) == (
        field.cadres["a1"].id, field.households["a1"].id, "home_visit", True)
    assert row.created_by == field.users["cadre"].id
    assert row.visited_at == datetime.fromisoformat(sent["visited_at"]).astimezone(UTC)
    assert stored(committed) == 1
    # The visit and its audit event landed together, and the replay added none.
    events = committed.scalars(select(AuditEvent).where(AuditEvent.record_id == sent["id"])).all()
    assert [(e.action, e.record_type, e.user_id) for e in events] == [
        ("create", "visit", field.users["cadre"].id)]
    assert events[0].changes["household_id"] == [None, field.households["a1"].id]
    assert events[0].changes["diary"] == [None, "[redacted]"]
    assert events[0].request_id == first.headers["X-Request-ID"]


def test_the_same_visit_sent_at_once_from_eight_phones_is_stored_once(app, committed, field):
    sent = body(field.households["a1"])

    answers = race(app, field.token, [(VISITS, sent)] * PHONES)

    assert Counter(status for status, _, _ in answers) == {201: 1, 200: PHONES - 1}, answers
    assert {answer["id"] for _, _, answer in answers} == {sent["id"]}
    assert stored(committed) == 1


def _revoke(account):
    account.active = False


def _make_inspector(account):
    account.role, account.cadre_id = "inspector", None


@pytest.mark.parametrize(("change", "status", "code"), [
    (_revoke, 401, "unauthenticated"),
    (_make_inspector, 403, "forbidden"),
], ids=["deactivated", "no longer a cadre"])
def test_an_account_changed_since_its_token_is_refused_and_nothing_is_stored(
        app, committed, field, change, status, code):
    change(field.users["cadre"])
    committed.commit()

    response = app.test_client().post(VISITS, json=body(field.households["a1"]),
                                      headers=field.headers)

    assert response.status_code == status, response.json
    assert response.json["code"] == code
    assert stored(committed) == 0


def test_a_token_for_another_cadres_household_is_refused(app, committed, field):
    response = app.test_client().post(VISITS, json=body(field.households["b1"]),
                                      headers=field.headers)

    assert response.status_code == 403, response.json
    assert stored(committed) == 0


def test_the_body_is_checked_before_the_account_on_the_phone_path(app, committed, field):
    """Documented order: POST /visits reads the account with the visit's data, so a malformed
    body is answered before the account is looked at."""
    field.users["cadre"].active = False
    committed.commit()

    response = app.test_client().post(VISITS, json={"kind": "home_visit"},
                                      headers=field.headers)

    assert response.status_code == 422
    assert stored(committed) == 0


def test_a_visit_with_demands_lands_whole_or_not_at_all(app, committed, field):
    """Two statements (the visit, its demands) on a connection without a transaction: when the
    demand cannot be stored, the visit is not stored either."""
    household = field.households["a1"]
    taken = str(uuid.uuid4())
    client = app.test_client()
    demand = client.post("/api/v1/demands", headers=field.headers, json={
        "id": taken, "household_id": household.id, "category": "housing_repair",
        "description": "房屋漏雨"})
    assert demand.status_code == 201, demand.json
    sent = body(household, demands=[{"id": taken, "category": "housing_repair",
                                     "description": "房屋漏雨"}])
    from service.visits.schemas import VisitIn

    data = VisitIn().load(sent)
    with app.test_request_context(VISITS, method="POST"):
        session = statement_by_statement(get_session())
        intake = Intake(factories.context(session, field.users["cadre"]))
        intake.prepare([data])
        intake.existing_demands = set()  # as if the demand arrived between read and write
        intake.take(data)
        level = session.connection().get_execution_options().get("isolation_level")
        with pytest.raises(IntegrityError):
            intake.write()
        session.rollback()

    postgres = committed.get_bind().dialect.name == "postgresql"
    assert level == ("AUTOCOMMIT" if postgres else None)
    assert committed.get(Visit, sent["id"]) is None
    assert stored(committed) == 0
    committed.expire_all()
    assert committed.scalar(select(func.count()).select_from(Demand)) == 1


def test_the_connection_goes_back_to_the_pool_as_it_came(app, committed, field):
    """After a statement-by-statement request, the next request on that pooled connection has
    its ordinary transaction again."""
    engine = app.extensions["db"].engine
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps its transactions on every request")
    client = app.test_client()
    assert client.post(VISITS, json=body(field.households["a1"]),
                       headers=field.headers).status_code == 201

    with engine.connect() as connection:
        assert connection.connection.driver_connection.autocommit is False
    assert engine.pool.checkedout() == 0


def test_direct_rows_are_what_sqlalchemy_returns(app, committed, field):
    household = field.households["a1"]
    sent = body(household)
    assert app.test_client().post(VISITS, json=sent, headers=field.headers).status_code == 201
    at = datetime.fromisoformat(sent["visited_at"])
    params = {"user_id": field.users["cadre"].id, "household_ids": [household.id],
              "ids": [sent["id"], str(uuid.uuid4())], "since": at - timedelta(hours=2),
              "until": at + timedelta(hours=2)}

    with app.extensions["db"].engine.connect() as connection:
        direct = _INTAKE_READ.rows(connection, params)
        ordinary = connection.execute(_INTAKE_READ.statement, params).all()

    def as_dicts(rows):
        return sorted(({k: getattr(r, k) for k in r._fields} for r in rows),
                      key=lambda d: (d["part"], str(d["visit_id"])))

    assert as_dicts(direct) == as_dicts(ordinary)
    parts = Counter(r.part for r in direct)
    assert parts == {"household": 1, "visit": 1, "account": 1}
    visit = next(r for r in direct if r.part == "visit")
    assert visit.visited_at == at and visit.visited_at.tzinfo is not None
    account = next(r for r in direct if r.part == "account")
    assert (account.role, account.cadre_id, account.active) == (
        "cadre", field.cadres["a1"].id, True)


def test_a_refused_direct_insert_is_sqlalchemys_integrity_error(app, committed, field):
    if committed.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite writes a visit and its event as two ordinary statements")
    sent = body(field.households["a1"])
    assert app.test_client().post(VISITS, json=sent, headers=field.headers).status_code == 201
    row = {c.name: getattr(committed.get(Visit, sent["id"]), c.name)
           for c in Visit.__table__.columns}

    event = event_row(Actor(field.users["cadre"].id, "cadre"), "create", "visit", row["id"], {})
    with app.extensions["db"].engine.connect() as connection:
        with pytest.raises(IntegrityError) as refused:
            _INSERT_VISIT.run(connection, {**row, **{f"audit_{k}": event[k]
                                                     for k in _AUDIT_COLUMNS}})
        connection.rollback()
        # The connection is still good for the next statement.
        assert connection.scalar(select(func.count()).select_from(Visit)) == 1
    assert sent["diary"] not in str(refused.value)  # parameters never reach a message


def test_the_caller_is_not_there_until_the_account_is_confirmed(app):
    with app.test_request_context():
        with pytest.raises(RuntimeError):
            current_caller()
