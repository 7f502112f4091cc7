"""``halcrm import``: a CSV file of companies, contacts or deal rows, in one transaction.

A file is read twice. The first pass checks every row without touching the database (a bad
amount, date, email or stage refuses the whole import before any lock is taken); a strict
import's check keeps the rows it built (``spool``), which the second pass reads back instead
of building them again. The second runs in one write transaction, a batch at a time (the
collector paused, SQLite's page cache larger: ``bulk``): the batch's matches are looked up in memory
(the project's keys are read once), the rows it touches are read in one statement per table,
and its changes are written with a few multi-row statements. A dry run is the second pass in
a read-only transaction with the writes left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from halcrm.db.models import Project, Stage
from halcrm.db.tx import CompanyRef, Tx
from halcrm.domain.errors import InvalidRequest
from halcrm.domain.events import EventKind
from halcrm.domain.stages import Source, StageInfo, StageKind
from halcrm.domain.words import count
from halcrm.services.crm.deal_history import record_deal_value
from halcrm.services.crm.transfer import bulk, columns, deals, source, writes
from halcrm.services.crm.transfer.deferred import Deferred
from halcrm.services.crm.transfer.index import COMPANIES, CONTACTS, Ref, existing_links, fill_values
from halcrm.services.crm.transfer.index import load as load_index
from halcrm.services.crm.transfer.plan import Pending, Planner, StageNames
from halcrm.services.crm.transfer.report import (
    ImportOptions,
    ImportRefused,
    ImportReport,
    Rejection,
)
from halcrm.services.crm.transfer.rows import CompanyIn, RowIn, RowRejected, Stages, build
from halcrm.services.crm.transfer.spool import Spool
from halcrm.services.crm.transfer.stage_create import Creator, order

BATCH = 2000


class _Reader:
    """The file's rows, built and checked; rejected rows go to the report."""

    def __init__(
        self,
        path: Path,
        options: ImportOptions,
        stages: Stages,
        progress: source.Progress | None,
        spool: Spool | None = None,
    ) -> None:
        self.records = source.records(path, options.delimiter, progress, options.max_line)
        self.progress = progress
        self.spool = spool
        try:
            _, header = next(self.records)
        except StopIteration:
            raise InvalidRequest(f"{path.name} is empty", field="file") from None
        self.mapping = columns.detect(header, options.maps)
        self.stages = stages
        self.options = options

    @property
    def deal_file(self) -> bool:
        return self.mapping.has("deal.name", "deal.status")

    def column(self, target: str) -> str:
        for name, header in zip(self.mapping.fields, self.mapping.header, strict=True):
            if name == target:
                return header
        return target

    def rows(self, report: ImportReport) -> Iterator[RowIn]:
        report.ignored_columns = list(self.mapping.ignored)
        if self.spool is not None:
            yield from self._spooled(report)
            return
        check_cancel = self.options.check_cancel
        for number, cells in self.records:
            check_cancel()
            try:
                row = build(number, cells, self.mapping, self.stages)
            except RowRejected as exc:
                report.rows += 1
                report.rejected.append(Rejection(number, exc.column, exc.reason))
                continue
            if row is None:
                continue
            report.rows += 1
            if row.warning:
                report.warnings.append(Rejection(number, "", row.warning))
            yield row

    def _spooled(self, report: ImportReport) -> Iterator[RowIn]:
        """The rows the check built (it kept only those it did not reject: a strict import
        goes on only when it rejected none)."""
        assert self.spool is not None
        self.records.close()  # only its header was needed
        check_cancel = self.options.check_cancel
        for row in self.spool.read(self.progress):
            check_cancel()
            report.rows += 1
            if row.warning:
                report.warnings.append(Rejection(row.number, "", row.warning))
            yield row


def check(
    path: Path,
    options: ImportOptions,
    infos: tuple[StageInfo, ...],
    progress: source.Progress | None = None,
    spool: Spool | None = None,
) -> ImportReport:
    """The first pass: every row built and checked, nothing read from the database; in a deal
    file, the companies with several deals found (refused unless ``merge_deals``). Each row
    built goes to ``spool`` when one is given (the second pass reads them from it)."""
    report = ImportReport(file=path.name, dry_run=options.dry_run)
    stages = Stages(infos, options.create_stages, options.stage_map.targets)
    reader = _Reader(path, options, stages, progress)
    grouper = deals.Grouper() if reader.deal_file else None
    for row in reader.rows(report):
        if spool is not None:
            spool.add(row)
        if grouper is not None:
            grouper.add(row)
    report.spool = spool
    report.checked_emails = stages.emails
    report.checked_stages = stages.new
    report.checked_order = stages.seen
    report.unknown_stages = stages.unknown
    if grouper is not None:
        report.groups = grouper.several()
        if not options.merge_deals:
            firsts = {id(group): group for group in report.groups.values()}.values()
            column = reader.column("company.name")
            report.rejected += [Rejection(g.rows[0], column, deals.refusal(g)) for g in firsts]
            report.rejected.sort(key=lambda r: r.row)
    return report


def _stage_infos(tx: Tx, project_pk: int) -> list[Stage]:
    stmt = select(Stage).where(Stage.project_pk == project_pk).order_by(Stage.position)
    return list(tx.session.scalars(stmt))


def stage_infos(tx: Tx, project: Project) -> tuple[StageInfo, ...]:
    """The project's stages as the first pass checks the rows against them."""
    return tuple(_info(s) for s in _stage_infos(tx, project.pk))


def _info(stage: Stage) -> StageInfo:
    return StageInfo(stage.id, stage.name, stage.position, StageKind(stage.kind))


class _Run:
    """The second pass, inside the call's transaction."""

    def __init__(
        self,
        tx: Tx,
        project: Project,
        path: Path,
        options: ImportOptions,
        progress: source.Progress | None,
        checked: ImportReport | None = None,
    ) -> None:
        self.tx = tx
        self.session = tx.session
        self.project = project
        self.options = options
        self.write = not options.dry_run
        self.report = ImportReport(file=path.name, dry_run=options.dry_run)
        self.stage_rows = _stage_infos(tx, self.project.pk)
        infos = [_info(s) for s in self.stage_rows]
        first = checked or ImportReport(file=path.name)
        self.stages = Stages(
            infos, options.create_stages, options.stage_map.targets, first.checked_stages
        )
        self.stages.emails = first.checked_emails
        self.stages.seen.update(first.checked_order)
        self.groups = first.groups
        # Plain indexes filled after the inserts when the file is large (``deferred``).
        self.deferred = Deferred(tx.session.connection(), first.rows if checked else 0)
        self.merged: list[tuple[RowIn, deals.Group]] = []
        self.names = StageNames(
            {s.id: s.pk for s in self.stage_rows}, {s.pk: (s.id, s.name) for s in self.stage_rows}
        )
        # The check's rows, when it kept them and rejected none (a strict import).
        spool = first.spool if not first.rejected else None
        self.reader = _Reader(path, options, self.stages, progress, spool)
        self.creator = Creator(
            self.session, self.project.pk, self.stage_rows, self.names, options.stage_map,
            self.write,
        )  # fmt: skip
        self.index = load_index(self.session, self.project.pk)
        self.planner = Planner(
            self.index,
            self.names,
            self.project.pk,
            tx.now,
            lambda table, refs: fill_values(self.session, table, refs),
        )

    def run(self) -> ImportReport:
        with bulk.collector_paused(), bulk.page_cache(self.session.connection(), self.write):
            return self._run()

    def _run(self) -> ImportReport:
        batch: list[RowIn] = []
        for row in self.reader.rows(self.report):
            group = self.groups.get(row.number)
            if group is not None and not self._deal(row, group):
                continue
            batch.append(row)
            if len(batch) >= BATCH:
                self._batch(batch)
                batch = []
        self._batch(batch)
        report = self.report
        report.rejected.sort(key=lambda r: r.row)
        report.companies, report.contacts = self.planner.companies, self.planner.contacts
        report.links = self.planner.links
        report.unknown_stages = self.stages.unknown
        if self.write and report.rejected and not self.options.partial:
            raise ImportRefused(report)
        if self.write:
            self._record()
            self.deferred.restore()
            report.applied = True
        self.options.check_cancel()  # the last moment to roll back
        return report

    def _deal(self, row: RowIn, group: deals.Group) -> bool:
        """A row of a company with several deals: refused (its first row says so), or merged
        into the first row (the others only name the company). Whether the row goes on."""
        first = row.number == group.rows[0]
        if not self.options.merge_deals:
            if first:
                column = self.reader.column("company.name")
                self.report.rejected.append(Rejection(row.number, column, deals.refusal(group)))
            return False
        company = row.company
        assert company is not None
        if first:
            company.stage_id, company.deal_cents = deals.merged(group, self._rank())
            self.merged.append((row, group))
        else:
            row.company = CompanyIn(id=company.id, name=company.name, domain=company.domain)
        return True

    def _rank(self) -> dict[str, int]:
        """How far along each stage is: open stages by position, new ones after them."""
        new = {
            f"new:{key}": 10_000 + n
            for n, key in enumerate(order(self.stages.new, self.options.stage_map))
        }
        return {**self.stages.rank, **new}

    def _history(self) -> None:
        """Each merged deal's title, value and status in its company's history."""
        for row, group in self.merged:
            assert row.company is not None
            ref = self.planner.match_company(row.company)
            if ref is None or ref.values is None:
                continue
            keys = CompanyRef(ref.values["id"], ref.values["name"])
            for summary, data in deals.history(group):
                self.tx.record(
                    self.project, EventKind.COMPANY_UPDATED, Source.IMPORT.value, summary,
                    company=keys, data=data,
                )  # fmt: skip
        self.merged = []

    def _batch(self, rows: list[RowIn]) -> None:
        self.creator.create(self.stages.new, list(self.stages.seen))
        self.report.stages_created, self.report.notes = self.creator.created, self.creator.notes
        companies: list[Ref] = []
        contacts: list[Ref] = []
        for row in rows:
            if row.company is not None and not row.company.names_only():
                try:
                    found = self.planner.match_company(row.company)
                except RowRejected:
                    found = None
                if found is not None:
                    companies.append(found)
            person = self.planner.match_contact(row.contact) if row.contact else None
            if person is not None:
                contacts.append(person)
        fill_values(self.session, COMPANIES, companies)
        fill_values(self.session, CONTACTS, contacts)
        self.planner.linked = existing_links(
            self.session, [c.pk for c in contacts if c.pk is not None]
        )
        for row in rows:
            try:
                self.planner.row(row)
            except RowRejected as exc:
                column = self.reader.column(exc.column)
                self.report.rejected.append(Rejection(row.number, column, exc.reason))
        for number, target, note in self.planner.warnings:
            self.report.warnings.append(Rejection(number, self.reader.column(target), note))
        self.planner.warnings.clear()
        pending = self.planner.pending
        if self.write and (self.options.partial or not self.report.rejected):
            conn = self.session.connection()
            if pending.new_companies:
                self.deferred.before_insert(COMPANIES)
            if pending.audits:
                self.deferred.before_insert(writes.STAGE_CHANGES)
            released = writes.write(conn, pending, self.index, self.tx.now)
            self.report.placeholders_released += released
            self._history()
            for ref, before, after in pending.deal_values:
                assert ref.values is not None
                keys = CompanyRef(ref.values["id"], ref.values["name"])
                record_deal_value(self.tx, self.project, keys, before, after, Source.IMPORT.value)
        self._forget(pending, companies, contacts)

    def _forget(self, pending: Pending, *touched: list[Ref]) -> None:
        """Drops the rows read for this batch: memory stays flat over a long file."""
        for refs in (*touched, pending.new_companies, pending.new_contacts):
            for ref in refs:
                ref.values = None
        for ref, _ in (*pending.changed_companies.values(), *pending.changed_contacts.values()):
            ref.values = None
        self.planner.pending = Pending()

    def _record(self) -> None:
        report, project, tx = self.report, self.project, self.tx
        if report.stages_created:
            # Other processes' caches compare this column (db/project_cache.py).
            project.generation = (project.generation or 0) + 1
            names = ", ".join(report.stages_created)
            tx.record(
                project,
                EventKind.STAGES_CHANGED,
                Source.IMPORT.value,
                f"stages {names} added by an import",
            )
        created = report.companies.new + report.contacts.new
        updated = report.companies.updated + report.contacts.updated
        unchanged = report.companies.unchanged + report.contacts.unchanged
        tx.record(
            project,
            EventKind.IMPORTED,
            Source.IMPORT.value,
            f"import of {report.file}: {count(report.companies.new, 'company')} and "
            f"{count(report.contacts.new, 'contact')} new, {updated} updated, "
            f"{count(len(report.rejected), 'row')} rejected",
            data={
                "file": report.file,
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "rejected": len(report.rejected),
                "companies": report.companies.as_dict(),
                "contacts": report.contacts.as_dict(),
                "links": report.links,
            },
        )


@dataclass(frozen=True)
class RowsImport:
    """A file of companies, contacts or deal rows, checked (``check``) when the import is
    strict or a deal file, imported in one transaction (see the module doc)."""

    path: Path
    options: ImportOptions
    progress: source.Progress | None
    checked: ImportReport | None

    def run(self, tx: Tx, project: Project) -> ImportReport:
        """The second pass; a dry run (a read-only transaction) leaves the writes out."""
        return _Run(tx, project, self.path, self.options, self.progress, self.checked).run()
