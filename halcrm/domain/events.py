"""Domain events: what changed, as the board, the activity feed and the SSE stream see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


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
    # Next steps (API.md): data carries task_id, title, due.
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
    """One committed change. ``id`` orders events and lets SSE clients resume."""

    id: int
    project_id: str
    kind: EventKind
    at: datetime
    source: str
    summary: str
    company_id: str | None = None
    company_name: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # The next step a task event is about (also in ``data["task_id"]``, as on the wire).
    task_id: str | None = None

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
            "data": self.data,
        }
