"""`make bench` writes its table into docs/performance.md: only between the markers, the
hand-written explanation kept, on a small fake result (the real bench takes minutes)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bench import page
from bench.table import Bar, Row, format_table, judged

ROOT = Path(__file__).resolve().parents[2]
WHEN = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


def _table(value: str) -> str:
    bar = Bar(must=33, aim=16, higher_is_better=False, unit=" ms")
    return format_table(
        [
            Row("HTTP track, 32 conn", median="1,290 req/s", p50="24.5 ms", p99="40.0 ms"),
            judged(Row("board move a card, 1k", median=value), bar, 14.0),
        ]
    )


def test_the_bench_replaces_only_its_part_of_the_page(tmp_path: Path) -> None:
    target = tmp_path / "performance.md"
    hand = "# Performance\n\nHow it is measured, by hand.\n\n"
    after = "\n\n## What the figures say\n\nKept.\n"
    target.write_text(hand + page.block("old header", "| old |", WHEN) + after)

    page.write(target, "halcrm bench on 2 cores", _table("14.0 ms"), WHEN)

    text = target.read_text()
    assert text.startswith(hand)
    assert text.endswith(after)
    assert "| old |" not in text
    assert "Written by `make bench` on 2026-12-06 09:30 UTC: halcrm bench on 2 cores." in text
    assert "| board move a card, 1k | 14.0 ms" in text
    assert "PASS (aim)" in text
    assert text.count(page.START) == 1
    assert text.count(page.END) == 1

    page.write(target, "halcrm bench on 2 cores", _table("15.0 ms"), WHEN)
    again = target.read_text()
    assert "15.0 ms" in again
    assert "14.0 ms" not in again
    assert again.startswith(hand)
    assert again.endswith(after)
    assert not list(tmp_path.glob("*.partial"))


def test_a_page_without_markers_gets_the_table_at_its_end(tmp_path: Path) -> None:
    target = tmp_path / "performance.md"
    target.write_text("# Performance\n\nNotes.\n")
    page.write(target, "header", _table("14.0 ms"), WHEN)
    text = target.read_text()
    assert text.startswith("# Performance\n\nNotes.\n\n" + page.START)
    assert text.rstrip().endswith(page.END)

    missing = tmp_path / "new.md"
    page.write(missing, "header", _table("14.0 ms"), WHEN)
    assert missing.read_text().startswith("# Performance\n")


def test_the_docs_page_carries_the_markers_the_bench_writes_between() -> None:
    text = (ROOT / page.PAGE).read_text(encoding="utf-8")
    assert text.count(page.START) == 1
    assert text.count(page.END) == 1
    assert text.index(page.START) < text.index("| figure") < text.index(page.END)
    assert "## What the figures say" in text.split(page.END, 1)[1]


def test_make_bench_names_the_page_to_write() -> None:
    from bench.__main__ import parse_args

    assert parse_args([]).write is None
    assert parse_args(["--write", page.PAGE]).write == Path(page.PAGE)
    assert f"--write {page.PAGE}" in (ROOT / "Makefile").read_text()
