"""A website visitor, anonymous until identified as a contact.

Its columns are declared in ``halcrm/db/tables/visitor.py``; the annotations here only type
the mapped attributes."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped

from halcrm.db.base import Base
from halcrm.db.tables.visitor import visitors


class Visitor(Base):
    __table__ = visitors

    pk: Mapped[int]
    project_pk: Mapped[int]
    visitor_id: Mapped[str]
    contact_pk: Mapped[int | None]
    active_company_pk: Mapped[int | None]
    properties: Mapped[dict[str, Any]]
    verified_identity: Mapped[str | None]
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
