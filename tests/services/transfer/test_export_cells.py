"""The CSV export of companies and contacts, its cells made by the database (``export_csv``),
is byte for byte what the general export writes for the same records: formula guards, quotes,
commas and newlines, amounts, booleans, times with and without a fraction, JSON columns and
links, on both stores."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import update

from halcrm.db.models import Company, Contact
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate, ContactCreate
from halcrm.services.crm.transfer import exporter
from halcrm.services.widget.inputs import Identify

NAMES = [
    "=SUM(A1)", "+33 1", "-dash", "@at", "'=quoted", "'''", "'plain", "it's", "Zoë ☃",
    'say "hi"', "a,b", "two\nlines", "cr\rhere", "  spaced", "\u200bzero",
]  # fmt: skip
VALUES = [None, "12", "15000.5", "0.01", "0.10", "999999999999.99", "100"]


async def _seed(services: Services) -> None:
    for n, name in enumerate(NAMES):
        value = VALUES[n % len(VALUES)]
        await services.companies.create(
            CompanyCreate(
                id=f"co-{n}" if n % 3 else f"=id{n}", name=name, domain=f"c{n}.example",
                industry="-industry" if n % 2 else "Software", notes=name if n % 4 else None,
                metadata={"é": "ü", "n": 1.5, "l": [1, "x"], "q": 'a"b'} if n % 5 == 0 else None,
                deal_value=Decimal(value) if value else None,
                stage=("Lead", "Won", "Lost", None)[n % 4],
            )
        )  # fmt: skip
    await services.contacts.create(
        ContactCreate(
            email="jane@acme.com", name="=Jane", user_id="+u1", phone="+33 1 23",
            tags=["vip", "ü", 'q"'], metadata={"role": "cto", "nested": {"a": [1, 2]}},
            notes="likes; semicolons,\nand lines",
        )
    )  # fmt: skip
    await services.contacts.create(ContactCreate(email="bare@acme.com"))
    jane = (await services.contacts.all(email="jane@acme.com")).items[0]
    await services.contacts.link(jane.id, "co-2")
    await services.contacts.link(jane.id, "=id0")
    # A free-mail visitor: a placeholder company of its own, with its key.
    await services.widget.identify(Identify(app_id="local", visitor_id="v1", email="max@gmail.com"))
    whole = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)  # a time without a fraction
    with services.db.session() as session:
        session.execute(update(Company).where(Company.id == "co-1").values(created_at=whole))
        session.execute(
            update(Contact).where(Contact.email == "bare@acme.com").values(created_at=whole)
        )
        session.commit()


async def _both(services: Services, what: str) -> tuple[str, str]:
    fast = "".join([chunk async for chunk in services.transfer.export(what, "csv")])
    read = services.transfer._export_page  # the general export: a dict per record
    general = "".join([chunk async for chunk in exporter.stream(read, what, "csv")])
    return fast, general


async def test_companies_and_contacts_export_as_the_general_export_writes_them(
    services: Services,
) -> None:
    await _seed(services)
    for what in ("companies", "contacts"):
        fast, general = await _both(services, what)
        assert fast == general
        assert fast.count("\r\n") >= 3
    companies, _ = await _both(services, "companies")
    assert "'=SUM(A1)" in companies
    assert "''=quoted" in companies
    assert ",15000.5," in companies
    assert ",0.01," in companies
    assert ",12," in companies
    assert "2026-01-02T03:04:05Z" in companies
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(companies))}
    assert json.loads(rows["'=id0"]["metadata"]) == {"é": "ü", "n": 1.5, "l": [1, "x"], "q": 'a"b'}
    assert '"é":"ü"' in rows["'=id0"]["metadata"]  # compact, not escaped
    assert rows["co-11"]["name"] == "two\nlines"
