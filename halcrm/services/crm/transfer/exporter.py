"""``halcrm export``: companies, contacts or activity as CSV or JSON, streamed page by page.

Each page is its own short read (keyset by primary key), so memory stays flat and the writer is
never held up; a record changed while an export runs appears once, as it was when its page was
read. The CSV columns are the ones ``halcrm import`` maps back (see ``columns``).
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from halcrm.db.models import Activity, Company, Contact, ContactCompany, Stage
from halcrm.db.tx import Tx
from halcrm.db.writer import Database
from halcrm.domain.errors import InvalidRequest, NotFound
from halcrm.domain.money import from_cents

PAGE = 1000
FORMATS = ("csv", "json")
COLUMNS = {
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
}  # fmt: skip
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
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


def _companies(tx: Tx, project_id: str, after: int) -> Page:
    project = tx.project(project_id)
    stmt = (
        select(Company, Stage.name)
        .outerjoin(Stage, Stage.pk == Company.stage_pk)
        .where(Company.project_pk == project.pk, Company.pk > after)
        .order_by(Company.pk)
        .limit(PAGE)
    )
    rows: list[Row] = []
    last = None
    for company, stage in tx.session.execute(stmt):
        last = company.pk
        rows.append(
            {
                "id": company.id,
                "name": company.name,
                "domain": company.domain,
                "industry": company.industry,
                "stage": stage,
                "deal_value": from_cents(company.deal_value_cents),
                "notes": company.notes,
                "metadata": company.meta or {},
                "is_placeholder": company.is_placeholder,
                "placeholder_key": company.placeholder_key,
                "created_at": _time(company.created_at),
                "updated_at": _time(company.updated_at),
                "last_activity_at": _time(company.last_activity_at),
            }
        )
    tx.session.expunge_all()
    return rows, last


def _contacts(tx: Tx, project_id: str, after: int) -> Page:
    project = tx.project(project_id)
    stmt = (
        select(Contact)
        .where(Contact.project_pk == project.pk, Contact.pk > after)
        .order_by(Contact.pk)
        .limit(PAGE)
    )
    contacts = list(tx.session.scalars(stmt))
    links: dict[int, list[str]] = {}
    if contacts:
        linked = (
            select(ContactCompany.contact_pk, Company.id)
            .join(Company, Company.pk == ContactCompany.company_pk)
            .where(ContactCompany.contact_pk.in_([c.pk for c in contacts]))
            .order_by(ContactCompany.contact_pk, Company.pk)
        )
        for contact_pk, company_id in tx.session.execute(linked):
            links.setdefault(contact_pk, []).append(company_id)
    rows = [
        {
            "id": c.id,
            "email": c.email,
            "user_id": c.user_id,
            "name": c.name,
            "phone": c.phone,
            "notes": c.notes,
            "tags": list(c.tags or []),
            "metadata": c.meta or {},
            "company_ids": links.get(c.pk, []),
            "created_at": _time(c.created_at),
            "updated_at": _time(c.updated_at),
        }
        for c in contacts
    ]
    tx.session.expunge_all()
    return rows, contacts[-1].pk if contacts else None


def _activity(tx: Tx, project_id: str, after: int) -> Page:
    project = tx.project(project_id)
    stmt = (
        select(Activity)
        .where(Activity.project_pk == project.pk, Activity.pk > after)
        .order_by(Activity.pk)
        .limit(PAGE)
    )
    items = list(tx.session.scalars(stmt))
    rows = [
        {
            "id": str(a.pk),
            "at": _time(a.created_at),
            "kind": a.kind,
            "source": a.source,
            "summary": a.summary,
            "company_id": a.company_id,
            "company_name": a.company_name,
            "data": a.data or {},
        }
        for a in items
    ]
    tx.session.expunge_all()
    return rows, items[-1].pk if items else None


_PAGES: dict[str, Callable[[Tx, str, int], Page]] = {
    "companies": _companies,
    "contacts": _contacts,
    "activity": _activity,
}


def _page(read: Callable[[Tx, str, int], Page], project_id: str, after: int, tx: Tx) -> Page:
    return read(tx, project_id, after)


async def pages(db: Database, project_id: str, what: str) -> AsyncIterator[list[Row]]:
    """The records, oldest first, a page at a time."""
    read = _PAGES[what]
    after = 0
    while True:
        rows, last = await db.read(functools.partial(_page, read, project_id, after))
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
    return str(value)


async def stream(db: Database, project_id: str, what: str, fmt: str) -> AsyncIterator[str]:
    """The export as text chunks (one per page): CSV with a header row, or a JSON array."""
    check(what, fmt)
    names = COLUMNS[what]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(names)
        yield buffer.getvalue()
        async for rows in pages(db, project_id, what):
            buffer.seek(0)
            buffer.truncate()
            writer.writerows([_cell(row[n]) for n in names] for row in rows)
            yield buffer.getvalue()
        return
    yield "["
    first = True
    async for rows in pages(db, project_id, what):
        parts = [json.dumps(row, ensure_ascii=False) for row in rows]
        yield ("\n" if first else ",\n") + ",\n".join(parts)
        first = False
    yield "\n]\n"
