"""New rows written in bulk: pks given by the import, values as plain lists, one statement.

An import knows how many rows a batch inserts, so it takes their primary keys first (SQLite:
after the largest one, which no one else can take while the import holds the write lock;
PostgreSQL: from the table's own sequence, one round trip) and never reads them back. The rows
then go in with one ``executemany`` on the driver's cursor (SQLite) or one ``COPY … FROM
STDIN`` (PostgreSQL, psycopg 3), their values bound exactly as SQLAlchemy binds them
(``db.sql.prepared``: UTC times, JSON, booleans).

Ids made here are random as ``services.ids.new_id``'s, made a block at a time and handed out
in sorted order: a batch's rows then land next to each other in the unique id indexes, which
costs SQLite far less than as many scattered inserts.

An import's pass runs with the garbage collector paused and, on SQLite, a larger page cache
(``collector_paused``, ``page_cache``): both put back as they were when it ends.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from itertools import repeat
from operator import is_, itemgetter
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection

from halcrm.db.sql import insert_row, prepared

BLOCK = 2048
# SQLite's page cache while an import writes, in KiB (its default is 2 MB): the pages of the
# unique and secondary indexes a batch inserts into all over stay in memory instead of being
# spilled to the log and read back (a tenth of an import's system time). A bound, not a share
# of the file: memory stays flat however long the file.
CACHE_KIB = 8192


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector off for an import's pass (seconds), then as it was.

    The import's index grows by a few objects a row and each batch makes thousands of
    short-lived dicts holding no cycles: the collector's passes, walking the whole index again
    and again, were a tenth of an import's time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextlib.contextmanager
def page_cache(conn: Connection, writing: bool) -> Iterator[None]:
    """SQLite's page cache at ``CACHE_KIB`` while an import writes, then as it was (the
    connection goes back to the pool and serves others at its usual size)."""
    if not writing or conn.dialect.name != "sqlite":
        yield
        return
    kept = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(kept or -2000)}")


class Ids:
    """``PREFIX_`` and 16 random hex digits, like ``new_id``; sorted within each block."""

    def __init__(self, prefix: str, block: int = BLOCK) -> None:
        self.prefix = prefix
        self.block = block
        self.ready: list[str] = []

    def __call__(self) -> str:
        if not self.ready:
            raw = os.urandom(8 * self.block).hex()
            start = f"{self.prefix}_"
            self.ready = [start + raw[n : n + 16] for n in range(0, len(raw), 16)]
            self.ready.sort(reverse=True)  # popped from the end: ascending
        return self.ready.pop()


def reserve_pks(conn: Connection, table: Table, count: int) -> Sequence[int]:
    """``count`` new primary keys for ``table``, in ascending order."""
    if count == 0:
        return ()
    if conn.dialect.name == "sqlite":
        # The import's transaction holds SQLite's write lock (BEGIN IMMEDIATE): no other
        # connection can insert until it commits, so the keys after the largest are free.
        top = conn.exec_driver_sql(f'SELECT max(pk) FROM "{table.name}"').scalar()
        first = (top or 0) + 1
        return range(first, first + count)
    found = conn.execute(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'pk')) FROM generate_series(1, :n)"),
        {"table": table.name, "n": count},
    )
    return [pk for (pk,) in found]


Convert = Callable[[list[dict[str, Any]]], list[tuple[Any, ...]]]


def _bound(bind: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """``bind`` applied to each value. Most of a batch's values in a column are one object (the
    transaction's time, ``True``, ``{}``, ``None``): the test and the copies run in C, and the
    processor is a pure function of its value, so the result is the same as value by value."""
    first = values[0]
    if all(map(is_, values, repeat(first))):
        return [bind(first)] * len(values)
    return list(map(bind, values))


def _converter(
    conn: Connection, table: Table, names: frozenset[str]
) -> tuple[str, list[str], Convert]:
    """The INSERT, its column order, and row dicts to their bound values in that order.

    The values are converted a column at a time (a row at a time, the per-value Python calls
    were a fifth of an import's planning and writing)."""
    plan = prepared(insert_row(table, names), conn.dialect)
    defaults = dict(plan.defaults)
    order = list(plan.order) if plan.order is not None else sorted(names | defaults.keys())
    process = dict(plan.binds)

    def convert(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        columns = []
        for name in order:
            make = defaults.get(name)
            values = [make() for _ in rows] if make else list(map(itemgetter(name), rows))
            bind = process.get(name)
            columns.append(values if bind is None else _bound(bind, values))
        return list(zip(*columns, strict=True))

    return plan.sql, order, convert


def write_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERTs ``rows`` (dicts of column values, pks included) in as few statements as there
    are sets of columns among them."""
    # Rows of one import mostly share their columns: a row is compared with the sets seen so
    # far (a C-level comparison) rather than hashed into a set of its own.
    shapes: list[tuple[Any, list[dict[str, Any]]]] = []
    for row in rows:
        keys = row.keys()
        for seen, group in shapes:
            if keys == seen:
                group.append(row)
                break
        else:
            shapes.append((keys, [row]))
    cursor: Any = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    for keys, group in shapes:
        sql, order, convert = _converter(conn, table, frozenset(keys))
        values = convert(group)
        if conn.dialect.name == "postgresql":
            columns = ", ".join(f'"{name}"' for name in order)
            with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for row_values in values:
                    copy.write_row(row_values)
        else:
            cursor.executemany(sql, values)
