"""A company: the card on the board."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base, JSONType


class Company(Base):
    __tablename__ = "companies"
    __table_args__ = (
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

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(200))
    project_pk: Mapped[int] = mapped_column(ForeignKey("projects.pk", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str | None] = mapped_column(String(255))
    industry: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    # Money is kept as integer cents: exact on SQLite and PostgreSQL alike.
    deal_value_cents: Mapped[int | None] = mapped_column(BigInteger)
    stage_pk: Mapped[int | None] = mapped_column(ForeignKey("stages.pk", ondelete="SET NULL"))
    is_placeholder: Mapped[bool] = mapped_column(default=False)
    placeholder_key: Mapped[str | None] = mapped_column(String(300))
    # A stage set by a person (board or account API) makes a placeholder worth keeping.
    stage_set_by_hand: Mapped[bool] = mapped_column(default=False)
    last_stage_source: Mapped[str | None] = mapped_column(String(20))
    last_stage_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    # When the founder expects the deal to close (the forecast's month), or None.
    expected_close: Mapped[date | None]
