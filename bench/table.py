"""The one table the bench prints: rows, the issue's bars, PASS/FAIL marks, and the formatter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

COLUMNS = ("figure", "median", "p50", "p99", "vs reference", "must", "aim", "mark")


@dataclass(frozen=True)
class Bar:
    """A bar from issue 7: ``must`` has to be met, ``aim`` is where we want to be."""

    must: float
    aim: float
    higher_is_better: bool
    unit: str = ""

    def met(self, value: float, limit: float) -> bool:
        return value >= limit if self.higher_is_better else value <= limit

    def mark(self, value: float | None) -> str:
        """``PASS (aim)``, ``PASS`` or ``FAIL`` for ``value``; ``n/a`` when it was not measured."""
        if value is None:
            return "n/a"
        if self.met(value, self.aim):
            return "PASS (aim)"
        return "PASS" if self.met(value, self.must) else "FAIL"

    def text(self, limit: float) -> str:
        sign = "≥" if self.higher_is_better else "≤"
        return f"{sign} {limit:g}{self.unit}"


@dataclass(frozen=True)
class Row:
    """One line of the table; the cells are already formatted text ('' for nothing)."""

    figure: str
    median: str = ""
    p50: str = ""
    p99: str = ""
    ratio: str = ""
    must: str = ""
    aim: str = ""
    mark: str = ""

    def cells(self) -> tuple[str, ...]:
        return (
            self.figure,
            self.median,
            self.p50,
            self.p99,
            self.ratio,
            self.must,
            self.aim,
            self.mark,
        )


def judged(row: Row, bar: Bar, value: float | None) -> Row:
    """``row`` with the bar's must/aim texts and the mark for ``value`` (what the bar judges)."""
    return Row(
        row.figure,
        row.median,
        row.p50,
        row.p99,
        row.ratio,
        bar.text(bar.must),
        bar.text(bar.aim),
        bar.mark(value),
    )


def note(figure: str, text: str) -> Row:
    """A row saying why a figure has no value (not measured, failed), in the figure column so
    the value columns stay narrow."""
    return Row(f"{figure}: {text}")


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown pipe table padded to align in a terminal (and in docs/performance.md)."""
    grid = [COLUMNS, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in grid) for i in range(len(COLUMNS))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(COLUMNS), rule, *(line(cells) for cells in grid[1:])])


def ms(seconds: float) -> str:
    """Seconds as milliseconds text with sensible precision."""
    value = seconds * 1000
    return (
        f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    )


def secs(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def times(value: float | None) -> str:
    """A ratio as ``0.42x`` ('' when there is none)."""
    return "" if value is None else f"{value:.2f}x"


def per_second(value: float) -> str:
    return f"{value:,.0f} req/s"
