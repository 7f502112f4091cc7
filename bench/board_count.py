"""Instructions from entering the board's ``run_test`` to its first card line drawn: the 10k
board with 20k next steps against the same board without (issue 23's first-paint bar).

One first paint is one figure per process, and on a shared machine it moves by a tenth or more
from one process to the next: more than the bar. callgrind's count does not move with what
else the machine does (the project's rule: on a busy machine, count instructions). Each board
runs twice under callgrind, ended at once where the clock would start and at its first card
line drawn (``bench.board_child paint --stop``); the difference is the first paint's count.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from bench.procs import ROOT, clean_env


def available() -> bool:
    return shutil.which("valgrind") is not None


def first_paint_instructions(data_dir: Path, work: Path) -> int:
    """Instructions the board process runs from ``run_test`` to its first card line."""
    work.mkdir(parents=True, exist_ok=True)
    totals = {}
    for stop in ("start", "first"):
        out = work / f"callgrind-{data_dir.name}-{stop}.out"
        tool = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable]
        child = ["-m", "bench.board_child", "paint", str(data_dir), str(work / "unused.json")]
        done = subprocess.run(
            [*tool, *child, "--stop", stop],
            cwd=ROOT,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        totals[stop] = _totals(out, done.stderr)
    return totals["first"] - totals["start"]


def _totals(out: Path, stderr: str) -> int:
    if out.exists():
        for line in out.read_text().splitlines():
            if line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError(f"callgrind wrote no totals: {stderr[-1000:]}")
