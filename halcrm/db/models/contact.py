"""A contact: a person, found by email or by the app's user id.

Its columns are declared in ``halcrm/db/tables/contact.py``; the annotations here only type
the mapped attributes."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped, column_property

from halcrm.db.base import Base
from halcrm.db.tables.contact import contacts


class Contact(Base):
    __table__ = contacts

    pk: Mapped[int]
    id: Mapped[str]
    project_pk: Mapped[int]
    email: Mapped[str | None]
    user_id: Mapped[str | None]
    name: Mapped[str | None]
    phone: Mapped[str | None]
    notes: Mapped[str | None]
    tags: Mapped[list[str]]
    meta: Mapped[dict[str, Any]] = column_property(contacts.c.metadata)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
