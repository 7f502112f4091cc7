"""Start-up: spawning ``halcrm serve`` to its first answered request, fresh and existing data."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.procs import halcrm_serve
from bench.stats import median
from bench.table import Bar, Row, judged, secs

STARTUP = Bar(1.5, 0.5, higher_is_better=False, unit=" s")


def measure(work: Path, runs: int) -> list[Row]:
    """``runs`` starts on a new data folder each, then ``runs`` on one existing database."""
    fresh: list[float] = []
    existing: list[float] = []
    for run in range(runs):
        print(f"  start-up run {run + 1}", file=sys.stderr)
        with halcrm_serve(work / f"fresh-{run}") as served:
            fresh.append(served.ready_after)
        with halcrm_serve(work / "fresh-0") as served:
            existing.append(served.ready_after)
    rows = []
    for label, values in (("fresh database", fresh), ("existing database", existing)):
        value = median(values)
        row = Row(f"`halcrm serve` start to first answer, {label}", secs(value))
        rows.append(judged(row, STARTUP, value))
    return rows
