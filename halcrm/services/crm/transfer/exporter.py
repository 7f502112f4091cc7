"""``halcrm export``: stages, companies, contacts or activity as CSV or JSON, page by page.

Each page is its own short read (keyset by primary key), so memory stays flat and the writer is
never held up; a record changed while an export runs appears once, as it was when its page was
read. The CSV columns are the ones ``halcrm import`` maps back (see ``columns``; a stages
file is recognised by its own header, see ``stage_import``).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, select, type_coerce

from halcrm.db.models import Activity, Company, Contact, ContactCompany, Stage
from halcrm.db.tx import Tx
from halcrm.domain.errors import InvalidRequest, NotFound
from halcrm.domain.money import from_cents
from halcrm.services.crm.transfer import export_csv
from halcrm.services.crm.transfer.cells import guard
from halcrm.services.crm.transfer.task_export import TASK_COLUMNS, tasks_page

log = logging.getLogger(__name__)

PAGE = 1000
FORMATS = ("csv", "json")
COLUMNS = {
    # Every column that defines a stage, in board order: a fresh database gets the same pipeline.
    "stages": ("id", "name", "kind", "position", "probability", "stall_after_days"),
    "companies": (
        "id", "name", "domain", "industry", "stage", "deal_value", "notes", "metadata",
        "is_placeholder", "placeholder_key", "created_at", "updated_at", "last_activity_at",
    ),
    "contacts": (
        "id", "email", "user_id", "name", "phone", "notes", "tags", "metadata", "company_ids",
        "created_at", "updated_at",
    ),
    "activity": (
        "id", "at", "kind", "source", "summary", "company_id", "company_name", "data",
    ),
    "tasks": TASK_COLUMNS,
}  # fmt: skip
Row = dict[str, Any]
Page = tuple[list[Row], int | None]


def check(what: str, fmt: str) -> None:
    """Refuses an unknown kind or format before anything is streamed."""
    if what not in COLUMNS:
        raise NotFound(f"nothing to export named {what!r}; use one of {', '.join(COLUMNS)}")
    if fmt not in FORMATS:
        raise InvalidRequest(f"format must be csv or json, not {fmt!r}", field="format")


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _in_project(column: Any, project_pk: int) -> Any:
    """The project filter of a page, written so it cannot use an index: SQLite would pick the
    (project, stage) index and sort the whole project for every page; the primary key's range
    (``pk > after ORDER BY pk LIMIT``) is the plan wanted, a page read in a millisecond."""
    return column + 0 == project_pk


def _stages(tx: Tx, project_id: str, after: int) -> Page:
    """The whole pipeline in one page, in board order (a project has a handful of stages)."""
    project = tx.project(project_id)
    names = COLUMNS["stages"]
    stmt = (
        select(*(getattr(Stage, name) for name in names))
        .where(Stage.project_pk == project.pk)
        .order_by(Stage.position, Stage.pk)
    )
    rows = [dict(zip(names, values, strict=True)) for values in tx.session.execute(stmt)]
    return rows, None


def _companies(tx: Tx, project_id: str, after: int) -> Page:
    project = tx.project(project_id)
    c = Company
    times = [_stored(tx, col) for col in (c.created_at, c.updated_at, c.last_activity_at)]
    stmt = (
        select(
            c.pk, c.id, c.name, c.domain, c.industry, Stage.name, c.deal_value_cents, c.notes,
            c.meta, c.is_placeholder, c.placeholder_key, *times,
        )
        .outerjoin(Stage, Stage.pk == c.stage_pk)
        .where(_in_project(c.project_pk, project.pk), c.pk > after)
        .order_by(c.pk)
        .limit(PAGE)
    )  # fmt: skip
    rows: list[Row] = []
    last = None
    when = _sqlite_time if tx.is_sqlite else _time
    names = COLUMNS["companies"]
    # Core on the transaction's connection: plain tuples, no ORM row objects.
    for pk, *values in tx.conn.execute(stmt):
        last = pk
        row = dict(zip(names, values, strict=True))
        row["deal_value"] = from_cents(row["deal_value"])
        row["metadata"] = row["metadata"] or {}
        row["is_placeholder"] = bool(row["is_placeholder"])
        row["created_at"] = when(row["created_at"])
        row["updated_at"] = when(row["updated_at"])
        row["last_activity_at"] = when(row["last_activity_at"])
        rows.append(row)
    return rows, last


def _stored(tx: Tx, column: Any) -> Any:
    """A time column as SQLite stores it (UTC text), so a page is not parsed into datetimes
    only to be written out again; PostgreSQL's own type elsewhere."""
    return type_coerce(column, String) if tx.is_sqlite else column


def _sqlite_time(value: str | None) -> str | None:
    """``2026-12-06 09:01:07.821503`` (SQLite's UTC text) as ``_time`` writes it."""
    if not value:
        return None
    value = value.replace(" ", "T", 1)
    return (value[:-7] if value.endswith(".000000") else value) + "Z"


def _contacts(tx: Tx, project_id: str, after: int) -> Page:
    project = tx.project(project_id)
    c = Contact
    stmt = (
        select(
            c.pk, c.id, c.email, c.user_id, c.name, c.phone, c.notes, c.tags, c.meta,
            c.created_at, c.updated_at,
        )
        .where(_in_project(c.project_pk, project.pk), c.pk > after)
        .order_by(c.pk)
        .limit(PAGE)
    )  # fmt: skip
    found = tx.session.execute(stmt).all()
    links: dict[int, list[str]] = {}
    if found:
        linked = (
            select(ContactCompany.contact_pk, Company.id)
            .join(Company, Company.pk == ContactCompany.company_pk)
            .where(ContactCompany.contact_pk.between(found[0][0], found[-1][0]))
            .order_by(ContactCompany.contact_pk, Company.pk)
        )
        for contact_pk, company_id in tx.session.execute(linked):
            links.setdefault(contact_pk, []).append(company_id)
    rows = []
    for pk, id_, email, user_id, name, phone, notes, tags, meta, created, updated in found:
        rows.append(
            {
                "id": id_, "email": email, "user_id": user_id, "name": name, "phone": phone,
                "notes": notes, "tags": list(tags or []), "metadata": meta or {},
                "company_ids": links.get(pk, []), "created_at": _time(created),
                "updated_at": _time(updated),
            }
        )  # fmt: skip
    return rows, found[-1][0] if found else None


def _activity(tx: Tx, project_id: str, after: int) -> Page:
    project = tx.project(project_id)
    a = Activity
    stmt = (
        select(
            a.pk, a.created_at, a.kind, a.source, a.summary, a.company_id, a.company_name, a.data
        )
        .where(_in_project(a.project_pk, project.pk), a.pk > after)
        .order_by(a.pk)
        .limit(PAGE)
    )
    rows = []
    last = None
    for pk, at, *values in tx.session.execute(stmt):
        last = pk
        row = dict(zip(COLUMNS["activity"][2:], values, strict=True))
        rows.append({"id": str(pk), "at": _time(at), **row, "data": row["data"] or {}})
    return rows, last


_PAGES: dict[str, Callable[[Tx, str, int], Page]] = {
    "stages": _stages,
    "companies": _companies,
    "contacts": _contacts,
    "activity": _activity,
    "tasks": tasks_page,
}


def read_page(tx: Tx, project_id: str, what: str, after: int) -> Page:
    """The page of ``what`` after the record keyed ``after`` (0: the first page)."""
    return _PAGES[what](tx, project_id, after)


# Reads one page in a read transaction of its own: ``(what, after)`` -> the page.
PageReader = Callable[[str, int], Awaitable[Page]]


async def pages(read: PageReader, what: str) -> AsyncIterator[list[Row]]:
    """The records, oldest first, a page at a time (each page its own short read)."""
    after = 0
    while True:
        rows, last = await read(what, after)
        if rows:
            yield rows
        if last is None or len(rows) < PAGE:
            return
        after = last


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return guard(str(value))


def _text(value: str | None) -> str:
    return guard(value) if value else ""


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _json(value: Any) -> str:
    return _JSON(value) if value else ("[]" if isinstance(value, list) else "{}")


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


_BOOLEAN = {True: "true", False: "false", None: ""}
# Each column's cell writer (the general ``_cell`` for the others): one call a cell.
_WRITERS: dict[str, Callable[[Any], str]] = {
    "id": _text, "name": _text, "domain": _text, "industry": _text, "stage": _text,
    "notes": _text, "placeholder_key": _text, "email": _text, "user_id": _text,
    "phone": _text, "summary": _text, "company_id": _text, "company_name": _text,
    "deal_value": _plain, "created_at": _plain, "updated_at": _plain,
    "last_activity_at": _plain, "at": _plain, "metadata": _json, "tags": _json,
    "company_ids": _json, "data": _json, "is_placeholder": _BOOLEAN.__getitem__,
}  # fmt: skip


# What UTF-8 cannot carry (lone surrogates) and what the stores refuse now (NUL): a row an older
# version stored with them is written with U+FFFD in their place, and a warning.
_UNWRITABLE = re.compile("[\x00\ud800-\udfff]")


def _writable(text: str) -> bool:
    return "\x00" not in text and (text.isascii() or _UNWRITABLE.search(text) is None)


def _mend(value: Any) -> Any:
    if isinstance(value, str):
        return _UNWRITABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_mend(k): _mend(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mend(v) for v in value]
    return value


def _mended(what: str, rows: list[Row]) -> list[Row]:
    """The page with every unwritable character replaced, each mended row named in the log."""
    out = []
    for row in rows:
        mended = {name: _mend(value) for name, value in row.items()}
        bad = [name for name in row if mended[name] != row[name]]
        if bad:
            log.warning(
                "%s %s: %s held characters that cannot be exported (a lone surrogate or NUL, "
                "stored by an older version); written as U+FFFD",
                what,
                row.get("id"),
                ", ".join(bad),
            )
        out.append(mended)
    return out


def _csv_page(writer: Any, buffer: io.StringIO, names: tuple[str, ...], rows: list[Row]) -> str:
    buffer.seek(0)
    buffer.truncate()
    cells = [(name, _WRITERS.get(name, _cell)) for name in names]
    writer.writerows([write(row[name]) for name, write in cells] for row in rows)
    return buffer.getvalue()


# Reads one page of CSV cells in a read transaction of its own (``export_csv``).
CsvReader = Callable[[str, int], Awaitable[export_csv.CsvPage]]


def _written(writer: Any, buffer: io.StringIO, rows: Sequence[Any]) -> str:
    buffer.seek(0)
    buffer.truncate()
    writer.writerows(rows)
    return buffer.getvalue()


async def _csv_pages(
    read: CsvReader, what: str, writer: Any, buffer: io.StringIO
) -> AsyncIterator[str]:
    """The pages of ``export_csv`` written out; a page with a character no file can hold
    (stored by an older version) is mended as the general export mends one."""
    names = COLUMNS[what]
    after = 0
    while True:
        rows, last = await read(what, after)
        text = _written(writer, buffer, rows)
        if not _writable(text):
            mended = _mended(what, [dict(zip(names, row, strict=True)) for row in rows])
            text = _written(writer, buffer, [list(row.values()) for row in mended])
        if text:
            yield text
        if last is None or len(rows) < export_csv.PAGE_ROWS:
            return
        after = last


async def stream(
    read: PageReader, what: str, fmt: str, read_csv: CsvReader | None = None
) -> AsyncIterator[str]:
    """The export as text chunks (one per page): CSV with a header row, or a JSON array.
    Companies and contacts as CSV come from ``read_csv`` when given (``export_csv``).

    CSV cells that a spreadsheet would run as a formula are written behind a ``'``
    (``cells.guard``; the import takes it off again)."""
    check(what, fmt)
    names = COLUMNS[what]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(names)
        yield buffer.getvalue()
        if read_csv is not None and what in export_csv.KINDS:
            async for text in _csv_pages(read_csv, what, writer, buffer):
                yield text
            return
        async for rows in pages(read, what):
            text = _csv_page(writer, buffer, names, rows)
            if not _writable(text):
                text = _csv_page(writer, buffer, names, _mended(what, rows))
            yield text
        return
    yield "["
    first = True
    async for rows in pages(read, what):
        text = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
        if not _writable(text):
            text = ",\n".join(json.dumps(row, ensure_ascii=False) for row in _mended(what, rows))
        yield ("\n" if first else ",\n") + text
        first = False
    yield "\n]\n"
