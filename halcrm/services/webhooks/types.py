"""The contract's webhook event types (API.md, "Webhooks"): names only, so the CLI can list
them without loading the database layer."""

from __future__ import annotations

COMPANY_CREATED = "company.created"
COMPANY_UPDATED = "company.updated"
COMPANY_DELETED = "company.deleted"
STAGE_CHANGED = "company.stage_changed"
DEAL_VALUE = "deal.value_changed"
DEAL_STALLED = "deal.stalled"
CONTACT_CREATED = "contact.created"
VISITOR_IDENTIFIED = "visitor.identified"
MESSAGE_CREATED = "conversation.message_created"
TASK_CREATED = "task.created"
TASK_COMPLETED = "task.completed"
TASK_OVERDUE = "task.overdue"
TEST = "webhook.test"

TYPES = (
    COMPANY_CREATED,
    COMPANY_UPDATED,
    COMPANY_DELETED,
    STAGE_CHANGED,
    DEAL_VALUE,
    DEAL_STALLED,
    CONTACT_CREATED,
    VISITOR_IDENTIFIED,
    MESSAGE_CREATED,
    TASK_CREATED,
    TASK_COMPLETED,
    TASK_OVERDUE,
)
