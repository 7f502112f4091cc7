"""What `u` takes back on the board: every manual write, newest first, while the board is open."""

from __future__ import annotations

from dataclasses import dataclass

from halcrm.services.crm.inputs import CompanyPatch
from halcrm.services.crm.merge import MergeUndo
from halcrm.services.crm.restore import CompanySnapshot
from halcrm.services.tasks.inputs import TaskPatch
from halcrm.services.tasks.records import TaskRecord

KEEP = 50  # undo steps kept; older ones fall off the bottom


@dataclass(frozen=True)
class Moved:
    """A move (or a reopen): the column it came from (None: Unstaged)."""

    company_id: str
    name: str
    previous: str | None


@dataclass(frozen=True)
class Edited:
    """An edit: the patch that puts the previous values back."""

    company_id: str
    name: str
    patch: CompanyPatch


@dataclass(frozen=True)
class Removed:
    """A delete: the company as it was, captured just before."""

    company_id: str
    name: str
    snapshot: CompanySnapshot


@dataclass(frozen=True)
class Merged:
    """A placeholder merge."""

    company_id: str
    name: str
    undo: MergeUndo


@dataclass(frozen=True)
class StepWritten:
    """A next-step write: ``added`` (undone by deleting it), ``done`` (reopened), ``edited``
    (``patch`` puts the previous values back) or ``deleted`` (``task`` as read before)."""

    company_id: str
    name: str
    what: str
    task: TaskRecord
    patch: TaskPatch | None = None


Undo = Moved | Edited | Removed | Merged | StepWritten


class UndoStack:
    """Newest first; bounded."""

    def __init__(self) -> None:
        self.items: list[Undo] = []

    def push(self, item: Undo) -> None:
        self.items.append(item)
        del self.items[:-KEEP]

    def pop(self) -> Undo | None:
        return self.items.pop() if self.items else None

    def __len__(self) -> int:
        return len(self.items)
