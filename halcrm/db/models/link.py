"""The contact-company link (many to many).

Its columns are declared in ``halcrm/db/tables/link.py``; the annotations here only type
the mapped attributes."""

from datetime import datetime

from sqlalchemy.orm import Mapped

from halcrm.db.base import Base
from halcrm.db.tables.link import contact_companies


class ContactCompany(Base):
    __table__ = contact_companies

    contact_pk: Mapped[int]
    company_pk: Mapped[int]
    created_at: Mapped[datetime]
