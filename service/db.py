"""Engine, request-scoped session and the declarative Base."""

import contextlib
import functools
from datetime import UTC

from flask import Flask, current_app, g, has_request_context, request
from psycopg.rows import namedtuple_row, tuple_row
from sqlalchemy import DateTime, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Stable constraint names on SQLite and PostgreSQL alike, so migrations can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


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


def _writing_request() -> bool:
    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")


def make_engine(url: str) -> Engine:
    """An engine with SQLite foreign keys switched on."""
    # hide_parameters: a failed statement's message must not carry personal data into logs.
    kwargs = {"hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    else:
        # No pre-ping: it costs a round trip on every request; a connection the server dropped
        # fails one request and is then replaced (pool_recycle keeps them young).
        kwargs.update(pool_size=10, max_overflow=10, pool_recycle=1800)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # Let SQLAlchemy, not the driver, open transactions, so SAVEPOINTs work.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A write request takes SQLite's write lock up front: a deferred transaction that
            # read first could not upgrade once another writer committed (SQLITE_BUSY_SNAPSHOT).
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _writing_request() else "BEGIN")

    return engine


class Database:
    """Holds the engine and hands out one session per app context."""

    def __init__(self, app: Flask):
        self.engine = make_engine(app.config["DATABASE_URL"])
        self.factory = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite keeps its transactions: a writer must take the write lock up front.
        self.autocommit_factory = self.factory if self.engine.dialect.name == "sqlite" else (
            sessionmaker(self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                         expire_on_commit=False))
        app.extensions["db"] = self
        app.teardown_appcontext(self._close)

    @staticmethod
    def _close(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def get_session() -> Session:
    """The current app context's session, opened on first use."""
    if "db_session" not in g:
        db = current_app.extensions["db"]
        g.db_session = (db.autocommit_factory if g.get("db_autocommit") else db.factory)()
    return g.db_session


def statement_by_statement(view):
    """Run a view's statements without an enclosing transaction on PostgreSQL, each its own.

    For the hottest write (a phone logging one visit): its reads are single statements whose
    snapshot is the same inside a READ COMMITTED transaction or out of it, and its write is one
    INSERT, atomic by itself; BEGIN and COMMIT would be two round trips that buy nothing. A view
    under this decorator that writes more than one statement must group them with
    `atomically()`. SQLite keeps ordinary transactions."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        g.db_autocommit = True
        try:
            return view(*args, **kwargs)
        finally:
            g.pop("db_autocommit", None)

    return wrapper


def commit(session: Session) -> None:
    """Commit a session's work. A statement-by-statement session wrote each statement as it
    ran, so unless the ORM holds changes of its own there is nothing left to send."""
    if _statement_by_statement(session.connection()) and not (
            session.new or session.dirty or session.deleted):
        return
    session.commit()


def _statement_by_statement(connection: Connection) -> bool:
    return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def atomically(session: Session):
    """A transaction around the statements of a block: the session's own when it has one (they
    commit with it), an explicit one on a connection that runs statement by statement."""
    connection = session.connection()
    if not _statement_by_statement(connection):
        return contextlib.nullcontext()
    return connection.connection.driver_connection.transaction()


class Direct:
    """A Core statement that the hottest path sends straight to the driver on PostgreSQL.

    SQLAlchemy spends about 100 µs of Python on each execute (cache lookup, parameter and result
    wrapping) on top of psycopg's own 90; on the path every visit from a phone takes, that was a
    fifth of the service's CPU (bench/visits.py). Here SQLAlchemy still compiles the statement
    (once per database) and expands its list parameters, and every value goes through the bind
    processors SQLAlchemy would apply; the rows are psycopg's named tuples, which for these
    statements' columns hold what SQLAlchemy would return (the one result processor among them,
    UTCDateTime's, leaves PostgreSQL's aware times as they are; tests compare both ways). The
    statement runs on the connection's own DBAPI connection, so it is in its transaction, and
    driver errors come out as SQLAlchemy's exceptions. Other databases take the ordinary path.
    """

    def __init__(self, statement):
        self.statement = statement
        self._compiled: dict = {}

    def rows(self, connection: Connection, params: dict) -> list:
        """All rows of a SELECT (or of a statement with RETURNING)."""
        if connection.dialect.name != "postgresql":
            return connection.execute(self.statement, params).all()
        return self._run(connection, params, fetch=True)

    def run(self, connection: Connection, params: dict) -> None:
        """Execute a statement that returns nothing."""
        if connection.dialect.name != "postgresql":
            connection.execute(self.statement, params)
        else:
            self._run(connection, params, fetch=False)

    def _prepared(self, dialect, params: dict):
        """The SQL and what to bind for this shape of parameters (the lengths of its lists),
        expanded by SQLAlchemy the first time a shape is seen."""
        if dialect not in self._compiled:
            compiled = self.statement.compile(dialect=dialect)
            processors = {name: p for name, bind in compiled.binds.items()
                          if (p := bind.type.dialect_impl(dialect).bind_processor(dialect))}
            self._compiled[dialect] = compiled, processors, {}
        compiled, processors, shapes = self._compiled[dialect]
        shape = tuple((k, len(v)) for k, v in params.items() if type(v) is list)
        prepared = shapes.get(shape)
        if prepared is None:
            state = compiled.construct_expanded_state(params)
            expansion = state.parameter_expansion
            expanded = {name for names in expansion.values() for name in names}
            constants = {k: v for k, v in state.parameters.items()  # literal() values
                         if k not in params and k not in expanded}
            prepared = (state.statement, expansion, constants, {**processors, **state.processors})
            if len(shapes) < 32:  # single visits and the common batch sizes
                shapes[shape] = prepared
        return prepared

    def _run(self, connection: Connection, params: dict, fetch: bool):
        statement, expansion, values, processors = self._prepared(connection.dialect, params)
        values = dict(values)
        for key, value in params.items():
            if key in expansion:
                values.update(zip(expansion[key], value, strict=True))
            else:
                values[key] = value
        values = {k: processors[k](v) if k in processors else v for k, v in values.items()}
        if not connection.in_transaction():
            connection.begin()  # as SQLAlchemy's execute would, so its commit and rollback apply
        dbapi = connection.connection.driver_connection
        try:
            with dbapi.cursor(row_factory=namedtuple_row if fetch else tuple_row) as cursor:
                cursor.execute(statement, values)
                return cursor.fetchall() if fetch else None
        except connection.dialect.loaded_dbapi.Error as error:
            gone = connection.dialect.is_disconnect(error, dbapi, None)
            if gone:  # as SQLAlchemy would: the pool must not hand this connection out again
                connection.invalidate(error)
            raise DBAPIError.instance(statement, None, error,
                                      connection.dialect.loaded_dbapi.Error,
                                      hide_parameters=True, connection_invalidated=gone,
                                      dialect=connection.dialect) from error
