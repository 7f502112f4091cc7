"""Projects: creation with the default pipeline, and their settings."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

from msgspec import UNSET
from sqlalchemy import select

from halcrm.db.models import Project, Stage
from halcrm.db.tx import Tx
from halcrm.db.writer import Database
from halcrm.domain.errors import Conflict, InvalidRequest
from halcrm.domain.events import EventKind
from halcrm.domain.stages import DEFAULT_PIPELINE, Source, StageKind
from halcrm.services.crm.inputs import ProjectPatch
from halcrm.services.crm.records import ProjectRecord
from halcrm.services.page import Page


async def ensure_project(
    db: Database,
    project_id: str,
    name: str | None = None,
    stall_defaults: Mapping[str, int] | None = None,
) -> bool:
    """Creates the project with the default pipeline when it does not exist yet.

    Args:
        stall_defaults: Days before a deal stalls, by stage name or id, overriding the
            built-in defaults for the new project's open stages.

    Returns:
        True when the project was created now.
    """

    def work(tx: Tx) -> bool:
        return _add_project(tx, project_id, name, stall_defaults) is not None

    return await db.write(work)


def _add_project(
    tx: Tx, project_id: str, name: str | None, stall_defaults: Mapping[str, int] | None
) -> Project | None:
    """The project with the default pipeline, added now; None when it exists already."""
    found = tx.session.scalar(select(Project.pk).where(Project.id == project_id))
    if found is not None:
        return None
    project = Project(
        id=project_id,
        name=name or project_id,
        stage_update_mode="advance_only",
        identity_verification="off",
        secret=secrets.token_hex(32),
        created_at=tx.now,
    )
    tx.session.add(project)
    tx.session.flush()
    overrides = {k.casefold(): v for k, v in (stall_defaults or {}).items()}
    for position, stage in enumerate(DEFAULT_PIPELINE):
        stall = stage.stall_after_days
        if stage.kind == StageKind.OPEN:
            stall = overrides.get(stage.name.casefold(), overrides.get(stage.id, stall))
        tx.session.add(
            Stage(
                id=stage.id,
                project_pk=project.pk,
                name=stage.name,
                name_key=stage.name.casefold(),
                position=position,
                kind=stage.kind.value,
                probability=stage.probability,
                stall_after_days=stall,
            )
        )
    return project


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
    def work(tx: Tx) -> ProjectRecord:
        return project_record(tx.project(project_id), with_secret=True)

    return await db.read(work)


async def update_project(
    db: Database, project_id: str, patch: ProjectPatch, source: Source = Source.ACCOUNT_API
) -> ProjectRecord:
    def work(tx: Tx) -> ProjectRecord:
        project = tx.project(project_id)
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


async def create_project(
    db: Database,
    project_id: str,
    name: str | None = None,
    stall_defaults: Mapping[str, int] | None = None,
) -> ProjectRecord:
    """A new project with the default pipeline (409 when the id is taken)."""
    check_project_id(project_id)

    def work(tx: Tx) -> ProjectRecord:
        # The write answers the record itself: the answer stored for an Idempotency-Key.
        project = _add_project(tx, project_id, name, stall_defaults)
        if project is None:
            raise Conflict(
                f"a project with id {project_id!r} exists already", code="already_exists"
            )
        return project_record(project, with_secret=True)

    return await db.write(work)


async def list_projects(db: Database) -> Page[ProjectRecord]:
    """Every project of the database, oldest first (settings without their secrets)."""

    def work(tx: Tx) -> Page[ProjectRecord]:
        rows = tx.session.scalars(select(Project).order_by(Project.pk))
        return Page(items=[project_record(p, with_secret=False) for p in rows])

    return await db.read(work)


PROJECT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_project_id(project_id: str) -> None:
    if not PROJECT_ID.match(project_id):
        raise InvalidRequest(
            "a project id is 1-64 letters, digits, '_', '.' or '-', starting with a letter or "
            "digit",
            field="id",
        )
