"""The contact-company link (many to many)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base


class ContactCompany(Base):
    __tablename__ = "contact_companies"
    __table_args__ = (Index("ix_contact_companies_company", "company_pk"),)

    contact_pk: Mapped[int] = mapped_column(
        ForeignKey("contacts.pk", ondelete="CASCADE"), primary_key=True
    )
    company_pk: Mapped[int] = mapped_column(
        ForeignKey("companies.pk", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime]
