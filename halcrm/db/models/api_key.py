"""Public API keys, stored hashed; the secret is shown once.

Its columns are declared in ``halcrm/db/tables/api_key.py``; the annotations here only type
the mapped attributes."""

from datetime import datetime

from sqlalchemy.orm import Mapped

from halcrm.db.base import Base
from halcrm.db.tables.api_key import api_keys


class ApiKey(Base):
    __table__ = api_keys

    pk: Mapped[int]
    id: Mapped[str]
    project_pk: Mapped[int]
    name: Mapped[str]
    prefix: Mapped[str]
    key_hash: Mapped[str]
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
