"""The column types the tables share, the constraint naming convention, and the one
``MetaData`` every table registers on: all Core, so the tables load without ``sqlalchemy.orm``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

# Named constraints let Alembic's batch mode (SQLite) alter tables predictably.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The one MetaData every table registers on; the ORM's Base uses it too, so the mapped classes
# and the Core tables (and Alembic, through Base.metadata) see the same schema.
metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        if dialect.name == "sqlite":
            return _sqlite_utc
        return super().result_processor(dialect, coltype)


def _sqlite_utc(value: Any) -> datetime | None:
    """SQLite's naive UTC text as an aware datetime in one C call: the board reads four times
    a company at start, and ``replace(tzinfo=...)`` after parsing cost five times the parse."""
    if value is None:
        return None
    try:
        if len(value) > 10:  # a date alone would take the offset for its time
            return _fromisoformat(value + "+00:00")
    except (TypeError, ValueError):
        pass
    # A date alone, text written with an offset by hand, or a driver that parsed it.
    parsed: datetime = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


_fromisoformat = datetime.fromisoformat


class _JSONB(TypeDecorator[Any]):
    """JSON, stored as JSONB on PostgreSQL.

    What ``JSON().with_variant(JSONB(), "postgresql")`` says, without importing the
    PostgreSQL dialect to build the variant: a server on SQLite never loads it (a twentieth of
    ``halcrm serve``'s start)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


JSONType = _JSONB()
