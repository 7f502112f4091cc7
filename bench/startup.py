"""Start-up: spawning ``halcrm serve`` to its first answered request, fresh and existing data,
and against a bare Litestar app on uvicorn started the same way in the same run (the ratio)."""

from __future__ import annotations

import compileall
import sys
from pathlib import Path

import halcrm
from bench.procs import halcrm_serve, reference_app
from bench.stats import median
from bench.table import Bar, Row, judged, secs, times

STARTUP = Bar(1.5, 0.5, higher_is_better=False, unit=" s")
# Issue 25: within 2x a bare Litestar app on uvicorn (aim 1.5x).
STARTUP_RATIO = Bar(2.0, 1.5, higher_is_better=False, unit="x")


def measure(work: Path, runs: int) -> list[Row]:
    """``runs`` starts on a new data folder each, then ``runs`` on one existing database, each
    beside a start of the reference app."""
    # As installed (pip writes the bytecode): a checkout run with PYTHONDONTWRITEBYTECODE
    # would compile halcrm's modules on every start, which the bare app has no share of.
    compileall.compile_dir(Path(halcrm.__file__).parent, quiet=1)
    fresh: list[float] = []
    existing: list[float] = []
    bare: list[float] = []
    for run in range(runs):
        print(f"  start-up run {run + 1}", file=sys.stderr)
        with reference_app(work) as served:
            bare.append(served.ready_after)
        with halcrm_serve(work / f"fresh-{run}") as served:
            fresh.append(served.ready_after)
        with halcrm_serve(work / "fresh-0") as served:
            existing.append(served.ready_after)
    rows = []
    reference = median(bare)
    rows.append(Row("bare Litestar on uvicorn start to first answer", secs(reference)))
    for label, values in (("fresh database", fresh), ("existing database", existing)):
        value = median(values)
        row = Row(f"`halcrm serve` start to first answer, {label}", secs(value))
        rows.append(judged(row, STARTUP, value))
    ratio = median(existing) / reference if reference else None
    row = Row(
        "`halcrm serve` start (existing database) vs bare Litestar",
        secs(median(existing)),
        ratio=times(ratio),
    )
    rows.append(judged(row, STARTUP_RATIO, ratio))
    return rows
