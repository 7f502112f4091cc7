"""The event log's rows: the values that store an event, the positions that order the stream,
and the reads of what is settled after a position (the scheme: db/events.py)."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Insert,
    Select,
    and_,
    bindparam,
    exists,
    func,
    insert,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.engine import Connection

from halcrm.db.tables import activity, projects
from halcrm.domain.events import DomainEvent, EventKind

READ_BATCH = 1000

# Room for a transaction's events below the next transaction's first position.
ORDINAL_BITS = 20


def position_column(is_sqlite: bool) -> Any:
    """The column that orders the stream: the primary key on SQLite, the position on PostgreSQL."""
    return activity.c.pk if is_sqlite else activity.c.seq


def to_domain_event(row: Any, project_id: str) -> DomainEvent:
    """An activity row (mapped or Core) as the event it recorded; its id is its position."""
    return DomainEvent.of_data(
        id=row.seq if row.seq is not None else row.pk,
        project_id=project_id,
        kind=EventKind(row.kind),
        at=row.created_at,
        source=row.source,
        summary=row.summary,
        company_id=row.company_id,
        company_name=row.company_name,
        data=row.data,
    )


def activity_row(project_pk: int, event: DomainEvent, hooks: str | None = None) -> dict[str, Any]:
    """The activity row's values that store ``event`` (``to_domain_event`` reads it back), and
    the webhook endpoints it names, if any (``activity.c.hooks``)."""
    values = {
        "project_pk": project_pk,
        "kind": event.kind.value,
        # A plain str: the driver binds a StrEnum (Source) only after failing to adapt it.
        "source": str(event.source),
        "summary": event.summary,
        "company_id": event.company_id,
        "company_name": event.company_name,
        "data": event.wire_data(),
        "created_at": event.at,
    }
    if hooks is not None:
        values["hooks"] = hooks
    return values


# PostgreSQL: a row is settled once its transaction is below the oldest one still running on
# this database (migration 0010's function, computed once per statement).
SETTLED = text("activity.xid < (SELECT halcrm_event_horizon())")
_POSITION = literal_column(f"(pg_current_xact_id()::text::bigint << {ORDINAL_BITS})", BigInteger)


@cache
def record_at_position(names: frozenset[str]) -> Insert:
    """PostgreSQL: ``INSERT INTO activity (<names>, seq) … RETURNING pk``, the position made
    from the transaction's id and ``:ordinal_``, the event's place in its transaction."""
    if not names:
        raise ValueError("an event has columns")
    table: Any = activity
    values: dict[Any, Any] = {table.c[name]: bindparam(name) for name in sorted(names)}
    values[table.c.seq] = _POSITION + bindparam("ordinal_", type_=BigInteger)
    return insert(table).values(values).returning(table.c.pk)


def _rows(after: Any) -> Select[Any]:
    return (
        select(activity, projects.c.id.label("project_id"))
        .join(projects, projects.c.pk == activity.c.project_pk)
        .where(after)
    )


def _after_sqlite() -> Select[Any]:
    return (
        _rows(activity.c.pk > bindparam("after")).order_by(activity.c.pk).limit(bindparam("limit"))
    )


def _after_postgresql() -> Select[Any]:
    """The settled rows after ``:after`` beside the highest position any committed row has and
    the horizon, in one statement that computes the horizon once: a reader learns whether rows
    wait above it at no extra cost."""
    newest = select(func.max(activity.c.seq).label("newest"), _HORIZON.label("horizon")).subquery(
        "newest"
    )
    rows = (
        _rows(activity.c.seq > bindparam("after"))
        .where(literal_column("activity.xid") < newest.c.horizon)
        .order_by(activity.c.seq)
        .limit(bindparam("limit"))
        .lateral("settled")
    )
    horizon = literal_column("newest.horizon::text::bigint", BigInteger).label("horizon")
    return select(newest.c.newest, horizon, rows).select_from(newest.outerjoin(rows, true()))


_HORIZON: Any = literal_column("halcrm_event_horizon()")  # an xid8
_AFTER_SQLITE = _after_sqlite()
AFTER_POSTGRESQL = _after_postgresql()
_ROW = namedtuple("_ROW", list(AFTER_POSTGRESQL.selected_columns.keys()))  # type: ignore[misc]


@dataclass(frozen=True)
class Read:
    """PostgreSQL: one read of the settled events after a position (``AFTER_POSTGRESQL``)."""

    events: list[tuple[int, DomainEvent]]
    newest: int
    """The highest position of any committed row, settled or not."""
    horizon: int
    """The oldest transaction still running then: every event below it was read (unless the
    read was cut at its limit)."""


def settled_read(rows: Sequence[Any]) -> Read:
    """The ``Read`` of ``AFTER_POSTGRESQL``'s rows (SQLAlchemy rows or plain tuples)."""
    rows = [row if hasattr(row, "pk") else _ROW(*row) for row in rows]
    if not rows:
        return Read([], 0, 0)
    events = [(row.pk, to_domain_event(row, row.project_id)) for row in rows if row.pk is not None]
    return Read(events, int(rows[0].newest or 0), int(rows[0].horizon or 0))


def read_after(conn: Connection, after: int, limit: int = READ_BATCH) -> Read:
    """Every project's settled events after position ``after``, in stream order, each with its
    row's key (SQLite: every committed one, its horizon left 0)."""
    params = {"after": after, "limit": limit}
    if conn.dialect.name == "sqlite":
        rows = conn.execute(_AFTER_SQLITE, params).all()
        found = [(row.pk, to_domain_event(row, row.project_id)) for row in rows]
        return Read(found, found[-1][1].id if found else after, 0)
    return settled_read(conn.execute(AFTER_POSTGRESQL, params).all())


_LAST_SETTLED = select(func.coalesce(func.max(activity.c.seq), 0)).where(SETTLED)


def last_position(conn: Connection) -> int:
    """The highest position a reader may have seen: below the horizon on PostgreSQL."""
    if conn.dialect.name == "sqlite":
        return int(conn.execute(select(func.coalesce(func.max(activity.c.pk), 0))).scalar_one())
    return int(conn.execute(_LAST_SETTLED).scalar_one() or 0)


def _hooked(is_sqlite: bool, after: Any = None) -> Any:
    """Events naming webhook deliveries after ``after`` (default ``:after``); settled ones only
    on PostgreSQL (a later commit below is never passed over)."""
    position = position_column(is_sqlite)
    after = bindparam("after") if after is None else after
    where = [position > after, activity.c.hooks.is_not(None)]
    return where if is_sqlite else [*where, SETTLED]


def hooked_exists(is_sqlite: bool, after: Any) -> Any:
    """``EXISTS`` an event naming deliveries after the SQL expression ``after`` (a cursor read
    in the same statement)."""
    return exists().where(*_hooked(is_sqlite, after))


# Per store (``is_sqlite``); both read the partial index of migration 0013.
_HOOKED = {
    is_sqlite: _rows(and_(*_hooked(is_sqlite)))
    .order_by(position_column(is_sqlite))
    .limit(bindparam("limit"))
    for is_sqlite in (True, False)
}


def hooked_after(conn: Connection, after: int, limit: int) -> list[tuple[Any, DomainEvent]]:
    """Up to ``limit`` events after ``after`` that name webhook deliveries (``activity.c.hooks``),
    in stream order, each with its row (``hooks``, ``project_pk``)."""
    rows = conn.execute(
        _HOOKED[conn.dialect.name == "sqlite"], {"after": after, "limit": limit}
    ).all()
    return [(row, to_domain_event(row, row.project_id)) for row in rows]
