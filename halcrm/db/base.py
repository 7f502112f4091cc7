"""The ORM's declarative base: the mapped classes in ``halcrm.db.models`` map onto the Core
tables of ``halcrm.db.tables``, all on the one ``MetaData`` of ``halcrm.db.types``."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from halcrm.db import types


class Base(DeclarativeBase):
    metadata = types.metadata
