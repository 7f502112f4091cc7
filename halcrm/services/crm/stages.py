"""Pipeline stage management: create, rename, reorder, delete (only when empty)."""

from __future__ import annotations

import re

from msgspec import UNSET
from sqlalchemy import func, select

from halcrm.db.models import Company, Project, Stage
from halcrm.db.records import StageRow
from halcrm.db.tx import Tx
from halcrm.db.writer import Database
from halcrm.domain.errors import Conflict, InvalidRequest
from halcrm.domain.events import EventKind
from halcrm.domain.stages import Source, StageKind, resolve_stage
from halcrm.domain.words import count
from halcrm.services.crm.inputs import StageCreate, StagePatch
from halcrm.services.crm.records import Deleted, StageRecord
from halcrm.services.page import Page


def stage_record(stage: Stage | StageRow) -> StageRecord:
    return StageRecord(
        id=stage.id,
        name=stage.name,
        position=stage.position,
        kind=stage.kind,
        probability=stage.probability,
        stall_after_days=stage.stall_after_days,
    )


async def list_stages(db: Database, project_id: str) -> Page[StageRecord]:
    def work(tx: Tx) -> Page[StageRecord]:
        project = tx.project(project_id)
        return Page(items=[stage_record(s) for s in tx.stage_rows(project)])

    return await db.read(work)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:50] or "stage"


def _check_name(tx: Tx, project: Project, name: str, but: Stage | None) -> str:
    name = name.strip()
    if not name:
        raise InvalidRequest("stage name must not be blank", field="name")
    for stage in tx.stage_rows(project):
        if stage.name.casefold() == name.casefold() and (but is None or stage.pk != but.pk):
            raise Conflict(f"a stage named {stage.name!r} exists already", code="already_exists")
    return name


def _renumber(stages: list[Stage]) -> None:
    for position, stage in enumerate(stages):
        stage.position = position


def check_stall(kind: str, stall_after_days: int | None) -> None:
    """A stall limit belongs to an open stage (an import checks its rows with this too)."""
    if kind != StageKind.OPEN and stall_after_days is not None:
        raise InvalidRequest(
            "stall_after_days applies to open stages only", field="stall_after_days"
        )


def create_in(
    tx: Tx,
    project_id: str,
    body: StageCreate,
    source: Source = Source.ACCOUNT_API,
    stage_id: str | None = None,
) -> StageRecord:
    """Adds a stage in the caller's transaction (an import adds many in one).

    ``stage_id`` keeps the id a stage had in another database (an import of halcrm's own
    export) when no stage of this project holds it; otherwise the id is made from the name.
    """
    check_stall(body.kind, body.stall_after_days)
    project = tx.project(project_id)
    name = _check_name(tx, project, body.name, None)
    stages = tx.editable_stages(project)
    ids = {s.id for s in stages}
    if stage_id is None or stage_id in ids:
        stage_id = base = _slug(name)
        n = 2
        while stage_id in ids:
            stage_id, n = f"{base}-{n}", n + 1
    default_probability = {"won": 100, "lost": 0}.get(body.kind, 0)
    stage = Stage(
        id=stage_id,
        project_pk=project.pk,
        name=name,
        name_key=name.casefold(),
        position=0,
        kind=body.kind,
        probability=body.probability if body.probability is not None else default_probability,
        stall_after_days=body.stall_after_days,
    )
    position = len(stages) if body.position is None else min(body.position, len(stages))
    stages.insert(position, stage)
    _renumber(stages)
    tx.session.add(stage)
    tx.session.flush()
    tx.record(project, EventKind.STAGES_CHANGED, source, f"stage {name} added")
    return stage_record(stage)


async def create(db: Database, project_id: str, body: StageCreate) -> StageRecord:
    check_stall(body.kind, body.stall_after_days)  # refused before the writer is asked
    return await db.write(lambda tx: create_in(tx, project_id, body))


def update_in(
    tx: Tx,
    project_id: str,
    stage_ref: str,
    patch: StagePatch,
    source: Source = Source.ACCOUNT_API,
) -> StageRecord:
    """Edits a stage in the caller's transaction (an import edits many in one)."""
    project = tx.project(project_id)
    stages = tx.editable_stages(project)
    info = resolve_stage(tx.stages(project), stage_ref)
    stage = next(s for s in stages if s.id == info.id)
    if patch.name is not UNSET:
        stage.name = _check_name(tx, project, patch.name, stage)
        stage.name_key = stage.name.casefold()
    if patch.kind is not UNSET:
        stage.kind = patch.kind
        if patch.kind != StageKind.OPEN and patch.stall_after_days is UNSET:
            stage.stall_after_days = None
    if patch.probability is not UNSET:
        stage.probability = patch.probability
    if patch.stall_after_days is not UNSET:
        stage.stall_after_days = patch.stall_after_days
    check_stall(stage.kind, stage.stall_after_days)
    if patch.position is not UNSET:
        stages.remove(stage)
        stages.insert(min(patch.position, len(stages)), stage)
        _renumber(stages)
    tx.record(project, EventKind.STAGES_CHANGED, source, f"stage {stage.name} edited")
    return stage_record(stage)


async def update(
    db: Database,
    project_id: str,
    stage_ref: str,
    patch: StagePatch,
    source: Source = Source.ACCOUNT_API,
) -> StageRecord:
    return await db.write(lambda tx: update_in(tx, project_id, stage_ref, patch, source))


async def delete_stage(db: Database, project_id: str, stage_ref: str) -> Deleted:
    def work(tx: Tx) -> Deleted:
        project = tx.project(project_id)
        stages = tx.editable_stages(project)
        info = resolve_stage(tx.stages(project), stage_ref)
        stage = next(s for s in stages if s.id == info.id)
        held = tx.session.scalar(select(func.count()).where(Company.stage_pk == stage.pk))
        if held:
            raise Conflict(
                f"stage {stage.name!r} still holds {count(held, 'company')}; move them first",
                code="stage_not_empty",
            )
        stages.remove(stage)
        _renumber(stages)
        tx.session.delete(stage)
        tx.record(
            project, EventKind.STAGES_CHANGED, Source.ACCOUNT_API, f"stage {stage.name} deleted"
        )
        return Deleted(id=stage.id)

    return await db.write(work)
