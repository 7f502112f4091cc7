"""What `u` takes back on the board: every manual write, newest first, while the board is open;
and what `U` (redo) puts back: the inverse of each undo, until a new write."""

from __future__ import annotations

from dataclasses import dataclass

from halcrm.services.crm.inputs import CompanyPatch, ContactPatch
from halcrm.services.crm.records import CompanySnapshot, ContactRecord, MergeUndo
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
class Created:
    """A new company (or a deleted one brought back): taken back, it is deleted again."""

    company_id: str
    name: str


@dataclass(frozen=True)
class Merged:
    """A placeholder merge."""

    company_id: str
    name: str
    undo: MergeUndo


@dataclass(frozen=True)
class Unmerged:
    """A merge taken back: redone, the placeholder is merged again."""

    company_id: str
    name: str
    into_id: str


@dataclass(frozen=True)
class ContactEdited:
    """A contact's edit: the patch that puts the previous values back."""

    contact_id: str
    name: str
    patch: ContactPatch


@dataclass(frozen=True)
class ContactRemoved:
    """A deleted contact as it was: taken back, it comes back with its company links (its
    conversations went with it: the delete's question says so)."""

    record: ContactRecord


@dataclass(frozen=True)
class ContactMade:
    """A new contact (or a deleted one brought back): taken back, it is deleted again."""

    contact_id: str
    name: str


@dataclass(frozen=True)
class StepWritten:
    """A next-step write: ``added`` (undone by deleting it), ``done`` (reopened), ``edited``
    (``patch`` puts the previous values back) or ``deleted`` (``task`` as read before)."""

    company_id: str
    name: str
    what: str
    task: TaskRecord
    patch: TaskPatch | None = None


@dataclass(frozen=True)
class Kept:
    """A write `u` cannot take back (a stage edit, a reply, a focus answer): `u` says so and
    stops there, rather than undo an older write the founder did not mean."""

    what: str


Undo = (
    Moved
    | Edited
    | Removed
    | Created
    | Merged
    | Unmerged
    | ContactEdited
    | ContactRemoved
    | ContactMade
    | StepWritten
    | Kept
)


class UndoStack:
    """Writes newest last, bounded; and the undone ones, for redo, until the next write."""

    def __init__(self) -> None:
        self.items: list[Undo] = []
        self.redos: list[Undo] = []

    def push(self, item: Undo) -> None:
        """A new write: what was undone before it can no longer be redone."""
        self.items.append(item)
        del self.items[:-KEEP]
        self.redos.clear()

    def peek(self) -> Undo | None:
        return self.items[-1] if self.items else None

    def pop(self) -> Undo | None:
        return self.items.pop() if self.items else None

    def __len__(self) -> int:
        return len(self.items)
