"""A company: the card on the board."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from halcrm.db.types import JSONType, UTCDateTime, metadata

companies = Table(
    "companies",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", String(200), nullable=False),
    Column("project_pk", Integer, ForeignKey("projects.pk", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("domain", String(255)),
    Column("industry", String(200)),
    Column("notes", Text),
    # Mapped as ``Company.meta``: ``metadata`` is the declarative class's own attribute.
    Column("metadata", JSONType, default=dict, nullable=False),
    # Money is kept as integer cents: exact on SQLite and PostgreSQL alike.
    Column("deal_value_cents", BigInteger),
    Column("stage_pk", Integer, ForeignKey("stages.pk", ondelete="SET NULL")),
    Column("is_placeholder", Boolean, default=False, nullable=False),
    Column("placeholder_key", String(300)),
    # A stage set by a person (board or account API) makes a placeholder worth keeping.
    Column("stage_set_by_hand", Boolean, default=False, nullable=False),
    Column("last_stage_source", String(20)),
    Column("last_stage_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("last_activity_at", UTCDateTime, nullable=False),
    # When the founder expects the deal to close (the forecast's month), or None.
    Column("expected_close", Date),
    UniqueConstraint("project_pk", "id"),
    # One shared placeholder per work-email domain, one per free-mail contact.
    UniqueConstraint("project_pk", "placeholder_key"),
    Index("ix_companies_project_stage", "project_pk", "stage_pk"),
    Index("ix_companies_project_domain", "project_pk", "domain"),
    # The focus lane's largest open deals without a next step, and its placeholders.
    Index("ix_companies_project_deal", "project_pk", "deal_value_cents"),
    Index("ix_companies_project_placeholder", "project_pk", "is_placeholder"),
    # The focus lane's passed close dates (in date order) and recent widget moves.
    Index("ix_companies_project_close", "project_pk", "expected_close"),
    Index("ix_companies_project_stage_at", "project_pk", "last_stage_at"),
)
