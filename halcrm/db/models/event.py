"""A tracked event (a product milestone) of a visitor, contact or company.

Its columns are declared in ``halcrm/db/tables/event.py``; the annotations here only type
the mapped attributes."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped

from halcrm.db.base import Base
from halcrm.db.tables.event import events


class Event(Base):
    __table__ = events

    pk: Mapped[int]
    id: Mapped[str]
    project_pk: Mapped[int]
    name: Mapped[str]
    value: Mapped[Any | None]
    visitor_pk: Mapped[int | None]
    contact_pk: Mapped[int | None]
    company_pk: Mapped[int | None]
    created_at: Mapped[datetime]
