"""The founder's answers to focus-lane items: snoozed, done or dismissed."""

from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint

from halcrm.db.types import UTCDateTime, metadata

focus_answers = Table(
    "focus_answers",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("company_pk", Integer, ForeignKey("companies.pk", ondelete="CASCADE"), nullable=False),
    Column("reason", String(40), nullable=False),
    # "snoozed", "done" or "dismissed".
    Column("state", String(20), nullable=False),
    Column("until", UTCDateTime),
    # The company's last activity when answered: anything newer brings the item back.
    Column("activity_mark", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("company_pk", "reason"),
)
