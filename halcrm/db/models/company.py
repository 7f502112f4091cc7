"""A company: the card on the board.

Its columns are declared in ``halcrm/db/tables/company.py``; the annotations here only type
the mapped attributes."""

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Mapped, column_property

from halcrm.db.base import Base
from halcrm.db.tables.company import companies


class Company(Base):
    __table__ = companies

    pk: Mapped[int]
    id: Mapped[str]
    project_pk: Mapped[int]
    name: Mapped[str]
    domain: Mapped[str | None]
    industry: Mapped[str | None]
    notes: Mapped[str | None]
    meta: Mapped[dict[str, Any]] = column_property(companies.c.metadata)
    deal_value_cents: Mapped[int | None]
    stage_pk: Mapped[int | None]
    is_placeholder: Mapped[bool]
    placeholder_key: Mapped[str | None]
    stage_set_by_hand: Mapped[bool]
    last_stage_source: Mapped[str | None]
    last_stage_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    expected_close: Mapped[date | None]
