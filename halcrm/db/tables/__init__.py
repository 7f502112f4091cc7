"""Every table, declared once as Core `Table`s; importing this registers them on `types.metadata`
without loading the ORM."""

from halcrm.db.tables.activity import activity
from halcrm.db.tables.api_key import api_keys
from halcrm.db.tables.company import companies
from halcrm.db.tables.contact import contacts
from halcrm.db.tables.conversation import conversations, messages
from halcrm.db.tables.event import events
from halcrm.db.tables.focus import focus_answers
from halcrm.db.tables.idempotency import idempotency_keys
from halcrm.db.tables.link import contact_companies
from halcrm.db.tables.project import projects
from halcrm.db.tables.stage import stages
from halcrm.db.tables.stage_change import stage_changes
from halcrm.db.tables.task import tasks
from halcrm.db.tables.visitor import visitors
from halcrm.db.tables.webhook import (
    webhook_deliveries,
    webhook_endpoints,
    webhook_fanout,
    webhook_notices,
)

__all__ = [
    "activity",
    "api_keys",
    "companies",
    "contact_companies",
    "contacts",
    "conversations",
    "events",
    "focus_answers",
    "idempotency_keys",
    "messages",
    "projects",
    "stage_changes",
    "stages",
    "tasks",
    "visitors",
    "webhook_deliveries",
    "webhook_endpoints",
    "webhook_fanout",
    "webhook_notices",
]
