"""The transaction handed to service code: its connection, the time, and the events it records.

Two ways to reach rows, each complete on its own and never mixed on one row:

- the ORM ``session`` for mapped objects (account edits, screens): a real SQLAlchemy Session
  joined to this call's transaction in a SAVEPOINT of its own;
- explicit Core statements (``one``/``all``/``insert``/``update``/``delete``) returning
  immutable records (``db.records``), for the widget's hot paths and the board's move.

Nothing here tracks what a call changed: whether a call's writes stay is decided by the
database transaction alone (``db.writer`` commits it, or rolls its savepoint back).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from halcrm.db.base import Base
from halcrm.db.models import Activity, Project, Stage
from halcrm.db.project_cache import ProjectCache, ProjectSnapshot
from halcrm.db.records import (
    MODEL_OF,
    ProjectRow,
    StageRow,
    attribute_columns,
    insert_plan,
    model_table,
    record_columns,
    record_fields,
    table_of,
)
from halcrm.db.sql import (
    Prepared,
    Statement,
    delete_by_pk,
    insert_returning,
    insert_row,
    prepared,
    update_by_pk,
)
from halcrm.domain.errors import UnknownProject
from halcrm.domain.events import DomainEvent, EventKind
from halcrm.domain.stages import StageInfo

R = TypeVar("R")


class ProjectKeys(Protocol):
    """A project as the rules need it: a record or an ORM instance."""

    @property
    def pk(self) -> int: ...
    @property
    def id(self) -> str: ...


class CompanyKeys(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...


_GENERATION: Any = select(Project.pk, Project.generation).where(
    Project.id == bindparam("project_id")
)
_PROJECT = select(*record_columns(ProjectRow)).where(Project.pk == bindparam("pk"))
_STAGES = (
    select(*record_columns(StageRow))
    .where(Stage.project_pk == bindparam("project_pk"))
    .order_by(Stage.position)
)
_ACTIVITY = Activity.__table__
_LOCKED: dict[int, Select[Any]] = {}


class Tx:
    """One unit of work. Events recorded here are stored with it and published after commit."""

    def __init__(self, conn: Connection, now: datetime, cache: ProjectCache) -> None:
        self.conn = conn
        self.now = now
        self.cache = cache
        self.is_sqlite = conn.dialect.name == "sqlite"
        self._session: Session | None = None
        self._cursor: Any = None
        self._events: list[DomainEvent] = []

    # The ORM.

    @property
    def session(self) -> Session:
        """A Session in this call's transaction (its own SAVEPOINT), made on first use."""
        if self._session is None:
            self._session = Session(
                bind=self.conn,
                join_transaction_mode="create_savepoint",
                expire_on_commit=False,
            )
        return self._session

    def finish(self) -> None:
        """Ends the call's work: the session's changes are flushed and its savepoint released."""
        if self._session is not None:
            self._session.commit()
            self._session.close()
            self._session = None
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None

    def discard(self) -> None:
        """Drops the session after a failure (its savepoint rolls back with it)."""
        if self._session is not None:
            self._session.close()
            self._session = None
        self._cursor = None

    # Core statements on the driver's cursor.

    def execute(self, stmt: Statement, params: Mapping[str, Any]) -> tuple[Prepared, Any]:
        """Runs a statement built once on the DBAPI cursor of this transaction."""
        session = self._session
        if session is not None and (session.new or session.dirty or session.deleted):
            session.flush()  # what the ORM holds must be in the database before SQL reads it
        if self._cursor is None:
            self._cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        found = prepared(stmt, self.conn.dialect)
        self._cursor.execute(found.sql, found.parameters(params))
        return found, self._cursor

    def first(self, stmt: Statement, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        found, cursor = self.execute(stmt, params)
        raw = cursor.fetchone()
        return None if raw is None else found.row(raw)

    def fetch(self, stmt: Statement, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        found, cursor = self.execute(stmt, params)
        return [found.row(raw) for raw in cursor.fetchall()]

    def rowcount(self, stmt: Statement, params: Mapping[str, Any]) -> int:
        return int(self.execute(stmt, params)[1].rowcount)

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
        names = attribute_columns(MODEL_OF[record])
        given = {names[k]: v for k, v in values.items()}
        row = self.first(
            insert_returning(table_of(record), frozenset(given), plan.returning), given
        )
        assert row is not None
        values.update(zip(plan.returned, row, strict=True))
        return record(**{f: values.get(f) for f in record_fields(record)})

    def add(self, model: type[Base], **values: Any) -> None:
        """INSERTs a row of a table no call reads back (audit rows, links)."""
        names = attribute_columns(model)
        given = {names[k]: v for k, v in values.items()}
        self.execute(insert_row(model_table(model), frozenset(given)), given)

    def update(self, record: type[Any], pk: int, **values: Any) -> None:
        """``UPDATE … SET <values> WHERE pk = :pk`` on the record's table."""
        if not values:
            return
        names = attribute_columns(MODEL_OF[record])
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

    # Projects and stages.

    def project(self, project_id: str) -> Project:
        """The project through the session, for editing, or ``unknown_project``."""
        project = self.session.scalar(select(Project).where(Project.id == project_id))
        if project is None:
            raise UnknownProject(f"no project with id {project_id!r}")
        return project

    def snapshot(self, project_id: str) -> ProjectSnapshot:
        """The project and its stages as the database has them now (kept ones when current)."""
        row = self.first(_GENERATION, {"project_id": project_id})
        if row is None:
            raise UnknownProject(f"no project with id {project_id!r}")
        return self.snapshot_at(project_id, row[0], row[1])

    def snapshot_at(self, project_id: str, pk: int, generation: int) -> ProjectSnapshot:
        """``snapshot`` for a caller that read the project's ``pk`` and ``generation`` itself
        (in a statement it needed anyway)."""
        found = self.cache.get(project_id, generation)
        if found is None:
            project = self.one(ProjectRow, _PROJECT, {"pk": pk})
            assert project is not None
            stages = self.all(StageRow, _STAGES, {"project_pk": pk})
            found = ProjectSnapshot(project, tuple(stages))
            self.cache.put(project_id, found)
        return found

    def stage_rows(self, project: ProjectKeys) -> tuple[StageRow, ...]:
        """The project's stages in board order (``editable_stages`` to change them)."""
        return self.snapshot(project.id).stages

    def stages(self, project: ProjectKeys) -> tuple[StageInfo, ...]:
        return self.snapshot(project.id).infos

    def editable_stages(self, project: ProjectKeys) -> list[Stage]:
        result = self.session.scalars(
            select(Stage).where(Stage.project_pk == project.pk).order_by(Stage.position)
        )
        return list(result)

    # Events.

    def record(
        self,
        project: ProjectKeys,
        kind: EventKind,
        source: str,
        summary: str,
        company: CompanyKeys | None = None,
        data: dict[str, Any] | None = None,
        at: datetime | None = None,
        task_id: str | None = None,
    ) -> DomainEvent:
        """Stores a domain event in this transaction; it is published after the commit.

        ``at`` is when it happened, if not the transaction's time (a company's own clock);
        ``task_id`` the next step it is about (stored in ``data`` as the wire has it)."""
        at = at or self.now
        if task_id is not None:
            data = {**(data or {}), "task_id": task_id}
        values: dict[str, Any] = {
            "project_pk": project.pk,
            "kind": kind.value,
            # A plain str: the driver binds a StrEnum (Source) only after failing to adapt it.
            "source": str(source),
            "summary": summary[:500],
            "company_id": company.id if company else None,
            "company_name": company.name if company else None,
            "data": data or {},
            "created_at": at,
        }
        stmt = insert_returning(_ACTIVITY, frozenset(values), (_ACTIVITY.c.pk,))
        row = self.first(stmt, values)
        assert row is not None
        event = DomainEvent(
            id=row[0],
            project_id=project.id,
            kind=kind,
            at=at,
            source=source,
            summary=values["summary"],
            company_id=values["company_id"],
            company_name=values["company_name"],
            data=dict(values["data"]),
            task_id=task_id,
        )
        self._events.append(event)
        return event

    def committed_events(self) -> list[DomainEvent]:
        return list(self._events)
