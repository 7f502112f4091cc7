"""The transaction handed to service code: the session, the time, and the events it records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from halcrm.db.models import Activity, Company, Project, Stage
from halcrm.domain.errors import UnknownProject
from halcrm.domain.events import DomainEvent, EventKind
from halcrm.domain.stages import StageInfo, StageKind


class Tx:
    """One unit of work. Events recorded here are stored with it and published after commit."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self._activity: list[tuple[Activity, str, EventKind]] = []
        self._projects: dict[str, Project] = {}
        self._stages: dict[int, list[Stage]] = {}
        self.is_sqlite = session.get_bind().dialect.name == "sqlite"

    def locking(self, stmt: Select[Any]) -> Select[Any]:
        """Adds FOR UPDATE where the database has row locks (SQLite serialises writers instead)."""
        if self.is_sqlite:
            return stmt
        return stmt.with_for_update().execution_options(populate_existing=True)

    def project(self, project_id: str) -> Project:
        """Loads a project by id or refuses with ``unknown_project``."""
        cached = self._projects.get(project_id)
        if cached is not None:
            return cached
        project = self.session.scalar(select(Project).where(Project.id == project_id))
        if project is None:
            raise UnknownProject(f"no project with id {project_id!r}")
        self._projects[project_id] = project
        return project

    def stage_rows(self, project: Project) -> list[Stage]:
        rows = self._stages.get(project.pk)
        if rows is None:
            result = self.session.scalars(
                select(Stage).where(Stage.project_pk == project.pk).order_by(Stage.position)
            )
            rows = list(result)
            self._stages[project.pk] = rows
        return rows

    def stages(self, project: Project) -> list[StageInfo]:
        return [stage_info(s) for s in self.stage_rows(project)]

    def forget_stages(self, project: Project) -> None:
        self._stages.pop(project.pk, None)

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
        row = Activity(
            project_pk=project.pk,
            kind=kind.value,
            source=source,
            summary=summary[:500],
            company_id=company.id if company else None,
            company_name=company.name if company else None,
            data=data or {},
            created_at=self.now,
        )
        self.session.add(row)
        self._activity.append((row, project.id, kind))

    def flush_events(self) -> None:
        if self._activity:
            self.session.flush()

    def committed_events(self) -> list[DomainEvent]:
        return [to_domain_event(row, project_id) for row, project_id, _ in self._activity]


def stage_info(stage: Stage) -> StageInfo:
    return StageInfo(
        id=stage.id,
        name=stage.name,
        position=stage.position,
        kind=StageKind(stage.kind),
        probability=stage.probability,
        stall_after_days=stage.stall_after_days,
    )


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
