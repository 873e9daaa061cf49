"""Fixtures: a real database built by the migrations, one rolled-back transaction per test."""

import os

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.orm import Session, sessionmaker

from service import clock as service_clock
from service import create_app, migrate
from service.auth import issue_token
from service.db import Base, make_engine
from service.ratelimit import reset_limits
from service.units.models import Unit
from tests import factories
from tests.clock import CLOCK, NOW, WORLD_BUILT, TestClock

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def _reset_schema(url: str) -> None:
    """Start from an empty database, whatever an earlier run left."""
    engine = make_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _installed_clock():
    """The service reads the suite's clock for the whole session."""
    previous = service_clock.install(CLOCK)
    yield
    service_clock.install(previous)


@pytest.fixture(autouse=True)
def clock() -> TestClock:
    """The one clock the code reads, at NOW when each test starts; tests set or advance it."""
    CLOCK.set(NOW)
    return CLOCK


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        _reset_schema(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def engine(database_url):
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(engine, database_url, tmp_path_factory):
    limits = tmp_path_factory.mktemp("limits") / "ratelimits.sqlite"
    app = create_app({"DATABASE_URL": database_url, "TESTING": True,
                      # The shipped default kind of storage, in a file of this run's own.
                      "RATELIMIT_STORAGE_URI": f"sqlite:///{limits}",
                      # Heavy-work slots of this run's own (.ci/run runs two suites at once).
                      "HEAVY_DIR": str(tmp_path_factory.mktemp("heavy")),
                      "SECRET_KEY": "test-secret-key-not-for-production",
                      "PASSWORD_HASH_FAST": True,
                      # Tests move the clock by months with a token in hand; the tests of
                      # expiry make tokens with lifetimes of their own.
                      "TOKEN_TTL_SECONDS": 10 * 366 * 86400})
    yield app
    app.extensions["db"].engine.dispose()


@pytest.fixture
def connection(app, engine):
    """Each test runs inside one transaction that is rolled back afterwards."""
    conn = engine.connect()
    outer = conn.begin()
    db = app.extensions["db"]
    saved = db.factory
    # Every session of the test joins its transaction; a session handed a connection keeps
    # that connection's transaction, so the visit fast path does too (tests/integration runs
    # it on connections of its own).
    db.factory = sessionmaker(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    reset_limits()  # failed logins and wrong card codes
    yield conn
    db.factory = saved
    outer.rollback()
    conn.close()


@pytest.fixture
def session(app, connection):
    """A domain-layer session inside the test's transaction."""
    s = app.extensions["db"].factory()
    yield s
    s.close()


@pytest.fixture
def client(app, connection):
    return app.test_client()


class Api:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def _headers(self, headers):
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        h.update(headers or {})
        return h

    def get(self, url, headers=None, **kw):
        return self.client.get(url, headers=self._headers(headers), **kw)

    def post(self, url, json=None, headers=None, **kw):
        return self.client.post(url, json=json, headers=self._headers(headers), **kw)

    def patch(self, url, json=None, headers=None, if_match=True, **kw):
        """PATCH as a console does: with the ETag of a GET just before as If-Match (unless the
        test sends its own, or none: if_match=False)."""
        headers = self._conditional(url, headers, if_match)
        return self.client.patch(url, json=json, headers=self._headers(headers), **kw)

    def delete(self, url, headers=None, if_match=True, **kw):
        """DELETE with the ETag of a GET just before, as `patch`."""
        headers = self._conditional(url, headers, if_match)
        return self.client.delete(url, headers=self._headers(headers), **kw)

    def _conditional(self, url, headers, if_match: bool) -> dict:
        headers = dict(headers or {})
        if if_match and "If-Match" not in headers:
            # A record the caller may not read answers the write as it answered the read.
            read = self.client.get(url, headers=self._headers(None))
            headers["If-Match"] = read.headers.get("ETag", "*")
        return headers


@pytest.fixture
def world(session, clock):
    """A small county: two units holding one village each, cadres, households, pairings;
    built on 2026-01-01, the day its assignments and pairings start."""
    with clock.at(WORLD_BUILT):
        return factories.small_world(session)


@pytest.fixture
def login_as(app, client, session):
    """login_as(user) -> an Api acting as that user."""

    def make(user) -> Api:
        with app.test_request_context():
            token, _ = issue_token(user)
        return Api(client, token)

    return make


@pytest.fixture
def anonymous(client) -> Api:
    return Api(client, None)


@pytest.fixture
def admin(world, login_as) -> Api:
    return login_as(world.users["county_admin"])


@pytest.fixture
def unit_admin(world, login_as) -> Api:
    """Unit A's admin."""
    return login_as(world.users["unit_admin"])


@pytest.fixture
def cadre(world, login_as) -> Api:
    """Cadre a1, paired with household a1 in village a."""
    return login_as(world.users["cadre"])


@pytest.fixture
def inspector(world, login_as) -> Api:
    return login_as(world.users["inspector"])


# As the migrations create them: the wipe below drops them on SQLite and puts them back.
SQLITE_DELETE_TRIGGERS = {
    "disclosures_immutable_delete":
        "CREATE TRIGGER disclosures_immutable_delete BEFORE DELETE ON disclosures BEGIN "
        "SELECT RAISE(ABORT, 'published disclosures never change'); END",
    "audit_events_append_only_delete":
        "CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events BEGIN "
        "SELECT RAISE(ABORT, 'audit events are never changed or removed'); END",
}


@pytest.fixture
def committed(app, engine):
    """A session whose data is committed for real, wiped afterwards (published disclosures and
    audit events refuse deletion, so the wipe goes around their triggers as the database owner
    could)."""
    session = Session(engine, expire_on_commit=False)
    yield session
    session.rollback()
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        for name in SQLITE_DELETE_TRIGGERS:
            session.execute(text(f"DROP TRIGGER {name}"))
    session.execute(update(Unit).values(head_cadre_id=None))
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(delete(table))
    if not postgres:
        for create in SQLITE_DELETE_TRIGGERS.values():
            session.execute(text(create))
    session.commit()
    session.close()


def pytest_terminal_summary(terminalreporter):
    """Where the field client's screenshots went (issue 16: a test artifact of each screen)."""
    import sys

    module = sys.modules.get("tests.browser.test_field_client")
    if module is not None and module.SCREENSHOTS:
        terminalreporter.write_line("field client screenshots (360 × 740): "
                                    + ", ".join(sorted(set(module.SCREENSHOTS))))
