"""``halcrm import`` of a stages file: the pipeline made to match it, in one transaction.

The file is read and every row checked first (``stage_plan``); then, in one write transaction,
the rows are planned against the pipeline as it is and applied through the stage rules of
``services.crm.stages`` (``update_in``, ``create_in``: the checks and renumbering of the stages
route), edits before creations so a name a renamed stage gives up can be taken. Any rejected
row refuses the whole file unless ``partial``; a dry run plans in a read-only transaction.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from halcrm.db.models import Project
from halcrm.db.tx import Tx
from halcrm.domain.errors import InvalidRequest
from halcrm.domain.events import EventKind
from halcrm.domain.stages import Source
from halcrm.domain.words import count
from halcrm.services.crm import stages
from halcrm.services.crm.inputs import StagePatch
from halcrm.services.crm.transfer import source
from halcrm.services.crm.transfer.report import (
    Counts,
    ImportOptions,
    ImportRefused,
    ImportReport,
    Rejection,
)
from halcrm.services.crm.transfer.stage_plan import (
    Plan,
    Rejected,
    StageIn,
    Step,
    edits,
    fields_of,
    placed,
    plan,
    read_row,
)


def is_stages_file(header: list[str]) -> bool:
    return fields_of(header) is not None


@dataclass
class _File:
    """The rows read from the file, and those refused on reading."""

    name: str
    rows: list[StageIn] = field(default_factory=list)
    refused: list[Rejection] = field(default_factory=list)
    count: int = 0
    ignored: list[str] = field(default_factory=list)


def _read(path: Path, delimiter: str | None) -> _File:
    found = _File(path.name)
    records = source.records(path, delimiter)
    _, header = next(records)
    fields = fields_of(header)
    assert fields is not None
    labels = [column.strip().lstrip("\ufeff") for column in header]
    columns = {name: label for name, label in zip(fields, labels, strict=True) if name}
    found.ignored = [label for name, label in zip(fields, labels, strict=True) if not name]
    for number, cells in records:
        try:
            row = read_row(number, cells, fields)
        except Rejected as exc:
            found.count += 1
            found.refused.append(Rejection(number, columns.get(exc.field, exc.field), exc.reason))
            continue
        if row is not None:
            found.count += 1
            found.rows.append(row)
    return found


def _report(file: _File, planned: Plan, options: ImportOptions) -> ImportReport:
    report = ImportReport(file=file.name, dry_run=options.dry_run, rows=file.count)
    report.ignored_columns = file.ignored
    report.rejected = sorted([*file.refused, *planned.rejected], key=lambda r: r.row)
    report.stages_untouched = planned.untouched
    counts = report.stages = Counts()
    for step in planned.steps:
        setattr(counts, step.status, getattr(counts, step.status) + 1)
    return report


def _apply(tx: Tx, project: Project, planned: Plan) -> None:
    current = tx.stages(project)
    for stage_id, patch in edits(current, planned.steps):
        stages.update_in(tx, project, stage_id, patch, Source.IMPORT)
    waiting: list[Step] = [step for step in planned.steps if step.row.body.position is None]
    for step in [*placed(planned.steps), *(s for s in waiting if s.stage is None)]:
        body = step.row.body
        if step.stage is None:
            stages.create_in(tx, project, body, Source.IMPORT, stage_id=step.row.id)
        elif step.moves:
            assert body.position is not None  # only placed rows move
            moved = StagePatch(position=body.position)
            stages.update_in(tx, project, step.stage.id, moved, Source.IMPORT)


def _record(tx: Tx, project: Project, report: ImportReport) -> None:
    counts = report.stages
    assert counts is not None
    tx.record(
        project,
        EventKind.IMPORTED,
        Source.IMPORT.value,
        f"import of {report.file}: {count(counts.new, 'stage')} new, {counts.updated} updated, "
        f"{count(len(report.rejected), 'row')} rejected",
        data={
            "file": report.file,
            "created": counts.new,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "rejected": len(report.rejected),
            "stages": counts.as_dict(),
        },
    )


async def read(path: Path, options: ImportOptions) -> StagesImport:
    """The stages file ``path`` read and its rows checked (off the event loop), to apply."""
    if options.maps:
        raise InvalidRequest(
            "--map applies to files of companies and contacts; a stages file has its own "
            "columns (those of halcrm export stages)",
            field="map",
        )
    return StagesImport(await asyncio.to_thread(_read, path, options.delimiter), options)


@dataclass(frozen=True)
class StagesImport:
    """A stages file read, made to match the pipeline in one transaction (see the module doc)."""

    file: _File
    options: ImportOptions

    def run(self, tx: Tx, project: Project) -> ImportReport:
        """Plans the rows against the pipeline as it is; applies them unless a dry run."""
        planned = plan(tx.stages(project), self.file.rows)
        report = _report(self.file, planned, self.options)
        if self.options.dry_run:
            return report
        if report.rejected and not self.options.partial:
            raise ImportRefused(report)
        _apply(tx, project, planned)
        _record(tx, project, report)
        report.applied = True
        return report
