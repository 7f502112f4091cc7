"""Cells the API would refuse are refused by the import too (row, column, reason, nothing
written), both backends; a store that holds such a row already exports it mended; CSV exports
guard formulas and the import takes the guard off again."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import sqlite3
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from halcrm.db.models import Company, Contact
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate, CompanyPatch
from halcrm.services.crm.transfer import cells
from halcrm.services.crm.transfer.report import ImportOptions, ImportRefused
from halcrm.services.limits import MAX_JSON_DEPTH
from tests.services.transfer.helpers import dump, write_csv

HEADER = ["id", "name", "domain", "industry", "notes", "metadata"]
GOOD = ["co_ok", "Fine Co", "fine.example", "Retail", "ok", "{}"]


def _row(**cells_: str) -> list[str]:
    return [cells_.get(name, GOOD[n]) for n, name in enumerate(HEADER)]


# Each bad cell, the column named in the report, and a word of the reason.
BAD_COMPANY_CELLS = [
    (_row(metadata='{"k":"a\\ud800b"}'), "metadata", "lone surrogate"),
    (_row(metadata='{"k":"\\udc00"}'), "metadata", "lone surrogate"),
    (_row(metadata='{"k":"a\\u0000b"}'), "metadata", "NUL"),
    (_row(metadata='{"k\\u0000":"v"}'), "metadata", "NUL"),
    (_row(name="Nul\x00Co"), "name", "NUL"),
    (_row(notes="a\x00b"), "notes", "NUL"),
    (_row(metadata="[" * 2000 + "]" * 2000), "metadata", f"deeper than {MAX_JSON_DEPTH}"),
    (_row(metadata=json.dumps({"k": "x" * 10_001})), "metadata", "longer than 10000"),
    (_row(metadata=json.dumps({str(n): n for n in range(101)})), "metadata", "more than 100"),
    (_row(metadata=json.dumps({"a": {"b": {"c": {"d": 1}}}})), "metadata", "nested deeper"),
    (_row(id="co/slash"), "id", "'/'"),
    (_row(id="/co"), "id", "'/'"),
    (_row(name="N" * 201), "name", "longer than 200"),
    (_row(industry="I" * 201), "industry", "longer than 200"),
    (_row(notes="n" * 20_001), "notes", "longer than 20,000"),
]


@pytest.mark.parametrize(("cells_", "column", "reason"), BAD_COMPANY_CELLS)
async def test_a_cell_the_api_refuses_is_refused_by_row_and_column(
    services: Services, tmp_path: Path, cells_: list[str], column: str, reason: str
) -> None:
    path = write_csv(tmp_path / "companies.csv", [HEADER, GOOD, cells_])
    before = dump(services)
    with pytest.raises(ImportRefused) as refused:
        await services.transfer.import_file(path, ImportOptions())
    [rejection] = refused.value.report.rejected
    assert (rejection.row, rejection.column) == (3, column)
    assert reason in rejection.reason
    assert dump(services) == before
    # --partial keeps the good row and leaves the bad one out, on both stores.
    report = await services.transfer.import_file(path, ImportOptions(partial=True))
    assert report.companies.new == 1
    assert [r.row for r in report.rejected] == [3]


CONTACT_HEADER = ["id", "email", "name", "phone", "tags", "company_ids"]


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (["ct/1", "a@x.example", "", "", "", ""], "id", "'/'"),
        (["", "a@x.example", "", "5" * 51, "", ""], "phone", "longer than 50"),
        (["", "a@x.example", "", "", json.dumps(["t" * 101]), ""], "tags", "longer than 100"),
        (["", "a@x.example", "", "", '["a\\ud800"]', ""], "tags", "lone surrogate"),
        (["", "a@x.example", "", "", json.dumps([str(n) for n in range(101)]), ""], "tags", "101"),
        (["", "a@x.example", "", "", "", '["co/x"]'], "company_ids", "'/'"),
        (["", "a@x.example", "Ann\x00", "", "", ""], "name", "NUL"),
    ],
)
async def test_a_contact_cell_the_api_refuses_is_refused(
    services: Services, tmp_path: Path, row: list[str], column: str, reason: str
) -> None:
    path = write_csv(tmp_path / "contacts.csv", [CONTACT_HEADER, row])
    before = dump(services)
    with pytest.raises(ImportRefused) as refused:
        await services.transfer.import_file(path, ImportOptions())
    [rejection] = refused.value.report.rejected
    assert rejection.column == column
    assert reason in rejection.reason or reason == "101", rejection.reason
    assert dump(services) == before


async def test_a_row_stored_by_an_older_version_is_exported_mended(
    services: Services, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    if "://" in db_url:
        pytest.skip("PostgreSQL never stored a lone surrogate or NUL: only SQLite can hold one")
    await services.companies.create(CompanyCreate(name="Poisoned", id="co_bad"))
    with contextlib.closing(sqlite3.connect(db_url)) as conn:
        # What an older import wrote: the JSON text as SQLite keeps it, escapes and all.
        conn.execute(
            "UPDATE companies SET metadata = ?, notes = ? WHERE id = 'co_bad'",
            ('{"k":"a\\ud800b","n":"x\\u0000y"}', "fine"),
        )
        conn.commit()
    caplog.set_level(logging.WARNING)
    for fmt in ("csv", "json"):
        text = "".join([chunk async for chunk in services.transfer.export("companies", fmt)])
        text.encode("utf-8")  # writable: no lone surrogate left
        assert "\x00" not in text
        assert "a\ufffdb" in text
        assert "x\ufffdy" in text
    assert "lone surrogate" in caplog.text


async def test_a_row_stored_by_an_older_version_is_read_by_the_api(
    services: Services, db_url: str, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    if "://" in db_url:
        pytest.skip("PostgreSQL never stored a lone surrogate: only SQLite can hold one")
    await services.companies.create(CompanyCreate(name="Poisoned", id="co_bad"))
    with contextlib.closing(sqlite3.connect(db_url)) as conn:
        conn.execute(
            "UPDATE companies SET metadata = ?, notes = ? WHERE id = 'co_bad'",
            ('{"k":"a\\ud800b"}', "x\x00y"),
        )
        conn.commit()
    listed = await client.get("/api/companies", headers=auth)
    assert listed.status_code == 200
    one = await client.get("/api/companies/co_bad", headers=auth)
    assert one.status_code == 200
    assert one.json()["metadata"] == {"k": "a\ufffdb"}
    exported = await client.get("/api/export/companies", headers=auth)
    assert exported.status_code == 200
    assert "a\ufffdb" in exported.text
    assert "x\ufffdy" in exported.text


async def test_an_export_guards_formulas_and_the_import_takes_the_guard_off(
    services: Services, tmp_path: Path, fresh: object
) -> None:
    names = ["=cmd|' /C calc'!A0", "+1 555", "-lead", "@SUM(A1)", "\tTabbed", "\rCarried"]
    names += ["'=already quoted", "'plain quote", "Normal"]
    for n, name in enumerate(names):
        company = await services.companies.create(CompanyCreate(name=f"Co {n}", id=f"co_{n}"))
        await services.companies.update(company.id, CompanyPatch(notes=name, industry=name[:200]))
    text = "".join([chunk async for chunk in services.transfer.export("companies")])
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    written = {row["id"]: row["notes"] for row in rows}
    assert written["co_0"] == "'=cmd|' /C calc'!A0"
    assert written["co_3"] == "'@SUM(A1)"
    assert written["co_4"] == "'\tTabbed"
    assert written["co_6"] == "''=already quoted"
    assert written["co_7"] == "'plain quote"  # no formula after it: as it is
    assert written["co_8"] == "Normal"
    path = tmp_path / "companies.csv"
    path.write_text(text, encoding="utf-8", newline="")
    target: Services = fresh.services  # type: ignore[attr-defined]
    await target.transfer.import_file(path, ImportOptions())
    with target.db.session() as session:
        back = {c.id: (c.notes, c.industry) for c in session.scalars(select(Company))}
    assert {k: v[0] for k, v in back.items()} == {f"co_{n}": name for n, name in enumerate(names)}
    assert back["co_1"][1] == "+1 555"


def test_guard_and_unguard_are_inverse() -> None:
    for text in ["=a", "'=a", "''=a", "'a", "a", "", "'", "-", "@", "\t", "a=b", "''"]:
        written = cells.guard(text)
        taken = cells.unguard(written)
        assert (written if taken is None else taken) == text, text


async def test_the_http_export_guards_formulas_from_a_widget_call(
    services: Services, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await services.companies.create(CompanyCreate(name="=cmd|' /C calc'!A0"))
    answer = await client.get("/api/export/companies", headers=auth)
    assert answer.status_code == 200
    assert "'=cmd|' /C calc'!A0" in answer.text


async def test_contacts_with_poisoned_emails_are_refused_not_crashing(
    services: Services, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "c.csv", [["email", "name"], ["a\x00@x.example", "A"]])
    with pytest.raises(ImportRefused) as refused:
        await services.transfer.import_file(path, ImportOptions())
    assert refused.value.report.rejected[0].column == "email"
    with services.db.session() as session:
        assert session.scalars(select(Contact)).first() is None
