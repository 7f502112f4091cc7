"""A stock HubSpot companies export: imported without --map (the domain column, else the
website's), in-file duplicates merged with one warning each (first name and earliest Create
Date kept, other names noted), invisible characters taken out of names. Both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from halcrm.db.models import Company
from halcrm.services.container import Services
from halcrm.services.crm.transfer.report import ImportOptions
from tests.services.transfer.helpers import write_csv

STOCK = [
    ["Record ID", "Company name", "Company Domain Name", "Website URL", "Industry",
     "Create Date", "Company owner", "Lifecycle Stage"],
    ["1", "Acme Inc", "acme.com", "https://www.acme.com", "Software", "2024-03-15 10:22",
     "Ann", "customer"],
    ["2", "Globex", "", "https://www.globex.io/about", "Energy", "2024-01-02 08:00", "Bob",
     "lead"],
    ["3", "Acme Incorporated", "acme.com", "", "", "2023-11-01 09:00", "Ann", "customer"],
    ["4", "Acme, Inc.", "ACME.com", "", "", "2025-01-01 09:00", "Ann", "customer"],
    ["5", "Zero\u200bWidth\u2060 Co\ufeff", "", "", "", "", "", ""],
    ["6", "Nowhere", "", "", "", "", "", ""],
]  # fmt: skip


def _companies(services: Services) -> dict[str, Company]:
    with services.db.session() as session:
        return {c.name: c for c in session.scalars(select(Company))}


async def test_a_stock_hubspot_companies_export_imports_without_map(
    services: Services, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "hubspot-companies.csv", STOCK)
    report = await services.transfer.import_file(path, ImportOptions())
    assert report.rejected == []
    assert report.companies.new == 4
    found = _companies(services)
    assert set(found) == {"Acme Inc", "Globex", "ZeroWidth Co", "Nowhere"}
    assert found["Globex"].domain == "globex.io"  # from the website, the domain being empty
    acme = found["Acme Inc"]
    assert acme.domain == "acme.com"
    assert acme.industry == "Software"
    # The earliest Create Date of the three rows, and the other names kept.
    created = acme.created_at.replace(tzinfo=acme.created_at.tzinfo or UTC)
    assert created == datetime(2023, 11, 1, 9, tzinfo=UTC)
    assert acme.meta["other_names"] == ["Acme Incorporated", "Acme, Inc."]
    merged = [(w.row, w.column) for w in report.warnings]
    assert merged == [(4, "Company name"), (5, "Company name")]
    assert "a duplicate of row 2 (same domain 'acme.com')" in report.warnings[0].reason
    assert "'Acme Incorporated' kept in other_names" in report.warnings[0].reason


async def test_importing_the_export_again_changes_nothing(
    services: Services, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "hubspot-companies.csv", STOCK)
    await services.transfer.import_file(path, ImportOptions())
    again = await services.transfer.import_file(path, ImportOptions())
    assert again.companies.new == 0
    assert again.companies.updated == 0
