"""``Projects``: creation with the default pipeline, and their settings."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from msgspec import UNSET
from sqlalchemy import select

from halcrm.db.models import Project, Stage
from halcrm.db.tx import Tx
from halcrm.domain.due import zone
from halcrm.domain.errors import Conflict, InvalidRequest
from halcrm.domain.events import EventKind
from halcrm.domain.stages import DEFAULT_PIPELINE, Source, StageKind, resolve_stage
from halcrm.services.area import Area, reads, writes
from halcrm.services.crm.inputs import ProjectPatch
from halcrm.services.crm.records import ProjectRecord
from halcrm.services.page import Page
from halcrm.services.tasks.area import move_all_day


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


def project_record(
    project: Project, *, with_secret: bool, stages: Sequence[Stage] = ()
) -> ProjectRecord:
    names = {s.id: s.name for s in stages}
    record = ProjectRecord(
        id=project.id,
        name=project.name,
        stage_update_mode=project.stage_update_mode,
        identity_verification=project.identity_verification,
        time_zone=project.time_zone or "UTC",
        # Kept by stage id (a rename keeps the hint); a deleted stage's hint is left out.
        stage_hints={
            m: names[sid] for m, sid in (project.stage_hints or {}).items() if sid in names
        },
    )
    if with_secret:
        record.secret = project.secret
    return record


class Projects(Area):
    """The database's projects; ``get`` and ``update`` are this area's own."""

    @reads
    def all(self, tx: Tx) -> Page[ProjectRecord]:
        """Every project of the database, oldest first (settings without their secrets)."""
        rows = tx.session.scalars(select(Project).order_by(Project.pk))
        return Page(items=[project_record(p, with_secret=False) for p in rows])

    @reads
    def get(self, tx: Tx) -> ProjectRecord:
        """This area's project."""
        project = self.project(tx)
        return project_record(project, with_secret=True, stages=tx.editable_stages(project))

    @writes
    def update(self, tx: Tx, patch: ProjectPatch) -> ProjectRecord:
        project = self.project(tx)
        changed: dict[str, Any] = {}
        for field in ("name", "stage_update_mode", "identity_verification"):
            value = getattr(patch, field)
            if value is not UNSET and getattr(project, field) != value:
                setattr(project, field, value)
                changed[field] = value
        changed.update(_next_step_settings(tx, project, patch))
        if changed:
            tx.record(
                project,
                EventKind.PROJECT_UPDATED,
                Source.ACCOUNT_API,
                "project settings changed",
                data=changed,
            )
        return project_record(project, with_secret=False, stages=tx.editable_stages(project))

    @writes
    def create(self, tx: Tx, project_id: str, name: str | None = None) -> ProjectRecord:
        """A new project with the default pipeline (409 when the id is taken)."""
        check_project_id(project_id)
        # The write answers the record itself: the answer stored for an Idempotency-Key.
        project = _add_project(tx, project_id, name, None)
        if project is None:
            raise Conflict(
                f"a project with id {project_id!r} exists already", code="already_exists"
            )
        return project_record(project, with_secret=True)

    @writes
    def ensure(
        self,
        tx: Tx,
        project_id: str | None = None,
        stall_defaults: Mapping[str, int] | None = None,
    ) -> bool:
        """Creates the project (this area's unless ``project_id`` names another) with the
        default pipeline when it does not exist yet; True when it was created now.

        ``stall_defaults``: days before a deal stalls, by stage name or id, overriding the
        built-in defaults for the new project's open stages.
        """
        found = _add_project(tx, project_id or self.project_id, None, stall_defaults)
        return found is not None


def _next_step_settings(tx: Tx, project: Project, patch: ProjectPatch) -> dict[str, Any]:
    """The time zone (an unknown name: 400) and the stage hints (an unknown stage: 400)."""
    changed: dict[str, Any] = {}
    if patch.time_zone is not UNSET and patch.time_zone != project.time_zone:
        zone(patch.time_zone)
        move_all_day(tx, project, patch.time_zone)
        project.time_zone = changed["time_zone"] = patch.time_zone
    if patch.stage_hints is not UNSET:
        infos = tx.stages(project)
        hints = {m: resolve_stage(infos, ref).id for m, ref in patch.stage_hints.items()}
        if hints != (project.stage_hints or {}):
            project.stage_hints = hints
            changed["stage_hints"] = sorted(hints)
    return changed


PROJECT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_project_id(project_id: str) -> None:
    if not PROJECT_ID.match(project_id):
        raise InvalidRequest(
            "a project id is 1-64 letters, digits, '_', '.' or '-', starting with a letter or "
            "digit",
            field="id",
        )
