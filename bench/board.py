"""Board figures: first paint, move-and-repaint and peak RSS at 1k, 10k and 50k companies.

Each measurement runs in a fresh ``bench.board_child`` process (so peak RSS is per size) on a
generated database, with the board headless through ``App.run_test()``. The 10k board is also
measured with 20k next steps (issue 23: the cards' next-step marks cost the board nothing
measurable, first paint and move within 10 % of the board without steps, in the same rounds).
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench import board_count
from bench.board_data import generate
from bench.next_steps import TASKS, add_tasks
from bench.procs import ROOT, clean_env
from bench.stats import median, percentile
from bench.table import Bar, Row, judged, ms, note, secs, times

SIZES = (1_000, 10_000, 50_000)
MOVES = 12
FIRST_PAINT = Bar(2.0, 1.0, higher_is_better=False, unit=" s")
# Issue 14: a move's p99 at every size (its median stays near one frame).
MOVE_P99 = Bar(33, 16, higher_is_better=False, unit=" ms")
RSS = Bar(300, 200, higher_is_better=False, unit=" MB")
# Issue 23: a board whose cards carry next-step marks against the same board without steps.
WITH_STEPS = Bar(1.10, 1.05, higher_is_better=False, unit="x")
STEPS_SIZE = 10_000
# Pairs of first paints compared (at least; more than ``--runs`` when that is smaller): one
# figure per process moves by a tenth on a quiet machine, the bar is a tenth.
STEPS_PAIRS = 5
LINEAR = Bar(1.0, 1.0, higher_is_better=False)
"""Growth judged as (cost ratio) / (size ratio): at most 1 is no faster than linear."""


def run_child(data_dir: Path, out: Path, moves: int) -> dict[str, Any]:
    """One measured board process; its JSON result."""
    command = [sys.executable, "-m", "bench.board_child", "paint", str(data_dir), str(out)]
    done = subprocess.run(
        [*command, "--moves", str(moves)],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"board child failed: {done.stderr[-1500:]}")
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def label(size: int) -> str:
    return f"{size // 1000}k"


Pair = tuple[dict[str, Any], dict[str, Any]]


def measure(work: Path, runs: int) -> list[Row]:
    """Interleaves the sizes over ``runs`` rounds; medians per size, then the growth rows."""
    results, pairs = _rounds(work, runs)
    rows: list[Row] = []
    paint = {s: median([r["first_paint"] for r in results[s]]) for s in SIZES}
    moves = {s: [m for r in results[s] for m in r["moves"]] for s in SIZES}
    move = {s: median(moves[s]) for s in SIZES}
    rss = {s: median([r["rss"] for r in results[s]]) for s in SIZES}
    largest = SIZES[-1]
    for size in SIZES:
        row = Row(f"board first paint, {label(size)} companies", secs(paint[size]))
        rows.append(judged(row, FIRST_PAINT, paint[size]) if size == largest else row)
    for size in SIZES:
        p99 = percentile(moves[size], 99)
        row = Row(
            f"board move a card (L/H) and repaint, {label(size)}",
            ms(move[size]),
            ms(percentile(moves[size], 50)),
            ms(p99),
        )
        rows.append(judged(row, MOVE_P99, p99 * 1000))
    for size in SIZES:
        row = Row(f"board peak RSS, {label(size)} companies", f"{rss[size]:.0f} MB")
        rows.append(judged(row, RSS, rss[size]) if size == largest else row)
    for name, figure in (("first paint", paint), ("move", move), ("peak RSS", rss)):
        rows.append(growth_row(name, figure))
    counted = counted_rows(work)
    # Counted, the first paint is judged in instructions (a timing moves more than its bar).
    rows.extend(steps_rows(pairs, judge_paint=not board_count.available()))
    rows.extend(counted)
    return rows


def _rounds(work: Path, runs: int) -> tuple[dict[int, list[dict[str, Any]]], list[Pair]]:
    """Each size's results, and pairs of the 10k board without and with next steps."""
    dirs = {size: generate(work / f"board-{size}", size) for size in SIZES}
    stepped = generate(work / "board-steps", STEPS_SIZE)
    add_tasks(str(stepped / "halcrm.db"))
    results: dict[int, list[dict[str, Any]]] = {size: [] for size in SIZES}
    pairs: list[Pair] = []
    for run in range(max(runs, STEPS_PAIRS)):
        # The board without steps right before the one with them: a pair shares the moment.
        for size in sorted(SIZES, key=lambda s: s == STEPS_SIZE) if run < runs else ():
            print(f"  board {label(size)} run {run + 1}", file=sys.stderr)
            out = work / f"board-{size}-{run}.json"
            results[size].append(run_child(dirs[size], out, MOVES))
        if run < runs:
            plain = results[STEPS_SIZE][-1]
        else:
            print(f"  board {label(STEPS_SIZE)} without steps, pair {run + 1}", file=sys.stderr)
            plain = run_child(dirs[STEPS_SIZE], work / f"board-plain-{run}.json", MOVES)
        print(f"  board {label(STEPS_SIZE)} with next steps, pair {run + 1}", file=sys.stderr)
        pairs.append((plain, run_child(stepped, work / f"board-steps-{run}.json", MOVES)))
    return results, pairs


def counted_rows(work: Path) -> list[Row]:
    """The first paint counted in instructions (``board_count``), where valgrind is."""
    what = f"{label(STEPS_SIZE)} companies, {TASKS // 1000}k next steps"
    figure = f"board first paint in instructions, {what} (vs none)"
    if not board_count.available():
        return [note(figure, "skipped: valgrind is not installed (Debian: valgrind)")]
    print("  board first paint under callgrind, with and without steps", file=sys.stderr)
    counted = work / "board-callgrind"
    plain = board_count.first_paint_instructions(work / f"board-{STEPS_SIZE}", counted)
    marked = board_count.first_paint_instructions(work / "board-steps", counted)
    ratio = marked / plain if plain else 0.0
    row = Row(figure, f"{marked / 1e6:,.0f} M", ratio=times(ratio))
    return [judged(row, WITH_STEPS, ratio)]


def steps_rows(pairs: list[Pair], *, judge_paint: bool = True) -> list[Row]:
    """The board with every card's next-step mark against the same size without steps: the
    median of the pairs' ratios (a first paint is one figure a process, and a pair's two
    processes run back to back, so what else the machine does weighs on both alike)."""
    what = f"{label(STEPS_SIZE)} companies, {TASKS // 1000}k next steps"
    rows = []
    for name, figure, shown in (
        ("first paint", lambda r: r["first_paint"], secs),
        ("move a card and repaint", lambda r: median(r["moves"]), ms),
    ):
        ratios = [figure(marked) / figure(plain) for plain, marked in pairs if figure(plain)]
        marked = median([figure(marked) for _, marked in pairs])
        ratio = median(ratios) if ratios else 0.0
        row = Row(f"board {name}, {what} (vs none)", shown(marked), ratio=times(ratio))
        rows.append(judged(row, WITH_STEPS, ratio) if judge_paint or name != "first paint" else row)
    return rows


def growth_row(name: str, figure: dict[int, float]) -> Row:
    """Cost growth over the sizes beside the size growth; PASS while no step is superlinear."""
    steps = list(itertools.pairwise(SIZES))
    grown = [figure[b] / figure[a] if figure[a] else 0.0 for a, b in steps]
    sizes = [b / a for a, b in steps]
    worst = max(g / s for g, s in zip(grown, sizes, strict=True))
    text = " → ".join(f"{g:.2f}x" for g in grown)
    limit = " → ".join(f"{s:g}x" for s in sizes)
    row = Row(
        f"board {name} growth {' → '.join(label(s) for s in SIZES)}",
        text,
        must=f"≤ {limit} (linear)",
        aim=f"≤ {limit}",
        mark=LINEAR.mark(worst).replace(" (aim)", ""),
    )
    return row
