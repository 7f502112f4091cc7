"""CSV files in the shapes of halcrm's, HubSpot's and Pipedrive's exports, and table dumps."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import TextClause, select, text
from sqlalchemy.orm import Session

from halcrm.db.base import Base
from halcrm.services.container import Services

HUBSPOT_COMPANIES = [
    ["Record ID", "Company name", "Company Domain Name", "Industry", "Phone Number",
     "Create Date", "Last Activity Date", "City"],
    ["101", "Acme Inc", "acme.com", "Software", "+1 555", "2024-03-15 10:22", "2024-05-01 09:00",
     "Paris"],
    ["102", "Globex", "https://www.globex.io/", "Energy", "", "03/15/2024", "", "Berlin"],
    ["103", "Initech", "initech.com", "", "", "2024-13-45", "", "Austin"],
    ["104", "", "", "", "", "", "", ""],
]  # fmt: skip
HUBSPOT_CONTACTS = [
    ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Company Name",
     "Lifecycle Stage"],
    ["201", "Jane", "Doe", "Jane@Acme.com", "123", "Acme Inc", "customer"],
    ["202", "Bob", "Ross", "bob@newco.com", "", "Newco", "lead"],
    ["203", "Ann", "", "not-an-email", "", "", "lead"],
]  # fmt: skip
HUBSPOT_DEALS = [
    ["Record ID", "Deal Name", "Deal Stage", "Amount", "Create Date", "Associated Company",
     "Pipeline"],
    ["301", "Acme renewal", "Proposal", "$15,000.50", "2024-04-01", "Acme Inc", "Sales"],
    ["302", "Umbrella pilot", "Qualified", "15k", "2024-04-02", "", "Sales"],
    ["303", "Hooli", "Appointment Scheduled", "1000", "2024-04-03", "Hooli", "Sales"],
]  # fmt: skip
PIPEDRIVE_ORGANIZATIONS = [
    ["Organization - ID", "Organization - Name", "Organization - Address",
     "Organization - Organization created"],
    ["1", "Soylent", "1 Main St", "2024-02-01 08:00:00"],
    ["2", "Massive Dynamic", "Boston", "2024-02-02 08:00:00"],
]  # fmt: skip
PIPEDRIVE_PERSONS = [
    ["Person - Name", "Person - Email - Work", "Person - Phone - Work", "Person - Organization"],
    ["Sol Ent", "sol@soylent.com", "555", "Soylent"],
    ["Nina Sharp", "nina@massive.com", "", "Massive Dynamic"],
]  # fmt: skip
PIPEDRIVE_DEALS = [
    ["Deal - Title", "Deal - Value", "Deal - Currency", "Deal - Stage", "Deal - Status",
     "Deal - Organization", "Deal - Contact person", "Deal - Deal created"],
    ["Soylent deal", "1.234,50", "EUR", "Negotiation", "open", "Soylent", "Sol Ent",
     "01.03.2024"],
    ["Massive deal", "2.000", "EUR", "Proposal", "won", "Massive Dynamic", "Nina Sharp",
     "02.03.2024"],
    ["Bad deal", "lots", "EUR", "Proposal", "open", "Bad Co", "", "03.03.2024"],
]  # fmt: skip


def write_csv(
    path: Path, rows: Sequence[Sequence[str]], *, delimiter: str = ",", bom: bool = False
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def dump(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, and the indexes (an import may drop some while it writes),
    for before/after comparisons."""
    with services.db.session() as session:
        found = {
            table.name: [
                tuple(row)
                for row in session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }
        found[" indexes"] = [tuple(row) for row in session.execute(indexes(session))]
        return found


def indexes(session: Session) -> TextClause:
    """The database's indexes: (name, definition), by name."""
    if session.get_bind().dialect.name == "sqlite":
        return text("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
    return text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "ORDER BY indexname"
    )
