"""The statements of a transaction (``Tx``'s half that runs them), apart from its projects,
its events and its session.

- statements built once (``db.sql``): compiled once per dialect and run on the transaction's
  DBAPI cursor, sent with the next flight of psycopg's pipeline on PostgreSQL when nothing
  waits for their answer, returning immutable records (``db.records``);
- statements built per call (``run``): through SQLAlchemy's compiled cache, outside the
  pipeline, as a session would run them but without loading the ORM.

What the ORM's session holds is flushed before either reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Executable, Select, Table
from sqlalchemy.engine import Connection, CursorResult

from halcrm.db.pipeline import InFlight, Pipeline, read_key
from halcrm.db.records import column_names, insert_plan, record_fields, table_of
from halcrm.db.sql import (
    Prepared,
    Statement,
    delete_by_pk,
    insert_returning,
    insert_row,
    prepared,
    update_by_pk,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

R = TypeVar("R")

_LOCKED: dict[int, Select[Any]] = {}


class Statements:
    """Runs a transaction's statements; ``Tx`` sets the state they use."""

    conn: Connection
    is_sqlite: bool
    pipeline: Pipeline | None
    in_flight: InFlight
    _session: Session | None
    _cursor: Any

    def end_pipeline(self) -> None:
        """Sends what the pipeline holds and waits for every answer (raising a failed one's
        error); later statements run one at a time."""
        pipeline, self.pipeline = self.pipeline, None
        if pipeline is not None:
            pipeline.end()

    def execute(
        self, stmt: Statement, params: Mapping[str, Any], cursor: Any = None
    ) -> tuple[Prepared, Any]:
        """Runs a statement built once on the DBAPI cursor of this transaction (or ``cursor``)."""
        if self._session is not None:  # the hot paths have none: no call
            self._flush_session()
        if cursor is None:
            if self._cursor is None:
                self._cursor = self._new_cursor()
            cursor = self._cursor
        found = prepared(stmt, self.conn.dialect)
        cursor.execute(found.sql, found.parameters(params))
        return found, cursor

    def run(
        self,
        stmt: Executable,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ) -> CursorResult[Any]:
        """Runs a statement built per call (its values inline) through SQLAlchemy, whose
        compiled cache keeps one form of it: as the session would, outside the pipeline and
        after what the session holds is flushed, but without loading the ORM."""
        self.end_pipeline()
        if self._session is not None:
            self._flush_session()
        return self.conn.execute(stmt, params)

    def _flush_session(self) -> None:
        """What the ORM holds goes to the database before SQL reads it."""
        session = self._session
        assert session is not None
        if session.new or session.dirty or session.deleted:
            session.flush()

    def _new_cursor(self) -> Any:
        return self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def ahead(self, stmt: Statement, params: Mapping[str, Any]) -> None:
        """PostgreSQL: sends a read the call will make later (the same ``stmt`` and
        ``params``) with the next flight; nothing on SQLite, where it runs when made."""
        if self.pipeline is not None:
            cursor = self._new_cursor()
            found = self.execute(stmt, params, cursor)[0]
            self.in_flight.ahead[read_key(stmt, params)] = (found, cursor)

    def _answer(self, stmt: Statement, params: Mapping[str, Any]) -> tuple[Prepared, Any]:
        sent = self.in_flight.take(stmt, params)
        return sent if sent is not None else self.execute(stmt, params)

    def first(self, stmt: Statement, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        found, cursor = self._answer(stmt, params)
        raw = cursor.fetchone()
        return None if raw is None else found.row(raw)

    def fetch(self, stmt: Statement, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        found, cursor = self._answer(stmt, params)
        return [found.row(raw) for raw in cursor.fetchall()]

    def rowcount(self, stmt: Statement, params: Mapping[str, Any]) -> int:
        cursor = self.execute(stmt, params)[1]
        if self.pipeline is not None:
            self.pipeline.sync()  # a row count is known once the statement has answered
        return int(cursor.rowcount)

    def one(self, record: type[R], stmt: Statement, params: Mapping[str, Any]) -> R | None:
        """The first row of ``stmt`` (a ``select_of(record)``) as a record, or ``None``."""
        row = self.first(stmt, params)
        return None if row is None else record(*row)

    def all(self, record: type[R], stmt: Statement, params: Mapping[str, Any]) -> list[R]:
        return [record(*row) for row in self.fetch(stmt, params)]

    def insert(self, record: type[R], **values: Any) -> R:
        """INSERTs a row of the record's table and answers it as stored (defaults included)."""
        plan = insert_plan(record, frozenset(values))
        for name, make in plan.defaults:
            values[name] = make()
        names = column_names(record)
        given = {names[k]: v for k, v in values.items()}
        row = self.first(
            insert_returning(table_of(record), frozenset(given), plan.returning), given
        )
        assert row is not None
        values.update(zip(plan.returned, row, strict=True))
        return record(**{f: values.get(f) for f in record_fields(record)})

    def put(self, record: type[Any], **values: Any) -> None:
        """``insert`` for a row the call does not read back: no answer awaited (PostgreSQL
        sends it with the next flight); the record's defaults are filled in all the same."""
        for name, make in insert_plan(record, frozenset(values)).defaults:
            values[name] = make()
        names = column_names(record)
        self.add(table_of(record), **{names[k]: v for k, v in values.items()})

    def add(self, table: Table, **values: Any) -> None:
        """INSERTs a row no call reads back (audit rows, links), its values by column name."""
        self.execute(insert_row(table, frozenset(values)), values)

    def update(self, record: type[Any], pk: int, **values: Any) -> None:
        """``UPDATE … SET <values> WHERE pk = :pk`` on the record's table."""
        if not values:
            return
        names = column_names(record)
        given = {names[k]: v for k, v in values.items()}
        self.execute(update_by_pk(table_of(record), frozenset(given)), {**given, "pk_": pk})

    def delete(self, record: type[Any], pk: int) -> None:
        self.execute(delete_by_pk(table_of(record)), {"pk_": pk})

    def lock(self, stmt: Select[Any]) -> Select[Any]:
        """``stmt`` with FOR UPDATE where the database has row locks (SQLite serialises writers);
        the locked form of a statement built once is kept too."""
        if self.is_sqlite:
            return stmt
        locked = _LOCKED.get(id(stmt))
        if locked is None:
            locked = _LOCKED[id(stmt)] = stmt.with_for_update()
        return locked

    def locking(self, stmt: Select[Any]) -> Select[Any]:
        """``lock`` for an ORM select built per call (fresh values into the session, too)."""
        if self.is_sqlite:
            return stmt
        return stmt.with_for_update().execution_options(populate_existing=True)
