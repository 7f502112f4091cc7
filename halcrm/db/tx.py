"""The transaction handed to service code: its connection, the time, and the events it records.

Two ways to reach rows, each complete on its own and never mixed on one row:

- the ORM ``session`` for mapped objects (account edits, screens): a real SQLAlchemy Session
  joined to this call's transaction in a SAVEPOINT of its own;
- explicit Core statements (``one``/``all``/``insert``/``update``/``delete``) returning
  immutable records (``db.records``), for the widget's hot paths and the board's move, and
  ``run`` for a Core statement built per call (both in ``db.statements``).

Nothing here tracks what a call changed: whether a call's writes stay is decided by the
database transaction alone (``db.writer`` commits it, or rolls its savepoint back).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from halcrm.db.event_log import activity_row, record_at_position
from halcrm.db.pipeline import InFlight, Pipeline
from halcrm.db.project_cache import ProjectCache, ProjectSnapshot
from halcrm.db.records import ProjectRow, StageRow, record_columns
from halcrm.db.sql import insert_returning
from halcrm.db.statements import Statements
from halcrm.db.tables import activity, projects, stages
from halcrm.domain.errors import UnknownProject
from halcrm.domain.events import TYPED_KEYS, DomainEvent, EventKind
from halcrm.domain.stages import StageInfo

if TYPE_CHECKING:
    # The ORM is loaded by the first call that uses the session (a server starts without it).
    from sqlalchemy.orm import Session

    from halcrm.db.models import Project, Stage


class ProjectKeys(Protocol):
    """A project as the rules need it: a record or an ORM instance."""

    @property
    def pk(self) -> int: ...
    @property
    def id(self) -> str: ...


class Outbox(Protocol):
    """Which webhook endpoints a recorded event names in its row (``Activity.hooks``)."""

    def named(self, tx: Tx, project: ProjectKeys, event: DomainEvent) -> str | None: ...


class CompanyKeys(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...


@dataclasses.dataclass(frozen=True, slots=True)
class ProjectRef:
    """A project's keys for ``Tx.record`` from plain values (a row read through Core)."""

    pk: int
    id: str


@dataclasses.dataclass(frozen=True, slots=True)
class CompanyRef:
    """A company's keys for ``Tx.record`` from plain values (a row, an import's values)."""

    id: str
    name: str


_GENERATION: Any = select(projects.c.pk, projects.c.generation).where(
    projects.c.id == bindparam("project_id")
)
_PROJECT = select(*record_columns(ProjectRow)).where(projects.c.pk == bindparam("pk"))
_STAGES = (
    select(*record_columns(StageRow))
    .where(stages.c.project_pk == bindparam("project_pk"))
    .order_by(stages.c.position)
)
_ACTIVITY = activity


class Tx(Statements):
    """One unit of work. Events recorded here are stored with it and published after commit."""

    def __init__(
        self,
        conn: Connection,
        now: datetime,
        cache: ProjectCache,
        outbox: Outbox | None = None,
        pipeline: Pipeline | None = None,
    ) -> None:
        self.conn = conn
        self.now = now
        self.cache = cache
        self.outbox = outbox
        # Each project's generation as this transaction read it (the outbox's kept endpoints
        # are checked against it without another statement).
        self.generations: dict[str, int] = {}
        self.is_sqlite = conn.dialect.name == "sqlite"
        # PostgreSQL writes: psycopg's pipeline, so a statement whose answer nobody reads
        # (an UPDATE, an audit row, an event) leaves with the next one that needs an answer.
        self.pipeline = pipeline
        self._session: Session | None = None
        self._cursor: Any = None
        self._events: list[DomainEvent] = []
        # PostgreSQL: what the pipeline sent whose answers are read later (db/pipeline.py).
        self.in_flight = InFlight()

    # The ORM.

    @property
    def session(self) -> Session:
        """A Session in this call's transaction (its own SAVEPOINT), made on first use."""
        if self._session is None:
            from sqlalchemy.orm import Session

            # The ORM reads every statement's row count: it runs outside the pipeline.
            self.end_pipeline()
            self._session = Session(
                bind=self.conn,
                join_transaction_mode="create_savepoint",
                expire_on_commit=False,
            )
        return self._session

    def finish(self) -> None:
        """Ends the call's work: the session's changes are flushed and its savepoint released."""
        if self.in_flight.checks:
            self.in_flight.check_snapshots(self.cache)
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
        with contextlib.suppress(Exception):  # the failure itself is what the caller raises
            self.end_pipeline()

    def event_keys(self) -> list[int]:
        """The primary keys of the events recorded, once their statements have answered."""
        if self.is_sqlite:
            return [event.id for event in self._events]
        return self.in_flight.event_keys()

    # Projects and stages.

    def project(self, project_id: str) -> Project:
        """The project through the session, for editing, or ``unknown_project``."""
        from halcrm.db.models import Project

        project = self.session.scalar(select(Project).where(Project.id == project_id))
        if project is None:
            raise UnknownProject(f"no project with id {project_id!r}")
        return project

    def snapshot(self, project_id: str) -> ProjectSnapshot:
        """The project and its stages as the database has them now (kept ones when current)."""
        if self.pipeline is not None:
            kept = self.cache.newest(project_id)
            if kept is not None:
                if self.generations.get(project_id) == kept.generation:
                    return kept  # checked already in this transaction
                return self._checked_later(project_id, kept)
        row = self.first(_GENERATION, {"project_id": project_id})
        if row is None:
            raise UnknownProject(f"no project with id {project_id!r}")
        return self.snapshot_at(project_id, row[0], row[1])

    def knows(self, project_id: str) -> bool:
        """Whether the project exists; its snapshot is read (and kept for the calls after)."""
        try:
            self.snapshot(project_id)
        except UnknownProject:
            return False
        return True

    def _checked_later(self, project_id: str, kept: ProjectSnapshot) -> ProjectSnapshot:
        """In a pipeline: the kept snapshot at once, its generation read in the same flight as
        the call's next statement and compared before the COMMIT (``check_snapshots``). A
        project's key never changes, so statements built on it are right either way."""
        cursor = self._new_cursor()
        self.execute(_GENERATION, {"project_id": project_id}, cursor)
        self.in_flight.checks.append((cursor, project_id, kept.generation))
        # What else keys a cache on the generation (the webhook outbox) trusts it too: it is
        # checked before the COMMIT, and the call runs again if it was old.
        self.generations[project_id] = kept.generation
        return kept

    def snapshot_at(self, project_id: str, pk: int, generation: int) -> ProjectSnapshot:
        """``snapshot`` for a caller that read the project's ``pk`` and ``generation`` itself
        (in a statement it needed anyway)."""
        self.generations[project_id] = generation
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
        from halcrm.db.models import Stage

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
        *,
        company_ids: Sequence[str] | None = None,
        deleted_company_ids: Sequence[str] | None = None,
        conversation_id: str | None = None,
        task_id: str | None = None,
    ) -> None:
        """Stores a domain event in this transaction; it is published after the commit.

        ``at`` is when it happened, if not the transaction's time (a company's own clock);
        ``data`` its display-only extras; the keywords its typed fields (stored in ``data``)."""
        if data and not TYPED_KEYS.isdisjoint(data):  # no reader looks for them in data
            raise ValueError(f"{sorted(TYPED_KEYS & data.keys())}: keyword arguments, not data")
        event = DomainEvent(
            id=0,  # its key, once the database gave it (below)
            project_id=project.id,
            kind=kind,
            at=at or self.now,
            source=source,
            summary=summary[:500],
            company_id=company.id if company else None,
            company_name=company.name if company else None,
            data=dict(data or {}),
            company_ids=None if company_ids is None else tuple(company_ids),
            deleted_company_ids=None if deleted_company_ids is None else tuple(deleted_company_ids),
            conversation_id=conversation_id,
            task_id=task_id,
        )
        # Its webhook deliveries, named in its row (no endpoint: no column, the same statement).
        hooks = None if self.outbox is None else self.outbox.named(self, project, event)
        values = activity_row(project.pk, event, hooks)
        if not self.is_sqlite:
            # The key is read after the pipeline's last flight (event_keys); the SQLite
            # writer publishes its own events, PostgreSQL's follower reads them back.
            values["ordinal_"] = len(self.in_flight.events)
            cursor = self._new_cursor()
            self.execute(record_at_position(frozenset(values) - {"ordinal_"}), values, cursor)
            self.in_flight.events.append(cursor)
        else:
            stmt = insert_returning(_ACTIVITY, frozenset(values), (_ACTIVITY.c.pk,))
            row = self.first(stmt, values)
            assert row is not None
            event = dataclasses.replace(event, id=row[0])
            self._events.append(event)

    def committed_events(self) -> list[DomainEvent]:
        return list(self._events)
