"""Runs wrk (Debian's package) with ``wrk/bodies.lua`` and parses the line its ``done`` prints."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from bench.load import Load, LoadResult

SCRIPT = Path(__file__).with_name("wrk") / "bodies.lua"
LINE = re.compile(r"^BENCH (.+)$", re.MULTILINE)
ERRORS = ("connect", "read", "write", "status", "timeout")


def parse_wrk(output: str) -> LoadResult:
    """The result in the ``BENCH key=value ...`` line of wrk's output.

    Raises:
        ValueError: when the line is missing (wrk failed or the script did not run).
    """
    match = LINE.search(output)
    if match is None:
        raise ValueError(f"no BENCH line in wrk's output: {output[-500:]!r}")
    fields = dict(item.split("=", 1) for item in match.group(1).split())
    values = {key: int(float(value)) for key, value in fields.items()}
    return LoadResult(
        requests=values["requests"],
        seconds=values["duration_us"] / 1e6,
        p50=values["p50_us"] / 1e6,
        p99=values["p99_us"] / 1e6,
        errors=sum(values.get(key, 0) for key in ERRORS),
    )


def run_wrk(base_url: str, load: Load, connections: int, seconds: float, tag: str) -> LoadResult:
    """One wrk run of ``load``; one wrk thread, so the server keeps the other core."""
    threads = 1
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(SCRIPT),
        base_url + load.path,
        "--",
        load.path,
        load.template,
        str(load.pool),
        tag,
        str(threads),
        # Mixed traffic: (path, template) pairs after the five fixed arguments.
        *(part for pair in load.mix for part in pair),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    return parse_wrk(done.stdout + done.stderr)
