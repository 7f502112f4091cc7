"""The transaction handed to service code: the session, the time, and the events it records.

Service code reads rows either through the ORM session (screens and account edits, where the
convenience is worth it) or as detached instances with Core (``one``/``all``/``insert``/``set``,
the widget's hot paths; see ``rows``). ``set`` works on both: a detached instance's changes are
written with one UPDATE per row when the call's work ends, an ORM instance's by the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from halcrm.db import sql as rows
from halcrm.db.base import Base
from halcrm.db.models import Activity, Company, Project, Stage
from halcrm.db.project_cache import ProjectCache, ProjectSnapshot
from halcrm.db.sql import Prepared, Statement
from halcrm.domain.errors import UnknownProject
from halcrm.domain.events import DomainEvent, EventKind
from halcrm.domain.stages import StageInfo

M = TypeVar("M", bound=Base)

_PROJECT = rows.columns(Project).where(Project.id == bindparam("project_id"))
_STAGES = (
    rows.columns(Stage).where(Stage.project_pk == bindparam("project_pk")).order_by(Stage.position)
)
_LOCKED: dict[int, Select[Any]] = {}
_INVALIDATING = frozenset({EventKind.PROJECT_UPDATED, EventKind.STAGES_CHANGED})


class Tx:
    """One unit of work. Events recorded here are stored with it and published after commit."""

    def __init__(
        self,
        session: Session,
        now: datetime,
        cache: ProjectCache,
        *,
        writer: bool = True,
        conn: Connection | None = None,
    ) -> None:
        self._session = session
        # Whether this call may have changed the database (then a failure must roll back).
        self.wrote = False
        self.now = now
        self.cache = cache
        # Only writers fill the shared cache: a reader's snapshot of the database may be older
        # than the cache's generation says.
        self._fills_cache = writer
        self._conn = conn
        self._cursor: Any = None
        self._events: list[DomainEvent] = []
        self._projects: dict[str, Project] = {}
        self._snapshots: dict[str, ProjectSnapshot] = {}
        # Detached rows of this call by (model, pk), and the attributes changed on each.
        self._loaded: dict[tuple[type[Base], int], Base] = {}
        self._dirty: dict[int, tuple[Base, set[str]]] = {}
        self._pending: dict[int, Base] = {}
        self.is_sqlite = session.get_bind().dialect.name == "sqlite"

    @property
    def session(self) -> Session:
        """The ORM session, for services that read or edit through it (counted as a write)."""
        self.wrote = True
        return self._session

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            self._conn = self._session.connection()
        return self._conn

    def execute(self, stmt: Statement, params: Mapping[str, Any]) -> tuple[Prepared, Any]:
        """Runs a statement built at import on the DBAPI cursor of this transaction.

        SQLAlchemy's per-statement execution context cost several times the SQLite statement
        itself on the widget's paths; see ``rows.Prepared``.
        """
        if self._cursor is None:
            self._cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        prepared = rows.prepared(stmt, self.conn.dialect)
        if not prepared.is_select:
            self.wrote = True
        self._cursor.execute(prepared.sql, prepared.parameters(params))
        return prepared, self._cursor

    def first(self, stmt: Statement, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        prepared, cursor = self.execute(stmt, params)
        raw = cursor.fetchone()
        return None if raw is None else prepared.row(raw)

    def fetch(self, stmt: Statement, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        prepared, cursor = self.execute(stmt, params)
        return [prepared.row(raw) for raw in cursor.fetchall()]

    def rowcount(self, stmt: Statement, params: Mapping[str, Any]) -> int:
        return int(self.execute(stmt, params)[1].rowcount)

    # Locks.

    def locking(self, stmt: Select[Any]) -> Select[Any]:
        """Adds FOR UPDATE where the database has row locks (SQLite serialises writers instead)."""
        if self.is_sqlite:
            return stmt
        return stmt.with_for_update().execution_options(populate_existing=True)

    def lock(self, stmt: Select[Any]) -> Select[Any]:
        """``locking`` for a statement built once at import (its locked form is kept too)."""
        if self.is_sqlite:
            return stmt
        locked = _LOCKED.get(id(stmt))
        if locked is None:
            locked = _LOCKED[id(stmt)] = stmt.with_for_update()
        return locked

    # Detached rows through Core.

    def one(
        self,
        model: type[M],
        stmt: Select[Any],
        params: Mapping[str, Any],
        *,
        refresh: bool = False,
    ) -> M | None:
        """The first row of ``stmt`` (a ``rows.columns(model)`` select) as a detached instance.

        Args:
            refresh: Take the row's current values into an instance read earlier in this call
                (after taking a row lock), keeping the attributes this call changed.
        """
        row = self.first(stmt, params)
        if row is None:
            return None
        fresh = rows.from_row(model, row)
        seen = self._known(model, fresh)
        if refresh and seen is not fresh:
            keep = self._dirty.get(id(seen), (seen, set()))[1]
            names = rows.attrs(model)
            current = {k: v for k, v in fresh.__dict__.items() if k in names and k not in keep}
            seen.__dict__.update(current)
        return seen

    def all(self, model: type[M], stmt: Select[Any], params: Mapping[str, Any]) -> list[M]:
        return [self._known(model, rows.from_row(model, row)) for row in self.fetch(stmt, params)]

    def _known(self, model: type[M], fresh: M) -> M:
        # A row read twice in one call is one instance, so changes made to it are not lost.
        key = (model, fresh.pk)  # type: ignore[attr-defined]
        seen = self._loaded.get(key)
        if seen is not None:
            return seen  # type: ignore[return-value]
        self._loaded[key] = fresh
        return fresh

    def insert(self, model: type[M], **values: Any) -> M:
        """Inserts a row now (its ``pk`` is needed at once) and returns it detached."""
        instance = rows.detached(model, {**rows.defaults(model, values), "pk": None})
        self._write_new(instance)
        return instance

    def _write_new(self, instance: Base) -> None:
        """INSERTs a detached row with every column it holds; it then has its ``pk``."""
        model = type(instance)
        names = rows.attrs(model)
        values = {k: v for k, v in instance.__dict__.items() if k in names and k != "pk"}
        row = self.first(rows.insert_statement(model, frozenset(values)), values)
        assert row is not None
        instance.__dict__["pk"] = row[0]
        self._loaded[(model, row[0])] = instance

    def add(self, model: type[M], **values: Any) -> M:
        """A new detached row written when the work ends (with the values it has by then), for a
        row whose ``pk`` nobody needs before: one INSERT instead of an INSERT and an UPDATE."""
        instance = rows.detached(model, {**rows.defaults(model, values), "pk": None})
        self._pending[id(instance)] = instance
        return instance

    def set(self, instance: Base, **values: Any) -> None:
        """Changes attributes; a detached row is written when the work ends."""
        if id(instance) in self._pending:
            instance.__dict__.update(values)
            return
        if self._loaded.get((type(instance), instance.pk)) is not instance:  # type: ignore[attr-defined]
            for key, value in values.items():
                setattr(instance, key, value)
            return
        current = instance.__dict__
        values = {k: v for k, v in values.items() if current.get(k, values) != v}
        if not values:
            return
        current.update(values)
        entry = self._dirty.get(id(instance))
        if entry is None:
            self._dirty[id(instance)] = (instance, set(values))
        else:
            entry[1].update(values)

    def delete(self, instance: Base) -> None:
        model = type(instance)
        pk = instance.pk  # type: ignore[attr-defined]
        if self._loaded.get((model, pk)) is not instance:
            self.wrote = True
            self._session.delete(instance)
            return
        self.write_rows()
        self.execute(rows.delete_statement(model), {"pk_": pk})
        del self._loaded[(model, pk)]

    def write_rows(self) -> None:
        """Writes the changed attributes of detached rows, one UPDATE per row."""
        pending, self._pending = self._pending, {}
        for instance in pending.values():
            self._write_new(instance)
        dirty, self._dirty = self._dirty, {}
        for instance, attrs in dirty.values():
            stmt = rows.update_statement(type(instance), frozenset(attrs))
            values = {attr: instance.__dict__[attr] for attr in attrs}
            values["pk_"] = instance.pk  # type: ignore[attr-defined]
            self.execute(stmt, values)

    # Projects and stages.

    def project(self, project_id: str) -> Project:
        """Loads a project through the session, for editing, or refuses with ``unknown_project``."""
        cached = self._projects.get(project_id)
        if cached is not None:
            return cached
        project = self._session.scalar(select(Project).where(Project.id == project_id))
        if project is None:
            raise UnknownProject(f"no project with id {project_id!r}")
        self._projects[project_id] = project
        return project

    def snapshot(self, project_id: str) -> ProjectSnapshot:
        """The project and its stages, read-only, from the shared cache when it is current."""
        found = self._snapshots.get(project_id) or self.cache.get(project_id)
        if found is None:
            generation = self.cache.generation
            self.flush()
            row = self.first(_PROJECT, {"project_id": project_id})
            if row is None:
                raise UnknownProject(f"no project with id {project_id!r}")
            project = rows.from_row(Project, row)
            stages = rows.all_from(Stage, self.fetch(_STAGES, {"project_pk": project.pk}))
            found = ProjectSnapshot(project, tuple(stages))
            if self._fills_cache:
                self.cache.put(project_id, generation, found)
        self._snapshots[project_id] = found
        return found

    def stage_rows(self, project: Project) -> tuple[Stage, ...]:
        """The project's stages in board order (read-only; ``editable_stages`` to change them)."""
        return self.snapshot(project.id).stages

    def stages(self, project: Project) -> tuple[StageInfo, ...]:
        return self.snapshot(project.id).infos

    def editable_stages(self, project: Project) -> list[Stage]:
        result = self._session.scalars(
            select(Stage).where(Stage.project_pk == project.pk).order_by(Stage.position)
        )
        return list(result)

    def forget_stages(self, project: Project) -> None:
        self._snapshots.clear()
        self.cache.invalidate()

    # Events.

    def record(
        self,
        project: Project,
        kind: EventKind,
        source: str,
        summary: str,
        company: Company | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Records a domain event; it is stored in this transaction and published after commit."""
        if kind in _INVALIDATING:
            self.forget_stages(project)
        row = self.insert(
            Activity,
            project_pk=project.pk,
            kind=kind.value,
            source=source,
            summary=summary[:500],
            company_id=company.id if company else None,
            company_name=company.name if company else None,
            data=data or {},
            created_at=self.now,
        )
        self._events.append(to_domain_event(row, project.id))

    def flush(self) -> None:
        """Writes everything pending: detached rows, then the session's own changes."""
        self.write_rows()
        session = self._session
        if session.new or session.dirty or session.deleted:
            self.wrote = True
            session.flush()

    def committed_events(self) -> list[DomainEvent]:
        return list(self._events)

    def changes_projects(self) -> bool:
        """Whether this call changed a project's settings or stages (the cache must forget)."""
        return any(event.kind in _INVALIDATING for event in self._events)


def to_domain_event(row: Activity, project_id: str) -> DomainEvent:
    return DomainEvent(
        id=row.pk,
        project_id=project_id,
        kind=EventKind(row.kind),
        at=row.created_at,
        source=row.source,
        summary=row.summary,
        company_id=row.company_id,
        company_name=row.company_name,
        data=dict(row.data or {}),
    )
