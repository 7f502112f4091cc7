"""``import_file`` on CSV files in HubSpot's, Pipedrive's and halcrm's shapes, both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from halcrm.db.models import Activity, Company, Contact, ContactCompany, Stage, StageChange
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate, CompanyPatch, ContactCreate
from halcrm.services.crm.transfer import columns
from halcrm.services.crm.transfer.report import ImportOptions, ImportRefused
from halcrm.services.widget.inputs import Identify
from tests.services.transfer.helpers import (
    HUBSPOT_COMPANIES,
    HUBSPOT_CONTACTS,
    HUBSPOT_DEALS,
    PIPEDRIVE_DEALS,
    PIPEDRIVE_ORGANIZATIONS,
    PIPEDRIVE_PERSONS,
    dump,
    write_csv,
)

PARTIAL = ImportOptions(partial=True)


def _companies(services: Services) -> dict[str, Company]:
    with services.db.session() as session:
        return {c.name: c for c in session.scalars(select(Company))}


def _links(services: Services) -> set[tuple[str | None, str]]:
    with services.db.session() as session:
        rows = session.execute(
            select(Contact.email, Company.name)
            .join(ContactCompany, ContactCompany.contact_pk == Contact.pk)
            .join(Company, Company.pk == ContactCompany.company_pk)
        )
        return {(email, name) for email, name in rows}


def _activity_kinds(services: Services) -> list[str]:
    with services.db.session() as session:
        return list(session.scalars(select(Activity.kind).order_by(Activity.pk)))


async def test_a_bad_row_refuses_the_whole_file_and_partial_keeps_the_others(
    services: Services, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "companies.csv", HUBSPOT_COMPANIES)
    before = dump(services)
    with pytest.raises(ImportRefused) as refused:
        await services.transfer.import_file(path, ImportOptions())
    assert [(r.row, r.column) for r in refused.value.report.rejected] == [(4, "Create Date")]
    assert dump(services) == before

    report = await services.transfer.import_file(path, PARTIAL)
    assert report.applied
    assert report.companies.as_dict() == {"new": 2, "updated": 0, "unchanged": 0}
    assert "City" in report.ignored_columns
    found = _companies(services)
    assert set(found) == {"Acme Inc", "Globex"}
    acme = found["Acme Inc"]
    assert (acme.domain, acme.industry) == ("acme.com", "Software")
    assert acme.created_at == datetime(2024, 3, 15, 10, 22, tzinfo=UTC)
    assert acme.last_activity_at == datetime(2024, 5, 1, 9, tzinfo=UTC)
    assert found["Globex"].domain == "globex.io"
    assert _activity_kinds(services) == ["imported"]

    again = await services.transfer.import_file(path, PARTIAL)
    assert again.companies.as_dict() == {"new": 0, "updated": 0, "unchanged": 2}
    assert len(_companies(services)) == 2


async def test_contacts_match_by_email_and_link_by_company_column(
    services: Services, tmp_path: Path
) -> None:
    await services.transfer.import_file(write_csv(tmp_path / "c.csv", HUBSPOT_COMPANIES), PARTIAL)
    path = write_csv(tmp_path / "contacts.csv", HUBSPOT_CONTACTS)
    report = await services.transfer.import_file(path, PARTIAL)
    assert [(r.row, r.column) for r in report.rejected] == [(4, "Email")]
    assert report.contacts.new == 2
    assert report.companies.as_dict() == {"new": 1, "updated": 0, "unchanged": 1}
    assert _links(services) == {("jane@acme.com", "Acme Inc"), ("bob@newco.com", "Newco")}

    again = await services.transfer.import_file(path, PARTIAL)
    assert again.contacts.as_dict() == {"new": 0, "updated": 0, "unchanged": 2}
    assert again.links == 0
    page = await services.contacts.all()
    assert sorted(c.name or "" for c in page.items) == ["Bob Ross", "Jane Doe"]


async def test_deal_rows_set_stages_and_values_with_an_audit_row_each(
    services: Services, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "deals.csv", HUBSPOT_DEALS)
    with pytest.raises(ImportRefused) as refused:
        await services.transfer.import_file(path, ImportOptions())
    assert [(r.row, r.column) for r in refused.value.report.rejected] == [(4, "Deal Stage")]
    assert "Appointment Scheduled" in refused.value.report.rejected[0].reason

    report = await services.transfer.import_file(path, ImportOptions(create_stages=True))
    assert report.stages_created == ["Appointment Scheduled"]
    stages = [s.name for s in (await services.stages.all()).items]
    assert stages.index("Appointment Scheduled") < stages.index("Won")
    found = _companies(services)
    # A deal without a company column names its company after the deal.
    assert set(found) == {"Acme Inc", "Umbrella pilot", "Hooli"}
    assert found["Acme Inc"].deal_value_cents == 1_500_050
    assert found["Acme Inc"].meta == {"deal_name": "Acme renewal"}
    assert found["Umbrella pilot"].deal_value_cents == 1_500_000
    record = await services.companies.get(found["Acme Inc"].id)
    assert record.stage == "Proposal"
    with services.db.session() as session:
        audits = list(session.scalars(select(StageChange)))
    assert len(audits) == 3
    assert {(a.source, a.mode, a.applied) for a in audits} == {("import", "exact", True)}
    assert {a.to_stage_name for a in audits} == {"Proposal", "Qualified", "Appointment Scheduled"}
    assert _activity_kinds(services) == ["stages_changed", "imported"]


async def test_pipedrive_semicolons_bom_and_quoted_newlines(
    services: Services, tmp_path: Path
) -> None:
    await services.transfer.import_file(
        write_csv(tmp_path / "orgs.csv", PIPEDRIVE_ORGANIZATIONS, delimiter=";", bom=True), PARTIAL
    )
    people = write_csv(tmp_path / "people.csv", PIPEDRIVE_PERSONS, delimiter=";", bom=True)
    await services.transfer.import_file(people, PARTIAL)
    rows = [[*PIPEDRIVE_DEALS[0], "Deal - Note"]]
    rows += [[*r, "first line\nsecond line"] for r in PIPEDRIVE_DEALS[1:]]
    deals = write_csv(tmp_path / "deals.csv", rows, delimiter=";", bom=True)
    options = ImportOptions(partial=True, maps=columns.parse_maps(["Deal - Note=company.notes"]))
    report = await services.transfer.import_file(deals, options)
    # The quoted newlines keep every record in its own spreadsheet row.
    assert [(r.row, r.column, r.reason) for r in report.rejected] == [
        (4, "Deal - Value", "'lots' is not an amount")
    ]
    assert [w.reason for w in report.warnings] == ["contact skipped: no email"] * 2
    found = _companies(services)
    assert set(found) == {"Soylent", "Massive Dynamic"}
    soylent, massive = found["Soylent"], found["Massive Dynamic"]
    assert soylent.deal_value_cents == 123_450
    assert soylent.notes == "first line\nsecond line"
    assert soylent.created_at == datetime(2024, 2, 1, 8, tzinfo=UTC)
    assert massive.deal_value_cents == 200_000
    assert (await services.companies.get(massive.id)).stage == "Won"
    assert (await services.companies.get(soylent.id)).stage == "Negotiation"
    assert _links(services) == {
        ("sol@soylent.com", "Soylent"),
        ("nina@massive.com", "Massive Dynamic"),
    }


async def test_dry_run_touches_nothing(services: Services, tmp_path: Path) -> None:
    await services.widget.identify(
        Identify(app_id="local", visitor_id="v1", email="jane@acme.com", name="Jane")
    )
    await services.companies.create(CompanyCreate(name="Acme Inc", domain="acme.com"))
    files = [
        write_csv(tmp_path / "a.csv", HUBSPOT_COMPANIES),
        write_csv(tmp_path / "b.csv", HUBSPOT_CONTACTS),
        write_csv(tmp_path / "c.csv", HUBSPOT_DEALS),
    ]
    before = dump(services)
    dry = ImportOptions(dry_run=True, partial=True, create_stages=True)
    planned = [await services.transfer.import_file(path, dry) for path in files]
    assert dump(services) == before
    assert planned[2].stages_created == ["Appointment Scheduled"]
    assert not any(report.applied for report in planned)

    # The dry run announced what the real import then does.
    fresh = dump(services)
    for path, report in zip(files[:1], planned[:1], strict=True):
        real = await services.transfer.import_file(
            path, ImportOptions(partial=True, create_stages=True)
        )
        assert real.companies == report.companies
        assert real.rejected == report.rejected
    assert dump(services) != fresh


async def test_matching_by_id_then_domain_then_name(services: Services, tmp_path: Path) -> None:
    await services.companies.create(CompanyCreate(id="acme", name="Acme", domain="acme.com"))
    await services.companies.create(CompanyCreate(name="Twin", domain="twin.io"))
    await services.companies.create(CompanyCreate(name="Twin 2", domain="twin.io"))
    await services.companies.create(CompanyCreate(name="Named Only"))
    rows = [
        ["id", "name", "domain", "industry"],
        ["acme", "Acme Renamed", "", "Rockets"],
        ["", "Acme Again", "ACME.com", ""],
        ["", "Twin", "twin.io", ""],
        ["", "Named Only", "", "Paper"],
    ]
    report = await services.transfer.import_file(write_csv(tmp_path / "m.csv", rows), PARTIAL)
    assert [(r.row, r.column) for r in report.rejected] == [(4, "domain")]
    assert report.companies.as_dict() == {"new": 0, "updated": 2, "unchanged": 0}
    assert len(_companies(services)) == 4
    acme = await services.companies.get("acme")
    # Row 3 only names a company (name and domain): it matches, and changes nothing on it.
    assert (acme.name, acme.industry) == ("Acme Renamed", "Rockets")
    assert _companies(services)["Named Only"].industry == "Paper"


async def test_placeholders_let_go_when_a_contact_gains_its_real_company(
    services: Services, tmp_path: Path
) -> None:
    await services.widget.identify(Identify(app_id="local", visitor_id="v1", email="jane@acme.com"))
    await services.widget.identify(Identify(app_id="local", visitor_id="v2", email="max@hold.com"))
    held = next(c for c in _companies(services).values() if c.name == "hold.com")
    await services.companies.update(held.id, CompanyPatch(notes="worth keeping"))
    rows = [
        ["Email", "Company Name"],
        ["jane@acme.com", "Acme Inc"],
        ["max@hold.com", "Hold Inc"],
    ]
    report = await services.transfer.import_file(
        write_csv(tmp_path / "p.csv", rows), ImportOptions()
    )
    assert report.placeholders_released == 1
    assert set(_companies(services)) == {"Acme Inc", "hold.com", "Hold Inc"}
    assert _links(services) == {
        ("jane@acme.com", "Acme Inc"),
        ("max@hold.com", "Hold Inc"),
        ("max@hold.com", "hold.com"),  # it holds value: kept, still a placeholder, to merge
    }


async def test_halcrm_contacts_name_their_companies_by_id(
    services: Services, tmp_path: Path
) -> None:
    await services.companies.create(CompanyCreate(id="acme", name="Acme"))
    rows = [
        ["id", "email", "name", "company_ids", "tags", "metadata"],
        ["ct_1", "a@acme.com", "A", '["acme"]', '["vip"]', '{"plan": "pro"}'],
        ["ct_2", "b@acme.com", "B", '["nope"]', "", ""],
        ["ct_3", "c@acme.com", "C", "", "", "{bad json"],
    ]
    with pytest.raises(ImportRefused) as refused:
        await services.transfer.import_file(write_csv(tmp_path / "h.csv", rows), ImportOptions())
    assert [(r.row, r.column) for r in refused.value.report.rejected] == [(4, "metadata")]
    report = await services.transfer.import_file(write_csv(tmp_path / "h.csv", rows), PARTIAL)
    assert [(r.row, r.column) for r in report.rejected] == [(3, "company_ids"), (4, "metadata")]
    contact = await services.contacts.get("ct_1")
    assert (contact.tags, contact.metadata, contact.company_ids) == (
        ["vip"],
        {"plan": "pro"},
        ["acme"],
    )
    with services.db.session() as session:
        assert session.scalar(select(Contact).where(Contact.id == "ct_2")) is None
        assert len(list(session.scalars(select(Stage)))) == 6


async def test_metadata_merges_key_by_key_and_empty_cells_change_nothing(
    services: Services, tmp_path: Path
) -> None:
    """API.md's rules on an import: metadata merges (a null deletes the key), tags add up, an
    empty cell keeps what is there."""
    await services.companies.create(
        CompanyCreate(id="acme", name="Acme", notes="keep me", metadata={"plan": "pro", "seats": 5})
    )
    await services.contacts.create(
        ContactCreate(
            email="jo@acme.com", name="Jo", tags=["vip"], metadata={"role": "cto", "x": 1}
        )
    )
    rows = [["id", "metadata", "notes"], ["acme", '{"seats": 9, "region": "eu"}', ""]]
    report = await services.transfer.import_file(
        write_csv(tmp_path / "a.csv", rows), ImportOptions()
    )
    assert report.companies.as_dict() == {"new": 0, "updated": 1, "unchanged": 0}
    acme = await services.companies.get("acme")
    assert (acme.metadata, acme.notes) == ({"plan": "pro", "seats": 9, "region": "eu"}, "keep me")

    rows = [["email", "name", "tags", "metadata", "Plan"],
            ["jo@acme.com", "", '["new"]', '{"x": null, "y": 2}', "gold"]]  # fmt: skip
    maps = columns.parse_maps(["Plan=contact.metadata.plan"])
    report = await services.transfer.import_file(
        write_csv(tmp_path / "b.csv", rows), ImportOptions(maps=maps)
    )
    assert report.contacts.as_dict() == {"new": 0, "updated": 1, "unchanged": 0}
    jo = (await services.contacts.all(email="jo@acme.com")).items[0]
    assert (jo.name, jo.tags) == ("Jo", ["vip", "new"])
    assert jo.metadata == {"role": "cto", "y": 2, "plan": "gold"}
    with services.db.session() as session:
        sources = set(session.scalars(select(Activity.source).where(Activity.kind == "imported")))
    assert sources == {"import"}
