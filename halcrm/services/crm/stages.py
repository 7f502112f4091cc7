"""``Stages``: the pipeline's stages: create, rename, reorder, delete (only when empty)."""

from __future__ import annotations

import re

from msgspec import UNSET
from sqlalchemy import func, select

from halcrm.db.models import Company, Project, Stage
from halcrm.db.records import StageRow
from halcrm.db.tx import Tx
from halcrm.domain.errors import Conflict, InvalidRequest
from halcrm.domain.events import EventKind
from halcrm.domain.stages import Source, StageKind, resolve_stage
from halcrm.domain.words import count
from halcrm.services.area import Area, reads, writes
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
    project: Project,
    body: StageCreate,
    source: Source = Source.ACCOUNT_API,
    stage_id: str | None = None,
) -> StageRecord:
    """Adds a stage in the caller's transaction (an import adds many in one).

    ``stage_id`` keeps the id a stage had in another database (an import of halcrm's own
    export) when no stage of this project holds it; otherwise the id is made from the name.
    """
    check_stall(body.kind, body.stall_after_days)
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


def update_in(
    tx: Tx,
    project: Project,
    stage_ref: str,
    patch: StagePatch,
    source: Source = Source.ACCOUNT_API,
) -> StageRecord:
    """Edits a stage in the caller's transaction (an import edits many in one)."""
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


class Stages(Area):
    """The pipeline of one project."""

    @reads
    def all(self, tx: Tx) -> Page[StageRecord]:
        return Page(items=[stage_record(s) for s in tx.stage_rows(self.project(tx))])

    @writes
    def create(self, tx: Tx, body: StageCreate) -> StageRecord:
        return create_in(tx, self.project(tx), body)

    @writes
    def update(
        self, tx: Tx, stage: str, patch: StagePatch, source: Source = Source.ACCOUNT_API
    ) -> StageRecord:
        return update_in(tx, self.project(tx), stage, patch, source)

    @writes
    def delete(self, tx: Tx, stage: str) -> Deleted:
        """Deletes an empty stage (one holding companies is a ``Conflict``)."""
        project = self.project(tx)
        stages = tx.editable_stages(project)
        info = resolve_stage(tx.stages(project), stage)
        row = next(s for s in stages if s.id == info.id)
        held = tx.session.scalar(select(func.count()).where(Company.stage_pk == row.pk))
        if held:
            raise Conflict(
                f"stage {row.name!r} still holds {count(held, 'company')}; move them first",
                code="stage_not_empty",
            )
        stages.remove(row)
        _renumber(stages)
        tx.session.delete(row)
        tx.record(
            project, EventKind.STAGES_CHANGED, Source.ACCOUNT_API, f"stage {row.name} deleted"
        )
        return Deleted(id=row.id)
