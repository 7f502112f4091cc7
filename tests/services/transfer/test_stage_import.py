"""``halcrm import`` of a stages file: the pipeline made to match it, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from halcrm.db.models import Activity
from halcrm.domain.errors import InvalidRequest
from halcrm.services.container import Services
from halcrm.services.crm.transfer.exporter import COLUMNS
from halcrm.services.crm.transfer.report import ImportOptions, ImportRefused, Rejection
from halcrm.services.crm.transfer.stage_import import is_stages_file
from tests.services.transfer.helpers import dump, write_csv

HEADER = ["id", "name", "kind", "position", "probability", "stall_after_days"]
# The default pipeline with Negotiation renamed Closing (found again by its id), a stage of
# one's own (id "pilot", since renamed Demo), Lead's stall limit removed and a lost-kind
# "Parked" at the end.
PIPELINE = [
    ("lead", "Lead", "open", 0, 10, None),
    ("qualified", "Qualified", "open", 1, 25, 14),
    ("pilot", "Demo", "open", 2, 40, 5),
    ("proposal", "Proposal", "open", 3, 50, 10),
    ("negotiation", "Closing", "open", 4, 80, 3),
    ("won", "Won", "won", 5, 100, None),
    ("lost", "Lost", "lost", 6, 0, None),
    ("parked", "Parked", "lost", 7, 0, None),
]

DEFAULT = [
    ("lead", "Lead", "open", 0, 10, 14),
    ("qualified", "Qualified", "open", 1, 25, 14),
    ("proposal", "Proposal", "open", 2, 50, 10),
    ("negotiation", "Negotiation", "open", 3, 75, 7),
    ("won", "Won", "won", 4, 100, None),
    ("lost", "Lost", "lost", 5, 0, None),
]


def stages_file(path: Path, rows: list[tuple[Any, ...]], **options: Any) -> Path:
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    return write_csv(path, [HEADER, *cells], **options)


async def pipeline(services: Services) -> list[tuple[Any, ...]]:
    return [
        (s.id, s.name, s.kind, s.position, s.probability, s.stall_after_days)
        for s in (await services.stages.all()).items
    ]


async def test_a_stages_file_makes_the_pipeline_match_it_and_a_dry_run_writes_nothing(
    services: Services, tmp_path: Path
) -> None:
    path = stages_file(tmp_path / "stages.csv", PIPELINE)
    before = dump(services)
    dry = await services.transfer.import_file(path, ImportOptions(dry_run=True))
    assert dump(services) == before
    assert dry.stages is not None
    assert (dry.applied, dry.rows, dry.rejected) == (False, 8, [])
    # New: Demo, Parked. Updated: Lead (its stall limit), Negotiation (name, odds, stall).
    assert dry.stages.as_dict() == {"new": 2, "updated": 2, "unchanged": 4}

    report = await services.transfer.import_file(path, ImportOptions())
    assert report.applied
    assert report.stages is not None
    assert report.stages.as_dict() == dry.stages.as_dict()
    assert report.stages_untouched == []
    assert await pipeline(services) == PIPELINE
    with services.db.session() as session:
        kinds = [
            (a.kind, a.source)
            for a in session.scalars(select(Activity).where(Activity.pk > before_activity(before)))
        ]
    assert kinds.count(("stages_changed", "import")) == 4
    assert kinds[-1] == ("imported", "import")

    again = await services.transfer.import_file(path, ImportOptions())
    assert again.stages is not None
    assert again.stages.as_dict() == {"new": 0, "updated": 0, "unchanged": 8}


def before_activity(tables: dict[str, list[tuple[Any, ...]]]) -> int:
    return max((row[0] for row in tables["activity"]), default=0)


BAD = [
    ["name", "kind", "probability", "stall_after_days", "position", "colour"],
    ["Lead", "open", "101", "", "", "red"],  # 2
    ["Foo", "parked", "1", "", "", ""],  # 3
    ["Bar", "won", "100", "5", "", ""],  # 4
    ["", "open", "1", "", "", ""],  # 5
    ["Baz", "open", "40%", "", "", ""],  # 6: good (a percent sign is read)
    ["Qux", "open", "5", "-1", "", ""],  # 7
    ["Baz", "open", "5", "", "", ""],  # 8: twice
    ["Won", "won", "100", "", "99999", ""],  # 9
    ["Quux", "", "5", "", "", ""],  # 10
    ["Corge", "open", "half", "", "", ""],  # 11
]


async def test_bad_rows_are_rejected_with_their_row_column_and_reason(
    services: Services, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "bad.csv", BAD)
    before = dump(services)
    with pytest.raises(ImportRefused) as refused:
        await services.transfer.import_file(path, ImportOptions())
    assert dump(services) == before
    report = refused.value.report
    assert report.rejected == [
        Rejection(2, "probability", "must be at most 100"),
        Rejection(3, "kind", "must be open, won or lost, not 'parked'"),
        Rejection(4, "stall_after_days", "applies to open stages only"),
        Rejection(5, "name", "must not be empty"),
        Rejection(7, "stall_after_days", "must be at least 0"),
        Rejection(8, "name", "row 6 names the stage 'Baz' already"),
        Rejection(9, "position", "must be at most 10000"),
        Rejection(10, "kind", "must be open, won or lost"),
        Rejection(11, "probability", "must be a whole number"),
    ]
    assert report.ignored_columns == ["colour"]
    assert not report.applied

    # --partial keeps the good row (Baz, 40 %, at the end) and leaves the rest as it was.
    kept = await services.transfer.import_file(path, ImportOptions(partial=True))
    assert kept.applied
    assert kept.stages is not None
    assert kept.stages.as_dict() == {"new": 1, "updated": 0, "unchanged": 0}
    assert (await pipeline(services))[-1] == ("baz", "Baz", "open", 6, 40, None)
    assert (await pipeline(services))[:6] == DEFAULT


async def test_names_match_in_any_case_and_stages_not_named_are_left_alone(
    services: Services, tmp_path: Path
) -> None:
    # No id column, a BOM and semicolons: names alone, in the case the file writes them.
    rows = [
        ["name", "kind", "probability", "stall_after_days", "position"],
        ["LEAD", "open", "20", "7", "0"],
        ["Demo", "Open", "40", "", "1"],
    ]
    path = write_csv(tmp_path / "stages.csv", rows, delimiter=";", bom=True)
    report = await services.transfer.import_file(path, ImportOptions())
    assert report.stages is not None
    assert report.stages.as_dict() == {"new": 1, "updated": 1, "unchanged": 0}
    assert report.stages_untouched == ["Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    assert await pipeline(services) == [
        ("lead", "LEAD", "open", 0, 20, 7),
        ("demo", "Demo", "open", 1, 40, None),
        *[(*row[:3], row[3] + 1, *row[4:]) for row in DEFAULT[1:]],
    ]


async def test_renames_may_swap_names_or_free_one_for_a_new_stage(
    services: Services, tmp_path: Path
) -> None:
    path = stages_file(
        tmp_path / "swap.csv",
        [
            ("proposal", "Negotiation", "open", 2, 50, 10),
            ("negotiation", "Proposal", "open", 3, 75, 7),
            # "Won" is renamed; a new stage takes its old name, placed before it.
            ("won", "Closed won", "won", 5, 100, None),
            (None, "Won", "open", 4, 90, None),
        ],
    )
    report = await services.transfer.import_file(path, ImportOptions())
    assert report.stages is not None
    assert report.stages.as_dict() == {"new": 1, "updated": 3, "unchanged": 0}
    assert [(s[0], s[1], s[3]) for s in await pipeline(services)] == [
        ("lead", "Lead", 0),
        ("qualified", "Qualified", 1),
        ("proposal", "Negotiation", 2),
        ("negotiation", "Proposal", 3),
        ("won-2", "Won", 4),
        ("won", "Closed won", 5),
        ("lost", "Lost", 6),
    ]


async def test_a_rename_onto_a_stage_the_file_does_not_name_is_rejected(
    services: Services, tmp_path: Path
) -> None:
    path = stages_file(
        tmp_path / "clash.csv",
        [("won", "Lead", "won", 4, 100, None), ("lost", "Lost", "lost", 5, 0, None)],
    )
    before = dump(services)
    dry = await services.transfer.import_file(path, ImportOptions(dry_run=True))
    assert dry.rejected == [Rejection(2, "name", "a stage named 'Lead' exists already")]
    assert dry.stages is not None
    assert dry.stages.as_dict() == {"new": 0, "updated": 0, "unchanged": 1}
    with pytest.raises(ImportRefused):
        await services.transfer.import_file(path, ImportOptions())
    assert dump(services) == before


async def test_a_stages_file_takes_no_map(services: Services, tmp_path: Path) -> None:
    path = stages_file(tmp_path / "stages.csv", PIPELINE[:1])
    with pytest.raises(InvalidRequest) as refused:
        await services.transfer.import_file(path, ImportOptions(maps={"name": "company.name"}))
    assert "a stages file has its own columns" in refused.value.detail


def test_a_stages_file_is_told_by_its_header() -> None:
    assert is_stages_file(list(COLUMNS["stages"]))
    assert is_stages_file(["Name", "Kind", "Probability"])  # any case; the rest optional
    for other in ("companies", "contacts", "activity"):
        assert not is_stages_file(list(COLUMNS[other]))
    assert not is_stages_file(["Deal Name", "Deal Stage", "Amount"])
