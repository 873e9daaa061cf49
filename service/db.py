"""The engine and the declarative Base: plain SQLAlchemy, no Flask (service/web.py gives each
request its session; the visit fast path has its own module, service/visits/fastpath.py)."""

from datetime import UTC

from sqlalchemy import DateTime, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

from service import deadline

# Stable constraint names on SQLite and PostgreSQL alike, so migrations can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A connection option: this connection's transactions write (SQLite takes its lock up front).
WRITER = "writer"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Aware timestamps stored in UTC; SQLite keeps them naive, so they are read back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def make_engine(url: str, statement_seconds: float | None = None) -> Engine:
    """An engine with SQLite foreign keys switched on; on PostgreSQL, `statement_seconds` is
    every statement's timeout unless a transaction sets its own (the service's: a request's
    budget, service/deadline.py; None for scripts and tests)."""
    # hide_parameters: a failed statement's message must not carry personal data into logs.
    kwargs = {"hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    else:
        if statement_seconds is not None:
            # The floor under the per-transaction budget: a statement sent outside a
            # transaction (the visit fast path runs statement by statement) still ends.
            milliseconds = max(1, int(statement_seconds * 1000))
            kwargs["connect_args"] = {"options": f"-c statement_timeout={milliseconds}"}
        # No pre-ping: it costs a round trip on every request; a connection the server dropped
        # fails one request and is then replaced (pool_recycle keeps them young).
        kwargs.update(pool_size=10, max_overflow=10, pool_recycle=1800)
    engine = create_engine(url, **kwargs)
    _bound_by_the_request(engine)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # Let SQLAlchemy, not the driver, open transactions, so SAVEPOINTs work.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()
            # SQLite has no statement timeout: a statement running past the request's budget
            # is interrupted (sqlite3.OperationalError "interrupted"; service/deadline.py).
            dbapi_conn.set_progress_handler(deadline.passed, _SQLITE_STEPS)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A writer takes SQLite's write lock up front: a deferred transaction that read
            # first could not upgrade once another writer committed (SQLITE_BUSY_SNAPSHOT).
            immediate = conn.get_execution_options().get(WRITER)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# Virtual-machine steps between two looks at the budget: a few hundred microseconds of work.
_SQLITE_STEPS = 20_000


def _bound_by_the_request(engine: Engine) -> None:
    """Statements of a request stay within its budget (service/deadline.py): none is sent
    once it is spent, and on PostgreSQL each transaction's statement_timeout is what is left."""

    @event.listens_for(engine, "before_cursor_execute")
    def _in_time(_conn, _cursor, _statement, _parameters, _context, _executemany):
        deadline.check()

    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "begin")
        def _statement_timeout(conn):
            left = deadline.remaining()
            # Statement by statement (AUTOCOMMIT) there is no transaction to SET LOCAL in: the
            # connection's own timeout (make_engine's statement_seconds) bounds those.
            if left is not None and conn.get_execution_options().get(
                    "isolation_level") != "AUTOCOMMIT":
                # SET LOCAL: the pooled connection forgets it when the transaction ends.
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(left * 1000))}")


def for_writing(session: Session) -> Session:
    """Mark a session's transaction as one that writes, before its first statement."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={WRITER: True})
    return session


def built_on(dialect: str):
    """Alembic's `include_object` for a database of `dialect`: what the models build on another
    database only (`Index(...).ddl_if(dialect=...)`, such as PostgreSQL's trigram indexes) is
    neither expected there nor compared."""

    def include(obj, name, type_, reflected, compare_to) -> bool:
        ddl_if = getattr(obj, "_ddl_if", None)
        return ddl_if is None or ddl_if.dialect in (None, dialect)

    return include
