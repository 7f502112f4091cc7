"""Pipedrive's activities export as a tasks file: its column names (with or without their
``Activity - `` / ``Organization - `` / ``Deal - `` prefix) to the fields of a task, and what
makes a header one of its files (a subject, a due date, an organization, and a type or done
column). A row's organization names its company (``task_import`` matches it by name)."""

from __future__ import annotations

from collections.abc import Sequence

COLUMNS = {
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
_PREFIXES = ("activity - ", "organization - ", "deal - ")


def field_of(label: str) -> str | None:
    """The task field a (lower-cased, stripped) column label fills, or None."""
    for prefix in _PREFIXES:
        if label.startswith(prefix):
            if prefix == "organization - " and label == "organization - name":
                return "organization"
            label = label[len(prefix) :]
            break
    return COLUMNS.get(label) if label != "name" else None


def fields_of(labels: Sequence[str]) -> list[str | None] | None:
    """The field of each column when the labels are an activities export's, else None."""
    fields = [field_of(label) for label in labels]
    if {"title", "due", "organization"} <= set(fields) and ("kind" in fields or "done" in fields):
        return fields
    return None
