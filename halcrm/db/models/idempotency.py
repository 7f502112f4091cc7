"""A write's idempotency key and its first answer, replayed to repeats for 24 hours.

Its columns are declared in ``halcrm/db/tables/idempotency.py``; the annotations here only type
the mapped attributes."""

from datetime import datetime

from sqlalchemy.orm import Mapped

from halcrm.db.base import Base
from halcrm.db.tables.idempotency import idempotency_keys


class IdempotencyKey(Base):
    __table__ = idempotency_keys

    pk: Mapped[int]
    project_pk: Mapped[int]
    route: Mapped[str]
    key: Mapped[str]
    fingerprint: Mapped[str]
    status: Mapped[int]
    body: Mapped[bytes]
    created_at: Mapped[datetime]
