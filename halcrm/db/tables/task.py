"""A next step: a dated commitment on a company ("call Jane", "send the proposal")."""

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from halcrm.db.types import UTCDateTime, metadata

tasks = Table(
    "tasks",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", String(64), nullable=False),
    Column("project_pk", Integer, ForeignKey("projects.pk", ondelete="CASCADE"), nullable=False),
    Column("company_pk", Integer, ForeignKey("companies.pk", ondelete="CASCADE"), nullable=False),
    Column("contact_pk", Integer, ForeignKey("contacts.pk", ondelete="SET NULL")),
    Column("title", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("notes", Text),
    # What the client sent (a date or an RFC 3339 date-time), answered back as given.
    Column("due", String(40), nullable=False),
    # The instant it falls due (a date: the end of that day in the project's time zone): what
    # the lists order and filter by. A change of the project's zone moves the dates' instants.
    Column("due_at", UTCDateTime, nullable=False),
    Column("all_day", Boolean, nullable=False),
    # "open" or "done".
    Column("status", String(10), nullable=False),
    Column("source", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("done_at", UTCDateTime),
    UniqueConstraint("project_pk", "id"),
    Index("ix_tasks_project_due", "project_pk", "status", "due_at"),
    Index("ix_tasks_company_due", "company_pk", "status", "due_at"),
    Index("ix_tasks_contact", "contact_pk"),
)
