"""The spool: the rows a strict import's check built, read back by the import exactly as built."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from halcrm.domain.stages import StageInfo, StageKind
from halcrm.services.crm.transfer import importer, spool
from halcrm.services.crm.transfer.report import ImportOptions, ImportReport
from halcrm.services.crm.transfer.rows import CompanyIn, ContactIn, RowIn, Stages
from tests.services.transfer.helpers import write_csv

STAGES = (
    StageInfo("st_lead", "Lead", 0, StageKind.OPEN),
    StageInfo("st_won", "Won", 1, StageKind.WON),
)


def _full(number: int) -> RowIn:
    """A row with every field of its company and contact given."""
    when = datetime(2026, 11, 27, 12, 30, tzinfo=UTC)
    company = CompanyIn(
        "co_x", f"Acme {number}", "acme.com", "Tools", "notes", "st_lead", 150, {"k": [1, "v"]},
        when, when, True, "key", "open",
    )  # fmt: skip
    contact = ContactIn(
        "ct_x", f"p{number}@acme.com", "u1", "Ann", "+1 555", "n", ["a", "b"], {"m": 1},
        ["co_x"], when,
    )  # fmt: skip
    return RowIn(number, company, contact, "a warning")


def test_rows_come_back_equal_as_new_objects_every_read() -> None:
    rows = [_full(n) for n in range(spool.BATCH + 5)] + [
        RowIn(9999, None, ContactIn(email="x@y.z"))
    ]
    seen: list[tuple[int, int]] = []
    with spool.Spool() as kept:
        for row in rows:
            kept.add(row)
        first = list(kept.read(lambda done, total: seen.append((done, total))))
        again = list(kept.read())
    assert first == rows
    assert again == rows
    assert first[0] is not rows[0]
    assert first[0].company is not rows[0].company
    assert first[0].company is not None
    assert again[0].company is not None
    assert first[0].company.meta is not again[0].company.meta
    assert seen[-1][0] == seen[-1][1]


def test_a_strict_check_spools_the_rows_the_import_would_build(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [
            ["Company name", "Company Domain Name", "Deal Stage", "Amount", "Email", "First Name"],
            ["Acme", "https://www.Acme.com/x", "lead", "$1,000.50", "Ann@Acme.com", "Ann"],
            ["", "", "", "", "bob@b.com", "Bob"],
            ["Beta", "beta.io", "Won", "15k", "", ""],
        ],
    )
    options = ImportOptions()
    with spool.Spool() as kept:
        checked = importer.check(path, options, STAGES, None, kept)
        assert checked.rejected == []
        assert checked.spool is kept
        spooled = list(kept.read())
    reader = importer._Reader(path, options, Stages(STAGES, False), None)
    assert spooled == list(reader.rows(ImportReport(file="in.csv")))
    assert [row.number for row in spooled] == [2, 3, 4]
