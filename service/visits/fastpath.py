"""The fast path of one visit from a phone, kept in its own room (STYLE "Fast paths stay in
their room"): every visit a county logs takes it, so it is tuned beyond what the rest of the
service needs, and measured (bench/visits.py: single-visit throughput against a bare
Flask + psycopg ceiling on the same machine).

On PostgreSQL a single visit costs two round trips:
- one read (service/visits/intake.py) that also brings the sender's account, so the token's
  account check costs no statement of its own (the route verifies the token's signature and
  expiry first, and the intake confirms the account before anything else);
- one statement that inserts the visit and its audit event together (a data-modifying CTE).
Both run without BEGIN/COMMIT (`statement_by_statement`): the read is one statement whose
snapshot is the same in or out of a READ COMMITTED transaction, and the write is atomic by
itself. A visit that carries demands writes several statements and wraps them (`atomically`).
Those statements are compiled by SQLAlchemy and sent straight to psycopg (`Direct`).
SQLite takes the ordinary path throughout.
"""

import contextlib

from psycopg.rows import namedtuple_row, tuple_row
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from service import deadline


def statement_by_statement(session: Session) -> Session:
    """Before its first statement, let a session on PostgreSQL run each statement as its own
    transaction (no BEGIN/COMMIT round trips). A session handed a connection of its own (a
    test's, inside its transaction) keeps that connection's transaction."""
    if isinstance(session.bind, Engine) and session.bind.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session


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
    """A Core statement that the fast path sends straight to the driver on PostgreSQL.

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
        deadline.check()  # as the engine's own hook would (this path goes around it)
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
