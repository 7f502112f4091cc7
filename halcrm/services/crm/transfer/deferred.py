"""Secondary indexes filled after a large import's inserts instead of row by row (SQLite).

A new company goes into six secondary indexes and its stage audit row into one; row by row,
those inserts were about a third of the time SQLite spent writing an import of 100,000
companies into an empty database. When an import brings at least as many rows as a table
holds, the table's plain (non-unique) indexes are dropped before its first insert and made
again, from their own ``CREATE INDEX`` text, once every row is written: SQLite then fills each
in one sorted pass.

All of it happens inside the import's transaction: a crash, a Ctrl-C or a refused import rolls
the drops back with the rows, and other connections never see the table without its indexes.
Unique indexes are left alone (a duplicate is refused at its row, as before), and so are the
tables the import looks rows up in by anything but their primary key while it writes (links).
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.engine import Connection

# The tables whose plain indexes an import may fill afterwards: while it writes, it reads
# their rows by primary key only (``index.fill_values``, ``writes``).
DEFERRABLE = frozenset({"companies", "stage_changes"})
# Fewer rows than this are written row by row: rebuilding would cost more than it saves.
LEAST_ROWS = 10_000


class Deferred:
    """Decides once per table, at its first insert, and puts the indexes back (``restore``)."""

    def __init__(self, conn: Connection, rows: int) -> None:
        """``rows``: how many rows the file holds (0 when not known: nothing is deferred)."""
        self.conn = conn
        self.rows = rows
        self.decided: set[str] = set()
        self.dropped: list[str] = []  # the CREATE INDEX statements to run again

    def before_insert(self, table: Table) -> None:
        name = table.name
        if name in self.decided:
            return
        self.decided.add(name)
        conn = self.conn
        if conn.dialect.name != "sqlite" or name not in DEFERRABLE or self.rows < LEAST_ROWS:
            return
        held = conn.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar() or 0
        if held > self.rows:
            return  # rebuilding the larger table's indexes would cost more than the inserts
        found = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL ORDER BY name",
            (name,),
        ).all()
        for index, sql in found:
            if not sql.lstrip().upper().startswith("CREATE INDEX"):
                continue  # a unique index: it refuses a duplicate at its row
            conn.exec_driver_sql(f'DROP INDEX "{index}"')
            self.dropped.append(sql)

    def restore(self) -> None:
        """Makes the dropped indexes again (inside the import's transaction, before it ends)."""
        for sql in self.dropped:
            self.conn.exec_driver_sql(sql)
        self.dropped = []
