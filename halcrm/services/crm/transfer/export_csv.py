"""CSV exports of companies and contacts with the cells made by the database itself.

The general export (``exporter``) reads a page into one dict per record and writes each cell
through a Python function: most of its time. Here the SELECT answers the CSV cells already, so
a page goes from the cursor to ``csv.writer`` with no object per record: text behind the
formula guard (``cells.guard``: a ``'`` before a cell that starts like a formula, or before
quotes that do), amounts as ``money.from_cents`` writes them, booleans as ``true``/``false``,
times as ISO 8601 in UTC with a ``Z`` (no fraction when there is none). Only JSON columns that
are not empty are re-encoded in Python, to the general export's compact form.

On PostgreSQL a page is one ``COPY (SELECT …) TO STDOUT`` (psycopg 3), read back with
``csv.reader`` so the file is byte for byte the one SQLite's export writes (``\\r\\n`` line
ends, the same quoting).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import text

from halcrm.db.engine import stored_json
from halcrm.db.tx import Tx

PAGE_ROWS = 1000  # as the general export: a chunk per thousand records
KINDS = ("companies", "contacts")
CsvPage = tuple[Sequence[Sequence[Any]], int | None]
"""A page's rows as CSV cells (in ``exporter.COLUMNS`` order), and its last pk (None: none)."""

_FORMULA = {
    "sqlite": "('=', '+', '-', '@', char(9), char(13))",
    "postgresql": "('=', '+', '-', '@', chr(9), chr(13))",
}


def _guard(column: str, dialect: str) -> str:
    """The cell of a text column: behind ``'`` when a spreadsheet would run it, else as it
    is. The first character's code is compared first, so most cells are not copied. On
    PostgreSQL an empty text becomes no value: ``COPY`` would quote it, the CSV writer not."""
    starts = _FORMULA[dialect]
    first = "unicode" if dialect == "sqlite" else "ascii"
    plain = column if dialect == "sqlite" else f"NULLIF({column}, '')"
    return (
        f"CASE WHEN {first}({column}) IN (39, 61, 43, 45, 64, 9, 13) "
        f"AND substr(ltrim({column}, ''''), 1, 1) IN {starts} "
        f"THEN '''' || {column} ELSE {plain} END"
    )


def _time(column: str, dialect: str) -> str:
    if dialect == "sqlite":
        # Stored as UTC text with six fraction digits: "2026-12-06 09:01:07.821503".
        return f"replace(replace({column}, '.000000', ''), ' ', 'T') || 'Z'"
    stamp = f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    return f"replace({stamp}, '.000000Z', 'Z')"


def _money(column: str, dialect: str) -> str:
    if dialect == "sqlite":
        return f"CASE WHEN {column} % 100 = 0 THEN {column} / 100 ELSE {column} / 100.0 END"
    return (
        f"CASE WHEN {column} % 100 = 0 THEN ({column} / 100)::text "
        f"ELSE ({column}::float8 / 100)::text END"
    )


def _companies_sql(dialect: str, project_pk: int, after: int) -> str:
    g, t = (lambda c: _guard(c, dialect)), (lambda c: _time(c, dialect))
    # SQLite would sort the project's rows by the (project, stage) index for every page
    # unless the project filter cannot use an index (see exporter._in_project).
    project = "c.project_pk + 0" if dialect == "sqlite" else "c.project_pk"
    meta = "c.metadata" if dialect == "sqlite" else "c.metadata::text"
    return (
        f"SELECT c.pk, {g('c.id')}, {g('c.name')}, {g('c.domain')}, {g('c.industry')}, "
        f"{g('s.name')}, {_money('c.deal_value_cents', dialect)}, {g('c.notes')}, {meta}, "
        "CASE WHEN c.is_placeholder THEN 'true' ELSE 'false' END, "
        f"{g('c.placeholder_key')}, {t('c.created_at')}, {t('c.updated_at')}, "
        f"{t('c.last_activity_at')} "
        "FROM companies c LEFT JOIN stages s ON s.pk = c.stage_pk "
        f"WHERE {project} = {int(project_pk)} AND c.pk > {int(after)} "
        f"ORDER BY c.pk LIMIT {PAGE_ROWS}"
    )


def _contacts_sql(dialect: str, project_pk: int, after: int) -> str:
    g, t = (lambda c: _guard(c, dialect)), (lambda c: _time(c, dialect))
    project = "c.project_pk + 0" if dialect == "sqlite" else "c.project_pk"
    if dialect == "sqlite":
        json_columns = "c.tags, c.metadata, NULL"
    else:
        linked = (
            "(SELECT json_agg(co.id ORDER BY co.pk) FROM contact_companies l "
            "JOIN companies co ON co.pk = l.company_pk WHERE l.contact_pk = c.pk)::text"
        )
        json_columns = f"c.tags::text, c.metadata::text, {linked}"
    return (
        f"SELECT c.pk, {g('c.id')}, {g('c.email')}, {g('c.user_id')}, {g('c.name')}, "
        f"{g('c.phone')}, {g('c.notes')}, {json_columns}, "
        f"{t('c.created_at')}, {t('c.updated_at')} FROM contacts c "
        f"WHERE {project} = {int(project_pk)} AND c.pk > {int(after)} "
        f"ORDER BY c.pk LIMIT {PAGE_ROWS}"
    )


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_cell(value: Any) -> str:
    """A JSON column's cell: compact, non-ASCII as it is; an empty value ``[]`` or ``{}``."""
    return _ENCODE(value) if value else ("[]" if isinstance(value, list) else "{}")


def _compact(stored: str | None, empty: str) -> str:
    """A stored JSON value in the export's compact form."""
    if not stored or stored == empty:
        return empty
    value = stored_json(stored)
    return json_cell(value if value else ([] if empty == "[]" else {}))


def _raw(tx: Tx, sql: str) -> list[tuple[Any, ...]]:
    """The answer of ``sql`` as the driver gives it: SQLite's rows, or the rows of a ``COPY
    … TO STDOUT`` on PostgreSQL (every cell text, an empty cell None)."""
    cursor: Any = tx.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    if tx.is_sqlite:
        return list(cursor.execute(sql))
    data = bytearray()
    with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
        for chunk in copy:
            data += chunk
    buffer = io.StringIO(data.decode("utf-8"), newline="")
    return [
        (int(row[0]), *(cell if cell != "" else None for cell in row[1:]))
        for row in csv.reader(buffer)
    ]


def _companies(tx: Tx, project_pk: int, after: int) -> CsvPage:
    found = _raw(tx, _companies_sql(tx.conn.dialect.name, project_pk, after))
    # Column 8 is the metadata (after the pk): empty on most records, written as stored.
    rows = [
        row[1:] if row[8] == "{}" else (*row[1:8], _compact(row[8], "{}"), *row[9:])
        for row in found
    ]
    return rows, found[-1][0] if found else None


def _contacts(tx: Tx, project_pk: int, after: int) -> CsvPage:
    found = _raw(tx, _contacts_sql(tx.conn.dialect.name, project_pk, after))
    links = _links(tx, found) if tx.is_sqlite else {}
    rows = []
    for pk, *cells in found:
        cells[6] = "[]" if cells[6] == "[]" else _compact(cells[6], "[]")
        cells[7] = "{}" if cells[7] == "{}" else _compact(cells[7], "{}")
        linked = links.get(pk)
        cells[8] = _compact(cells[8], "[]") if linked is None else json_cell(linked)
        rows.append(cells)
    return rows, found[-1][0] if found else None


def _links(tx: Tx, found: list[tuple[Any, ...]]) -> dict[int, list[str]]:
    """SQLite: the ids of each contact's companies, in the order of their pks."""
    links: dict[int, list[str]] = {}
    if not found:
        return links
    stmt = text(
        "SELECT l.contact_pk, co.id FROM contact_companies l "
        "JOIN companies co ON co.pk = l.company_pk "
        "WHERE l.contact_pk BETWEEN :first AND :last ORDER BY l.contact_pk, co.pk"
    )
    for contact_pk, company_id in tx.conn.execute(
        stmt, {"first": found[0][0], "last": found[-1][0]}
    ):
        links.setdefault(contact_pk, []).append(company_id)
    return links


_READERS: dict[str, Callable[[Tx, int, int], CsvPage]] = {
    "companies": _companies,
    "contacts": _contacts,
}


def read_csv_page(tx: Tx, project_pk: int, what: str, after: int) -> CsvPage:
    """The CSV cells of ``what``'s records after pk ``after``, at most ``PAGE_ROWS``."""
    return _READERS[what](tx, project_pk, after)
