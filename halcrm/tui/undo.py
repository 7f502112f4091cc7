"""What `u` takes back on the board: every manual write, newest first, while the board is open;
and what `U` (redo) puts back: the inverse of each undo, until a new write."""

from __future__ import annotations

from dataclasses import dataclass

from halcrm.services.crm.inputs import CompanyPatch, ContactPatch
from halcrm.services.crm.records import CompanySnapshot, ContactSnapshot, MergeUndo
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
    """A deleted contact as it was, captured just before: taken back, it comes back whole
    (company links, conversations and their messages, its visitors' link to it)."""

    name: str
    snapshot: ContactSnapshot


@dataclass(frozen=True)
class ContactMade:
    """A new contact (or a deleted one brought back): taken back, it is deleted again."""

    contact_id: str
    name: str


# A next step's writes, each named by what taking it back does: ``added`` (deleted again),
# ``done`` (reopened), ``reopened`` (done again), ``edited`` (``patch`` puts the previous
# values back) and ``deleted`` (put back as ``task`` was read before).
STEP_OPPOSITE = {
    "added": "deleted",
    "deleted": "added",
    "done": "reopened",
    "reopened": "done",
    "edited": "edited",
}


@dataclass(frozen=True)
class StepWritten:
    """A next-step write (``what``: a key of ``STEP_OPPOSITE``)."""

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


def _step(what: str, item: StepWritten) -> str:
    title, name = item.task.title, item.name
    words = {
        "added": f"the new next step “{title}” of {name}",
        "deleted": f"the delete of the next step “{title}” of {name}",
        "done": f"“{title}” of {name} marked done",
        "reopened": f"“{title}” of {name} reopened",
        "edited": f"the edit of the next step “{title}” of {name}",
    }
    return words[what]


def described(item: Undo, *, redo: bool = False) -> str:
    """The write ``item`` stands for, in words. An undo entry takes its write back; a redo
    entry (the inverse an undo answered) puts the write that undo took back forward again, so
    it is named by its opposite: a ``Removed`` in the redo stack is a new company."""
    match item:
        case Moved():
            return f"the move of {item.name}"
        case Edited():
            return f"the edit of {item.name}"
        case Removed() | Created():
            deleted = isinstance(item, Removed) != redo
            return f"the delete of {item.name}" if deleted else f"the new company {item.name}"
        case Merged() | Unmerged():
            return f"the merge of {item.name}"
        case ContactEdited():
            return f"the edit of the contact {item.name}"
        case ContactRemoved() | ContactMade():
            deleted = isinstance(item, ContactRemoved) != redo
            return f"the {'delete of the' if deleted else 'new'} contact {item.name}"
        case StepWritten():
            return _step(STEP_OPPOSITE[item.what] if redo else item.what, item)
        case Kept():
            return item.what


class Stack:
    """Steps newest last, at most ``KEEP`` (the oldest fall off the bottom)."""

    def __init__(self) -> None:
        self.items: list[Undo] = []

    def push(self, item: Undo) -> None:
        self.items.append(item)
        del self.items[:-KEEP]

    def peek(self) -> Undo | None:
        return self.items[-1] if self.items else None

    def pop(self) -> Undo | None:
        return self.items.pop() if self.items else None

    def clear(self) -> None:
        self.items.clear()

    def __len__(self) -> int:
        return len(self.items)


class UndoStack:
    """The writes (``undos``) and the undone ones (``redos``): two stacks of one kind. A new
    write empties ``redos``; an undo moves its inverse onto ``redos``, a redo back."""

    def __init__(self) -> None:
        self.undos = Stack()
        self.redos = Stack()

    def push(self, item: Undo) -> None:
        """A new write: what was undone before it can no longer be redone."""
        self.undos.push(item)
        self.redos.clear()

    def __len__(self) -> int:
        return len(self.undos)
