"""Every mapped class, each mapped onto its table of ``halcrm.db.tables`` (where its columns
are declared): for the code that edits rows as objects through a Session."""

from halcrm.db.models.activity import Activity
from halcrm.db.models.api_key import ApiKey
from halcrm.db.models.company import Company
from halcrm.db.models.contact import Contact
from halcrm.db.models.conversation import Conversation, Message
from halcrm.db.models.event import Event
from halcrm.db.models.focus import FocusAnswer
from halcrm.db.models.idempotency import IdempotencyKey
from halcrm.db.models.link import ContactCompany
from halcrm.db.models.project import Project
from halcrm.db.models.stage import Stage
from halcrm.db.models.stage_change import StageChange
from halcrm.db.models.task import Task
from halcrm.db.models.visitor import Visitor
from halcrm.db.models.webhook import (
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFanout,
    WebhookNotice,
)

__all__ = [
    "Activity",
    "ApiKey",
    "Company",
    "Contact",
    "ContactCompany",
    "Conversation",
    "Event",
    "FocusAnswer",
    "IdempotencyKey",
    "Message",
    "Project",
    "Stage",
    "StageChange",
    "Task",
    "Visitor",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookFanout",
    "WebhookNotice",
]
