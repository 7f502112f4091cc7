"""``Transfer``: data in and out of a project: a CSV file imported (companies, contacts and
deals; stages; next steps), and any kind of record exported as CSV or JSON, page by page."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from halcrm.db.models import Project
from halcrm.db.tx import Tx
from halcrm.domain.stages import StageInfo
from halcrm.services.area import Area, reads, writes
from halcrm.services.crm.transfer import export_csv, exporter
from halcrm.services.crm.transfer.report import ImportOptions, ImportRefused, ImportReport

if TYPE_CHECKING:
    from halcrm.services.crm.transfer import source

Progress = Callable[[str, int, int], None]
"""Called with the pass ("checking" or "importing"), bytes read and the file's size."""


class Job(Protocol):
    """A file read (and checked) that an import applies in one transaction."""

    def run(self, tx: Tx, project: Project) -> ImportReport: ...


class Transfer(Area):
    """Imports and exports of one project."""

    async def import_file(
        self, path: Path, options: ImportOptions, progress: Progress | None = None
    ) -> ImportReport:
        """Imports ``path``; a dry run reads only. Without ``partial``, any rejected row
        refuses the whole import (:class:`ImportRefused`, nothing written). A stages file
        (halcrm's ``export stages``, told by its header) makes the pipeline match it
        (``stage_import``); a tasks file imports next steps (``task_import``).

        Several transactions by design: a strict import (or a deal file) is checked first
        against the stages read on their own, off the database threads, so a bad file is
        refused before any lock is taken; the backup (``options.before_write``) runs after
        that check and before the import's own transaction.
        """
        with contextlib.ExitStack() as held:
            job = await self._job(path, options, progress, held)
            if options.dry_run:
                return await self._plan(job)
            return await self._apply(job)

    @writes
    def _apply(self, tx: Tx, job: Job) -> ImportReport:
        return job.run(tx, self.project(tx))

    @reads
    def _plan(self, tx: Tx, job: Job) -> ImportReport:
        """A dry run: the import in a read-only transaction, its writes left out."""
        return job.run(tx, self.project(tx))

    @reads
    def _stage_infos(self, tx: Tx) -> tuple[StageInfo, ...]:
        from halcrm.services.crm.transfer import importer

        return importer.stage_infos(tx, self.project(tx))

    async def _job(
        self,
        path: Path,
        options: ImportOptions,
        progress: Progress | None,
        held: contextlib.ExitStack,
    ) -> Job:
        """The file told by its header, read and (when strict or a deal file) checked; a
        strict check keeps the rows it built for the import (``spool``, closed by ``held``)."""
        # The import's modules are loaded here: an export never needs them.
        from halcrm.services.crm.transfer import (
            columns,
            importer,
            source,
            stage_import,
            task_file,
            task_import,
        )
        from halcrm.services.crm.transfer.spool import Spool

        header = source.header(path, options.delimiter, options.max_line)
        if stage_import.is_stages_file(header):
            await _before_write(options)
            return await stage_import.read(path, options)
        if task_file.is_tasks_file(header):
            await _before_write(options)
            return await task_import.read(path, options)
        strict = not options.dry_run and not options.partial
        checked = None
        # A deal file is read first even when it is not checked: its companies' deals are counted.
        if strict or columns.detect(header, options.maps).has("deal.name", "deal.status"):
            infos = await self._stage_infos()
            checking = _phase(progress, "checking")
            spool = held.enter_context(Spool()) if strict else None
            checked = await asyncio.to_thread(importer.check, path, options, infos, checking, spool)
            if strict and checked.rejected:
                raise ImportRefused(checked)
        await _before_write(options)
        return importer.RowsImport(path, options, _phase(progress, "importing"), checked)

    def export(self, what: str, fmt: str = "csv") -> AsyncIterator[str]:
        """``stages``, ``companies``, ``contacts``, ``activity`` or ``tasks`` as CSV or JSON,
        a page at a time (each page its own short read); an unknown kind or format is refused
        at once, before anything is streamed."""
        exporter.check(what, fmt)
        return exporter.stream(self._export_page, what, fmt, self._export_csv_page)

    @reads
    def _export_page(self, tx: Tx, what: str, after: int) -> exporter.Page:
        return exporter.read_page(tx, self.project_id, what, after)

    @reads
    def _export_csv_page(self, tx: Tx, what: str, after: int) -> export_csv.CsvPage:
        """A page of companies or contacts as CSV cells made by the database."""
        return export_csv.read_csv_page(tx, self.project(tx).pk, what, after)


async def _before_write(options: ImportOptions) -> None:
    if not options.dry_run and options.before_write is not None:
        options.check_cancel()
        await asyncio.to_thread(options.before_write)


def _phase(progress: Progress | None, phase: str) -> source.Progress | None:
    if progress is None:
        return None
    return lambda done, total: progress(phase, done, total)
