"""The contact-company link (many to many)."""

from sqlalchemy import Column, ForeignKey, Index, Integer, Table

from halcrm.db.types import UTCDateTime, metadata

contact_companies = Table(
    "contact_companies",
    metadata,
    Column("contact_pk", Integer, ForeignKey("contacts.pk", ondelete="CASCADE"), primary_key=True),
    Column("company_pk", Integer, ForeignKey("companies.pk", ondelete="CASCADE"), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_contact_companies_company", "company_pk"),
)
