"""``halcrm import`` of next steps: halcrm's own tasks file (``halcrm export tasks``) or
Pipedrive's activities export (Subject, Type, Due date, Organization, Done), told by header.

Rows are read and checked first (title, kind, due, status); then, in one transaction, each is
matched (a halcrm row by its task id, else created; its company by id, a Pipedrive row's by
organization name) and written through the tasks rules (``create_in``, ``update_in``) with one
``imported`` event for the file. A row whose company is unknown or whose contact is not linked
is rejected with its row, column and reason; any rejected row refuses the whole file unless
``partial``; a dry run plans in a read-only transaction.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from msgspec import UNSET
from sqlalchemy import func, select

from halcrm.db.models import Company, Contact, ContactCompany, Project, Task
from halcrm.db.tx import Tx
from halcrm.domain.due import parse_due, zone
from halcrm.domain.errors import InvalidRequest
from halcrm.domain.events import EventKind
from halcrm.domain.stages import Source
from halcrm.domain.words import count
from halcrm.services.crm.transfer.report import (
    Counts,
    ImportOptions,
    ImportRefused,
    ImportReport,
    Rejection,
)
from halcrm.services.crm.transfer.task_file import Bad, TaskIn, TasksFile, read_file
from halcrm.services.tasks.area import create_in, update_in
from halcrm.services.tasks.inputs import TaskCreate, TaskPatch


@dataclass
class _Planned:
    row: TaskIn
    company_id: str
    due: str
    task: Task | None


class _Match:
    """The file's companies, tasks and contacts, read once per import."""

    def __init__(self, tx: Tx, project: Project, rows: list[TaskIn]) -> None:
        self.tx, self.project = tx, project
        session, pk = tx.session, project.pk
        ids = {r.company_id for r in rows if r.company_id}
        names = {r.organization.casefold() for r in rows if r.organization}
        self.by_id = dict(
            session.execute(
                select(Company.id, Company.pk).where(Company.project_pk == pk, Company.id.in_(ids))
            ).all()
        )
        self.by_name: dict[str, list[str]] = {}
        for cid, name in session.execute(
            select(Company.id, Company.name).where(
                Company.project_pk == pk, func.lower(Company.name).in_(names)
            )
        ):
            self.by_name.setdefault(name.casefold(), []).append(cid)
        task_ids = {r.id for r in rows if r.id}
        self.tasks = {
            t.id: t
            for t in session.scalars(
                select(Task).where(Task.project_pk == pk, Task.id.in_(task_ids))
            )
        }

    def company(self, row: TaskIn) -> str:
        if row.company_id is not None:
            if row.company_id not in self.by_id:
                raise Bad("company_id", f"no company with id {row.company_id!r}")
            return row.company_id
        assert row.organization is not None
        found = self.by_name.get(row.organization.casefold(), [])
        if len(found) != 1:
            why = "no company is named" if not found else f"{len(found)} companies are named"
            raise Bad("organization", f"{why} {row.organization!r}")
        return found[0]

    def same_pipedrive_task(self, company_id: str, title: str, due: str) -> Task | None:
        """A Pipedrive row imported before: the company's task of that title and due."""
        return self.tx.session.scalar(
            select(Task)
            .join(Company, Company.pk == Task.company_pk)
            .where(
                Task.project_pk == self.project.pk,
                Company.id == company_id,
                Task.title == title,
                Task.due == due,
            )
            .limit(1)
        )

    def check_contact(self, contact_id: str | None, company_id: str) -> None:
        if contact_id is None:
            return
        linked = self.tx.session.scalar(
            select(ContactCompany.contact_pk)
            .join(Contact, Contact.pk == ContactCompany.contact_pk)
            .where(
                Contact.project_pk == self.project.pk,
                Contact.id == contact_id,
                ContactCompany.company_pk == self.by_id[company_id],
            )
        )
        if linked is None:
            raise Bad("contact_id", f"contact {contact_id!r} is not linked to {company_id!r}")


def _due(row: TaskIn, tz_name: str) -> str:
    """The due as the task keeps it; a Pipedrive date with a time becomes a local date-time."""
    due = row.due
    if row.time:
        hours, minutes = row.time.split(":")[:2]
        due = f"{row.due}T{int(hours):02d}:{minutes}:00"
        try:
            local = datetime.fromisoformat(due).replace(tzinfo=zone(tz_name))
        except ValueError:
            raise Bad("due", f"not a date and time: {row.due} {row.time}") from None
        due = local.isoformat()
    try:
        parse_due(due, zone(tz_name))
    except InvalidRequest as exc:
        raise Bad("due", exc.detail) from None
    return due


def _plan(tx: Tx, project: Project, file: TasksFile) -> tuple[list[_Planned], list[Rejection]]:
    match = _Match(tx, project, file.rows)
    planned, rejected = [], list(file.refused)
    for row in file.rows:
        try:
            due = _due(row, project.time_zone)
            company_id = match.company(row)
            if row.company_id is not None:
                match.check_contact(row.contact_id, company_id)
            task = match.tasks.get(row.id) if row.id else None
            if task is None and row.id is None:
                task = match.same_pipedrive_task(company_id, row.title, due)
        except Bad as exc:
            column = file.columns.get(exc.column, exc.column)
            rejected.append(Rejection(row.number, column, exc.reason))
            continue
        planned.append(_Planned(row, company_id, due, task))
    return planned, sorted(rejected, key=lambda r: r.row)


def _unchanged(step: _Planned, contact_pk: int | None) -> bool:
    task, row = step.task, step.row
    assert task is not None
    status = "done" if row.done else "open"
    return (task.title, task.due, task.kind, task.notes, task.status) == (
        row.title, step.due, row.kind, row.notes, status,
    ) and (row.company_id is None or task.contact_pk == contact_pk)  # fmt: skip


def _apply(tx: Tx, project: Project, step: _Planned, counts: Counts, write: bool) -> None:
    row = step.row
    if step.task is None:
        counts.new += 1
        if write:
            body = TaskCreate(
                id=row.id, company_id=step.company_id, title=row.title, due=step.due,
                kind=row.kind, contact_id=row.contact_id, notes=row.notes,  # type: ignore[arg-type]
            )  # fmt: skip
            made = create_in(tx, project, body, Source.IMPORT, quiet=True)
            if row.done:  # history brought in: done then, not founder activity now
                task = tx.session.scalar(
                    select(Task).where(Task.project_pk == project.pk, Task.id == made.id)
                )
                assert task is not None
                task.status, task.done_at = "done", tx.now
        return
    contact_pk = None
    if row.contact_id is not None:
        contact_pk = tx.session.scalar(
            select(Contact.pk).where(Contact.project_pk == project.pk, Contact.id == row.contact_id)
        )
    if _unchanged(step, contact_pk):
        counts.unchanged += 1
        return
    counts.updated += 1
    if write:
        patch = TaskPatch(
            title=row.title, due=step.due, kind=row.kind, notes=row.notes,  # type: ignore[arg-type]
            status="done" if row.done else "open",
            contact_id=row.contact_id if row.company_id is not None else UNSET,
        )  # fmt: skip
        update_in(tx, project, step.task.id, patch, Source.IMPORT, quiet=True)


def _record(tx: Tx, project: Project, report: ImportReport) -> None:
    counts = report.tasks
    assert counts is not None
    tx.record(
        project,
        EventKind.IMPORTED,
        Source.IMPORT.value,
        f"import of {report.file}: {count(counts.new, 'task')} new, {counts.updated} updated, "
        f"{count(len(report.rejected), 'row')} rejected",
        data={
            "file": report.file,
            "created": counts.new,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "rejected": len(report.rejected),
            "tasks": counts.as_dict(),
        },
    )


async def read(path: Path, options: ImportOptions) -> TasksImport:
    """The tasks file ``path`` read and its rows checked (off the event loop), to apply."""
    if options.maps:
        raise InvalidRequest(
            "--map applies to files of companies and contacts; a tasks file has its own columns",
            field="map",
        )
    return TasksImport(await asyncio.to_thread(read_file, path, options.delimiter), options)


@dataclass(frozen=True)
class TasksImport:
    """A tasks file read, imported in one transaction (see the module doc)."""

    file: TasksFile
    options: ImportOptions

    def run(self, tx: Tx, project: Project) -> ImportReport:
        """Matches every row and writes it (a dry run writes nothing)."""
        file, options = self.file, self.options
        report = ImportReport(file=file.name, dry_run=options.dry_run, rows=file.count)
        report.ignored_columns = file.ignored
        report.tasks = Counts()
        planned, report.rejected = _plan(tx, project, file)
        write = not options.dry_run and (options.partial or not report.rejected)
        for step in planned:
            _apply(tx, project, step, report.tasks, write)
        if options.dry_run:
            return report
        if report.rejected and not options.partial:
            raise ImportRefused(report)
        _record(tx, project, report)
        report.applied = True
        return report
