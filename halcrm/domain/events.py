"""Domain events: what changed, as the board, the activity feed and the SSE stream see it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

# The keys of the wire's ``data`` that are an event's own typed fields: stored and sent inside
# ``data`` (API.md), held beside it in a ``DomainEvent``. A recording passes them as arguments.
TYPED_KEYS = frozenset({"company_ids", "deleted_company_ids", "conversation_id", "task_id"})


class EventKind(StrEnum):
    STAGE_CHANGE = "stage_change"
    DEAL_VALUE = "deal_value"
    IDENTIFY = "identify"
    PROPERTIES = "properties"
    TRACK = "track"
    COMPANY_CREATED = "company_created"
    COMPANY_UPDATED = "company_updated"
    COMPANY_DELETED = "company_deleted"
    COMPANY_MERGED = "company_merged"
    FOCUS_ANSWERED = "focus_answered"
    CONTACT_CREATED = "contact_created"
    CONTACT_UPDATED = "contact_updated"
    CONTACT_DELETED = "contact_deleted"
    LINK = "link"
    UNLINK = "unlink"
    PROJECT_UPDATED = "project_updated"
    STAGES_CHANGED = "stages_changed"
    CONVERSATION = "conversation"
    MESSAGE = "message"
    # Next steps (API.md): task_id (on the wire in data), data carries title, due.
    TASK_CREATED = "task_created"
    TASK_UPDATED = "task_updated"
    TASK_DONE = "task_done"
    TASK_DELETED = "task_deleted"
    # A next step passed its due time (recorded once by a periodic check).
    TASK_OVERDUE = "task_overdue"
    # A widget call that was refused: published live for the board, never stored (a refused
    # call writes nothing). data: route, visitor_id, code, detail, count (coalesced refusals).
    REFUSED = "refused"
    # One bulk import finished: the board reloads once instead of taking one event per row.
    # data: created, updated, unchanged, rejected (counts), file.
    IMPORTED = "imported"


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """One committed change. ``id`` orders events and lets SSE clients resume.

    ``data`` holds the display-only extras; what readers act on is typed beside it. A list is
    ``None`` when the event is not about such a set (the wire then has no key), so an empty
    list still goes out as ``[]``.
    """

    id: int
    project_id: str
    kind: EventKind
    at: datetime
    source: str
    summary: str
    company_id: str | None = None
    company_name: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # More companies the event touched (a contact's, a conversation's, a merge's two).
    company_ids: tuple[str, ...] | None = None
    # Companies the event deleted (a merged company, a placeholder dropped): the board drops
    # their cards.
    deleted_company_ids: tuple[str, ...] | None = None
    # The conversation a ``conversation`` or ``message`` event is about.
    conversation_id: str | None = None
    # The next step a task event is about.
    task_id: str | None = None

    @classmethod
    def of_data(
        cls,
        *,
        id: int,
        project_id: str,
        kind: EventKind,
        at: datetime,
        source: str,
        summary: str,
        company_id: str | None,
        company_name: str | None,
        data: Mapping[str, Any] | None,
    ) -> DomainEvent:
        """An event as stored or sent, its typed fields taken out of ``data`` (a value of
        another type than the field's stays in ``data``: nothing read is lost)."""
        extras = dict(data or {})
        return cls(
            id=id,
            project_id=project_id,
            kind=kind,
            at=at,
            source=source,
            summary=summary,
            company_id=company_id,
            company_name=company_name,
            company_ids=_ids(extras, "company_ids"),
            deleted_company_ids=_ids(extras, "deleted_company_ids"),
            conversation_id=_text(extras, "conversation_id"),
            task_id=_text(extras, "task_id"),
            data=extras,
        )

    def wire_data(self) -> dict[str, Any]:
        """``data`` as stored and sent: the extras, then the typed fields the event carries."""
        typed: dict[str, Any] = {}
        if self.company_ids is not None:
            typed["company_ids"] = list(self.company_ids)
        if self.deleted_company_ids is not None:
            typed["deleted_company_ids"] = list(self.deleted_company_ids)
        if self.conversation_id is not None:
            typed["conversation_id"] = self.conversation_id
        if self.task_id is not None:
            typed["task_id"] = self.task_id
        return {**self.data, **typed} if typed else self.data

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "project_id": self.project_id,
            "kind": self.kind.value,
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "source": self.source,
            "summary": self.summary,
            "company_id": self.company_id,
            "company_name": self.company_name,
            "data": self.wire_data(),
        }


def _ids(data: dict[str, Any], key: str) -> tuple[str, ...] | None:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    del data[key]
    return tuple(value)


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if not isinstance(value, str):
        return None
    del data[key]
    return value
