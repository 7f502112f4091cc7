"""Request shapes of next steps: ``TaskCreate`` and ``TaskPatch`` (``UNSET``: not given)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from halcrm.services.fields import Notes, RecordId

TaskKind = Literal["call", "email", "meeting", "task"]
TaskStatus = Literal["open", "done"]
# 1-200 characters once trimmed (checked by the rules); the wire bound leaves room for spaces.
Title = Annotated[str, Meta(min_length=1, max_length=1_000)]
# A date (YYYY-MM-DD) or an RFC 3339 date-time, parsed by domain.due.
Due = Annotated[str, Meta(min_length=1, max_length=40)]
TaskId = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[^/\s][^/]*$")]


class TaskCreate(msgspec.Struct, kw_only=True):
    company_id: RecordId
    title: Title
    due: Due
    kind: TaskKind = "task"
    contact_id: RecordId | None = None
    notes: Notes | None = None
    # Given by an import or the board's undo (a deleted task put back); else made (``tk_…``).
    id: TaskId | None = None


class TaskPatch(msgspec.Struct, kw_only=True):
    title: Title | UnsetType = UNSET
    due: Due | UnsetType = UNSET
    kind: TaskKind | UnsetType = UNSET
    notes: Notes | UnsetType | None = UNSET
    contact_id: RecordId | UnsetType | None = UNSET
    # ``done`` completes it (sets done_at, moves the company's last activity); ``open`` reopens.
    status: TaskStatus | UnsetType = UNSET
