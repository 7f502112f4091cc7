"""A tasks file read and its rows checked, before the import matches them (``task_import``):
halcrm's own tasks file (``halcrm export tasks``) or Pipedrive's activities export, told by
header."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from halcrm.domain.errors import InvalidRequest
from halcrm.services.crm.transfer import source
from halcrm.services.crm.transfer.cells import unguard
from halcrm.services.crm.transfer.report import Rejection
from halcrm.services.tasks.area import clean_title

HALCRM = {"id", "company_id", "title", "due", "status"}
# Pipedrive's column names, with or without their "Activity - " / "Organization - " prefix.
PIPEDRIVE = {
    "subject": "title",
    "type": "kind",
    "due date": "due",
    "due time": "time",
    "organization": "organization",
    "organization name": "organization",
    "name": "organization",
    "done": "done",
    "note": "notes",
    "notes": "notes",
}
KINDS = {"call": "call", "email": "email", "meeting": "meeting", "task": "task"}
TRUE = {"done", "true", "yes", "1", "y"}
FALSE = {"not done", "false", "no", "0", "n", "", "open"}
TIME = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")


def _label(cell: str) -> str:
    return cell.strip().lstrip("\ufeff").strip().lower()


def _pipedrive(label: str) -> str | None:
    for prefix in ("activity - ", "organization - ", "deal - "):
        if label.startswith(prefix):
            if prefix == "organization - " and label == "organization - name":
                return "organization"
            label = label[len(prefix) :]
            break
    return PIPEDRIVE.get(label) if label != "name" else None


def fields_of(header: list[str]) -> tuple[str, list[str | None]] | None:
    """``("halcrm" | "pipedrive", field per column)`` for a tasks file, else None."""
    labels = [_label(c) for c in header]
    if set(labels) >= HALCRM:
        known = {"id", "company_id", "contact_id", "title", "kind", "due", "status", "notes"}
        return "halcrm", [lab if lab in known else None for lab in labels]
    fields = [_pipedrive(lab) for lab in labels]
    if {"title", "due", "organization"} <= set(fields) and ("kind" in fields or "done" in fields):
        return "pipedrive", fields
    return None


def is_tasks_file(header: list[str]) -> bool:
    return fields_of(header) is not None


@dataclass
class TaskIn:
    number: int
    title: str
    due: str
    kind: str
    done: bool
    notes: str | None
    id: str | None = None
    company_id: str | None = None
    organization: str | None = None
    contact_id: str | None = None
    time: str | None = None


@dataclass
class TasksFile:
    """The rows read from the file, and those refused on reading."""

    name: str
    kind: str
    rows: list[TaskIn] = field(default_factory=list)
    refused: list[Rejection] = field(default_factory=list)
    count: int = 0
    ignored: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)


class Bad(Exception):
    """A row refused: its column and why."""

    def __init__(self, column: str, reason: str) -> None:
        self.column, self.reason = column, reason


def _row(number: int, cells: dict[str, str], kind: str) -> TaskIn | None:
    if not any(v.strip() for v in cells.values()):
        return None
    try:
        title = clean_title(cells.get("title", ""))
    except InvalidRequest:
        raise Bad("title", "a title of 1-200 characters is needed") from None
    raw_kind = cells.get("kind", "").strip().lower()
    if kind == "halcrm" and raw_kind and raw_kind not in KINDS:
        raise Bad("kind", f"kind must be call, email, meeting or task, not {raw_kind!r}")
    done_cell = cells.get("status" if kind == "halcrm" else "done", "").strip().lower()
    if done_cell not in TRUE | FALSE:
        raise Bad("status" if kind == "halcrm" else "done", f"not a done flag: {done_cell!r}")
    due = cells.get("due", "").strip()
    when = cells.get("time", "").strip()
    if not due:
        raise Bad("due", "a due date is needed")
    if when and not TIME.match(when):
        raise Bad("time", f"a time is HH:MM, not {when!r}")
    found = TaskIn(
        number=number,
        title=title,
        due=due,
        kind=KINDS.get(raw_kind, "task"),
        done=done_cell in TRUE,
        notes=cells.get("notes", "").strip() or None,
        time=when or None,
    )
    if kind == "halcrm":
        found.id = cells.get("id", "").strip() or None
        found.company_id = cells.get("company_id", "").strip() or None
        found.contact_id = cells.get("contact_id", "").strip() or None
        if not found.company_id:
            raise Bad("company_id", "a company id is needed")
    else:
        found.organization = cells.get("organization", "").strip() or None
        if not found.organization:
            raise Bad("organization", "an organization is needed")
    return found


def read_file(path: Path, delimiter: str | None) -> TasksFile:
    records = source.records(path, delimiter)
    _, header = next(records)
    detected = fields_of(header)
    assert detected is not None
    kind, fields = detected
    labels = [c.strip().lstrip("\ufeff") for c in header]
    found = TasksFile(path.name, kind)
    found.columns = {f: lab for f, lab in zip(fields, labels, strict=True) if f}
    found.ignored = [lab for f, lab in zip(fields, labels, strict=True) if not f]
    for number, cells in records:
        # An export writes a cell that starts like a formula behind a "'": taken off again.
        named = {f: unguard(c) or c for f, c in zip(fields, cells, strict=False) if f}
        try:
            row = _row(number, named, kind)
        except Bad as exc:
            found.count += 1
            column = found.columns.get(exc.column, exc.column)
            found.refused.append(Rejection(number, column, exc.reason))
            continue
        if row is not None:
            found.count += 1
            found.rows.append(row)
    return found
