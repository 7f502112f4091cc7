"""``Tasks``: the next-step rules (API.md, "Next steps"), written once for the routes, the
board and the ``--connect`` board alike; ``Agenda`` reads the founder's day."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET
from sqlalchemy import delete as sql_delete
from sqlalchemy import select

from halcrm.db.models import Company, Contact, Project, Task
from halcrm.db.tx import Tx
from halcrm.domain.due import day_end, day_start, parse_date, parse_due, zone
from halcrm.domain.errors import (
    Conflict,
    ContactNotLinked,
    InvalidRequest,
    NotFound,
    UnknownCompany,
)
from halcrm.domain.events import EventKind
from halcrm.domain.stages import Source
from halcrm.services.area import Area, reads, writes
from halcrm.services.crm.queries import get_company, get_contact, is_linked
from halcrm.services.crm.records import Deleted
from halcrm.services.ids import new_id
from halcrm.services.page import Page
from halcrm.services.paging import check_limit
from halcrm.services.tasks.inputs import TaskCreate, TaskPatch
from halcrm.services.tasks.queries import (
    decode_cursor,
    encode_cursor,
    task_from_row,
    task_records,
    task_select,
)
from halcrm.services.tasks.records import TaskRecord

STATUSES = ("open", "done", "all")
# Sources a task keeps: who wrote it (a widget never does).
TASK_SOURCES = {Source.BOARD, Source.ACCOUNT_API, Source.IMPORT}


def clean_title(title: str) -> str:
    """The title trimmed: 1-200 characters, or a 400."""
    trimmed = title.strip()
    if not 1 <= len(trimmed) <= 200:
        raise InvalidRequest("title must be 1-200 characters once trimmed", field="title")
    return trimmed


class Tasks(Area):
    """Next steps of one project: create, read, list, edit, complete, reopen, delete, restore."""

    @writes
    def create(self, tx: Tx, body: TaskCreate, source: Source = Source.ACCOUNT_API) -> TaskRecord:
        """A new open next step on ``body.company_id`` (201)."""
        return create_in(tx, self.project(tx), body, source)

    @reads
    def get(self, tx: Tx, task_id: str) -> TaskRecord:
        project = self.project(tx)
        return self._record(tx, project, load_task(tx, project, task_id))

    @writes
    def update(
        self, tx: Tx, task_id: str, patch: TaskPatch, source: Source = Source.ACCOUNT_API
    ) -> TaskRecord:
        """Edits the fields given; ``status`` ``done`` completes it, ``open`` reopens it."""
        return update_in(tx, self.project(tx), task_id, patch, source)

    @writes
    def complete(self, tx: Tx, task_id: str, source: Source = Source.ACCOUNT_API) -> TaskRecord:
        """Marks it done (``update`` with ``status="done"``), named for the board's key."""
        return update_in(tx, self.project(tx), task_id, TaskPatch(status="done"), source)

    @writes
    def reopen(self, tx: Tx, task_id: str, source: Source = Source.ACCOUNT_API) -> TaskRecord:
        """Opens a done task again (the undo of ``complete``)."""
        return update_in(tx, self.project(tx), task_id, TaskPatch(status="open"), source)

    @writes
    def delete(self, tx: Tx, task_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        project = self.project(tx)
        task = load_task(tx, project, task_id, lock=True)
        company = tx.session.get_one(Company, task.company_pk)
        tx.record(
            project,
            EventKind.TASK_DELETED,
            source,
            f"{company.name}: next step {task.title!r} deleted",
            company,
            data={"title": task.title, "due": task.due},
            task_id=task.id,
        )
        tx.session.execute(sql_delete(Task).where(Task.pk == task.pk))
        return Deleted(id=task_id)

    @writes
    def restore(self, tx: Tx, task: TaskRecord, source: Source = Source.BOARD) -> TaskRecord:
        """Puts a deleted task back as it was read (same id, status, times): the board's undo."""
        project = self.project(tx)
        body = TaskCreate(
            id=task.id,
            company_id=task.company_id,
            title=task.title,
            due=task.due,
            kind=task.kind,  # type: ignore[arg-type]
            contact_id=task.contact_id,
            notes=task.notes,
        )
        return create_in(tx, project, body, source, kept=task)

    @reads
    def list_tasks(
        self,
        tx: Tx,
        *,
        company_id: str | None = None,
        status: str = "open",
        due_before: str | None = None,
        due_after: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[TaskRecord]:
        """Tasks by due time, then creation; filters as ``GET /api/tasks`` takes them."""
        size, after = check_limit(limit), decode_cursor(cursor)
        if status not in STATUSES:
            raise InvalidRequest(f"status must be one of: {', '.join(STATUSES)}", field="status")
        project = self.project(tx)
        tz = zone(project.time_zone)
        stmt = task_select().where(Task.project_pk == project.pk)
        if status != "all":
            stmt = stmt.where(Task.status == status)
        if company_id is not None:
            company = get_company(tx, project, company_id, error=UnknownCompany)
            stmt = stmt.where(Task.company_pk == company.pk)
        if due_before is not None:
            stmt = stmt.where(
                Task.due_at <= day_end(parse_date(due_before, field="due_before"), tz)
            )
        if due_after is not None:
            since = parse_date(due_after, field="due_after")
            stmt = stmt.where(Task.due_at >= day_start(since, tz))
        if after is not None:
            when, pk = after
            stmt = stmt.where((Task.due_at > when) | ((Task.due_at == when) & (Task.pk > pk)))
        found = list(tx.session.execute(stmt.order_by(Task.due_at, Task.pk).limit(size + 1)))
        next_cursor = None
        if len(found) > size:
            found = found[:size]
            next_cursor = encode_cursor(found[-1][9], found[-1][0])
        return Page(items=[task_from_row(r, tx.now, tz) for r in found], next_cursor=next_cursor)

    def _record(self, tx: Tx, project: Project, task: Task) -> TaskRecord:
        return task_record(tx, task, zone(project.time_zone))


def task_record(tx: Tx, task: Task, tz: Any) -> TaskRecord:
    tx.session.flush()
    return task_records(tx, task_select().where(Task.pk == task.pk), tz)[0]


def update_in(
    tx: Tx,
    project: Project,
    task_id: str,
    patch: TaskPatch,
    source: Source,
    *,
    quiet: bool = False,
) -> TaskRecord:
    """The edit rule in the caller's transaction (an import updates many in one, ``quiet``:
    its one ``imported`` event stands for them all)."""
    task = load_task(tx, project, task_id, lock=True)
    company = tx.session.get_one(Company, task.company_pk)
    tz = zone(project.time_zone)
    changed = _apply_fields(tx, project, company, task, patch, tz)
    if changed:
        task.updated_at = tx.now
    if changed and not quiet:
        tx.record(
            project,
            EventKind.TASK_UPDATED,
            source,
            f"{company.name}: next step {task.title!r} edited ({', '.join(changed)})",
            company,
            data={"fields": changed, "title": task.title, "due": task.due},
            task_id=task.id,
        )
    if patch.status is not UNSET and patch.status != task.status:
        _set_status(tx, project, company, task, patch.status, source, quiet=quiet)
    return task_record(tx, task, tz)


def load_task(tx: Tx, project: Project, task_id: str, *, lock: bool = False) -> Task:
    stmt = select(Task).where(Task.project_pk == project.pk, Task.id == task_id)
    task = tx.session.scalar(tx.locking(stmt) if lock else stmt)
    if task is None:
        raise NotFound(f"no task with id {task_id!r}")
    return task


def _contact_pk(tx: Tx, project: Project, company: Company, contact_id: str | None) -> int | None:
    """The contact's key when it is linked to the company; 404 unknown, 409 not linked."""
    if contact_id is None:
        return None
    contact: Contact = get_contact(tx, project, contact_id)
    if not is_linked(tx, contact.pk, company.pk):
        raise ContactNotLinked(f"contact {contact_id!r} is not linked to {company.name}")
    return contact.pk


def create_in(
    tx: Tx,
    project: Project,
    body: TaskCreate,
    source: Source,
    *,
    kept: TaskRecord | None = None,
    quiet: bool = False,
) -> TaskRecord:
    """The create rule in the caller's transaction (an import adds many in one); ``kept``: a
    deleted task's record whose status and times are put back with it."""
    title = clean_title(body.title)
    tz = zone(project.time_zone)
    due_at, all_day = parse_due(body.due, tz)
    company = get_company(tx, project, body.company_id, error=UnknownCompany)
    contact_pk = _contact_pk(tx, project, company, body.contact_id)
    task_id = body.id or new_id("tk")
    taken = tx.session.scalar(
        select(Task.pk).where(Task.project_pk == project.pk, Task.id == task_id)
    )
    if taken is not None:
        raise Conflict(f"a task with id {task_id!r} exists already", code="already_exists")
    task = Task(
        id=task_id,
        project_pk=project.pk,
        company_pk=company.pk,
        contact_pk=contact_pk,
        title=title,
        kind=body.kind,
        notes=body.notes,
        due=body.due.strip(),
        due_at=due_at,
        all_day=all_day,
        status=kept.status if kept else "open",
        source=str(source if source in TASK_SOURCES else Source.ACCOUNT_API),
        created_at=kept.created_at if kept else tx.now,
        updated_at=kept.updated_at if kept else tx.now,
        done_at=kept.done_at if kept else None,
    )
    tx.session.add(task)
    tx.session.flush()
    if quiet:
        return task_record(tx, task, tz)
    verb = "restored" if kept else "added"
    tx.record(
        project,
        EventKind.TASK_CREATED,
        source,
        f"{company.name}: next step {title!r} {verb}, due {task.due}",
        company,
        data={"title": title, "due": task.due, "kind": task.kind},
        task_id=task_id,
    )
    return task_record(tx, task, tz)


def _apply_fields(
    tx: Tx, project: Project, company: Company, task: Task, patch: TaskPatch, tz: Any
) -> list[str]:
    """Sets the fields the patch gives; answers the names of those that changed."""
    values: dict[str, Any] = {}
    if patch.title is not UNSET:
        values["title"] = clean_title(patch.title)
    if patch.kind is not UNSET:
        values["kind"] = patch.kind
    if patch.notes is not UNSET:
        values["notes"] = patch.notes
    if patch.due is not UNSET:
        due_at, all_day = parse_due(patch.due, tz)
        values.update(due=patch.due.strip(), due_at=due_at, all_day=all_day)
    if patch.contact_id is not UNSET:
        values["contact_pk"] = _contact_pk(tx, project, company, patch.contact_id)
    changed = []
    for key, value in values.items():
        if getattr(task, key) != value:
            setattr(task, key, value)
            if key not in ("due_at", "all_day"):
                changed.append("contact_id" if key == "contact_pk" else key)
    return changed


def _set_status(
    tx: Tx,
    project: Project,
    company: Company,
    task: Task,
    status: str,
    source: Source,
    *,
    quiet: bool = False,
) -> None:
    """Completes (founder activity: the company's ``last_activity_at`` moves) or reopens."""
    task.status = status
    task.updated_at = tx.now
    if status == "done":
        task.done_at = tx.now
        locked = tx.session.scalar(tx.locking(select(Company).where(Company.pk == company.pk)))
        assert locked is not None
        locked.last_activity_at = tx.now
        kind, verb = EventKind.TASK_DONE, "done"
    else:
        task.done_at = None
        kind, verb = EventKind.TASK_UPDATED, "reopened"
    if quiet:
        return
    tx.record(
        project,
        kind,
        source,
        f"{company.name}: next step {task.title!r} {verb}",
        company,
        data={"title": task.title, "due": task.due, "status": status},
        task_id=task.id,
    )


def move_all_day(tx: Tx, project: Project, new: str) -> int:
    """The project's zone changed: every date-only task falls due at the end of its day in the
    new zone (date-times keep their instant). Answers how many moved."""
    tz = zone(new)
    rows = tx.session.scalars(
        select(Task).where(Task.project_pk == project.pk, Task.all_day.is_(True))
    )
    moved = 0
    for task in rows:
        task.due_at, _ = parse_due(task.due, tz)
        moved += 1
    return moved
