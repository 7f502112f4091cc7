"""Projects: creation with the default pipeline, and their settings."""

from __future__ import annotations

import secrets

from msgspec import UNSET
from sqlalchemy import select

from halcrm.db.models import Project, Stage
from halcrm.domain.events import EventKind
from halcrm.domain.stages import DEFAULT_PIPELINE, Source
from halcrm.services.inputs import ProjectPatch
from halcrm.services.records import ProjectRecord
from halcrm.services.tx import Tx
from halcrm.services.uow import Database


async def ensure_project(db: Database, project_id: str, name: str | None = None) -> bool:
    """Creates the project with the default pipeline when it does not exist yet.

    Returns:
        True when the project was created now.
    """

    async def work(tx: Tx) -> bool:
        found = await tx.session.scalar(select(Project.pk).where(Project.id == project_id))
        if found is not None:
            return False
        project = Project(
            id=project_id,
            name=name or project_id,
            stage_update_mode="advance_only",
            identity_verification="off",
            secret=secrets.token_hex(32),
            created_at=tx.now,
        )
        tx.session.add(project)
        await tx.session.flush()
        for position, stage in enumerate(DEFAULT_PIPELINE):
            tx.session.add(
                Stage(
                    id=stage.id,
                    project_pk=project.pk,
                    name=stage.name,
                    name_key=stage.name.casefold(),
                    position=position,
                    kind=stage.kind.value,
                    probability=stage.probability,
                    stall_after_days=stage.stall_after_days,
                )
            )
        return True

    return await db.write(work)


def project_record(project: Project, *, with_secret: bool) -> ProjectRecord:
    record = ProjectRecord(
        id=project.id,
        name=project.name,
        stage_update_mode=project.stage_update_mode,
        identity_verification=project.identity_verification,
    )
    if with_secret:
        record.secret = project.secret
    return record


async def get_project(db: Database, project_id: str) -> ProjectRecord:
    async def work(tx: Tx) -> ProjectRecord:
        return project_record(await tx.project(project_id), with_secret=True)

    return await db.read(work)


async def update_project(
    db: Database, project_id: str, patch: ProjectPatch, source: Source = Source.ACCOUNT_API
) -> ProjectRecord:
    async def work(tx: Tx) -> ProjectRecord:
        project = await tx.project(project_id)
        changed: dict[str, str] = {}
        for field in ("name", "stage_update_mode", "identity_verification"):
            value = getattr(patch, field)
            if value is not UNSET and getattr(project, field) != value:
                setattr(project, field, value)
                changed[field] = value
        if changed:
            tx.record(
                project, EventKind.PROJECT_UPDATED, source, "project settings changed", data=changed
            )
        return project_record(project, with_secret=False)

    return await db.write(work)
