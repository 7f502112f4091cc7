"""A contact: a person, found by email or by the app's user id."""

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint

from halcrm.db.types import JSONType, UTCDateTime, metadata

contacts = Table(
    "contacts",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", String(64), nullable=False),
    Column("project_pk", Integer, ForeignKey("projects.pk", ondelete="CASCADE"), nullable=False),
    Column("email", String(320)),
    Column("user_id", String(200)),
    Column("name", String(200)),
    Column("phone", String(50)),
    Column("notes", Text),
    Column("tags", JSONType, default=list, nullable=False),
    # Mapped as ``Contact.meta``: ``metadata`` is the declarative class's own attribute.
    Column("metadata", JSONType, default=dict, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("project_pk", "id"),
    # Stored lower-cased: the constraint makes concurrent identifies agree on one contact.
    UniqueConstraint("project_pk", "email"),
    UniqueConstraint("project_pk", "user_id"),
)
