"""``make bench``: runs every bench (bounded, 127.0.0.1 only) and prints one table."""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import (
    board,
    chat,
    instructions,
    live,
    lost_updates,
    next_steps,
    pg_trips,
    startup,
    streams,
    throughput,
    transfer,
    webhooks,
    workers,
)
from bench.load import wrk_available
from bench.page import write as write_page
from bench.table import Row, format_table, note

SECTIONS = (
    "http",
    "streams",
    "workers",
    "pg",
    "lost",
    "startup",
    "board",
    "live",
    "transfer",
    "chat",
    "webhooks",
    "tasks",
)
# Run only when named in --only: slow (a server under valgrind), and a count, not a timing.
OPT_IN = ("instructions",)


def machine() -> str:
    """One line describing where the figures come from."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="repeats per figure (median)")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per HTTP load run")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated subset of {SECTIONS}, or the opt-in {OPT_IN}",
    )
    parser.add_argument(
        "--python-load", action="store_true", help="use the Python load generator, not wrk"
    )
    parser.add_argument(
        "--write",
        metavar="PAGE",
        type=Path,
        help="also write the table into PAGE's generated part (make bench: docs/performance.md)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    chosen = [name for name in args.only.split(",") if name]
    unknown = set(chosen) - set(SECTIONS) - set(OPT_IN)
    if unknown:
        print(f"unknown sections: {sorted(unknown)}; known: {SECTIONS}", file=sys.stderr)
        return 2
    loaded = {"http", "live", "streams", "workers", "pg", "chat", "webhooks"} & set(chosen)
    use_wrk = bool(loaded) and not args.python_load and wrk_available()
    loader = "wrk" if use_wrk else "the Python generator"
    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="halcrm-bench-") as tmp:
        work = Path(tmp)
        benches: dict[str, Callable[[], list[Row]]] = {
            "http": lambda: throughput.measure(work, args.runs, args.seconds, use_wrk),
            "lost": lambda: lost_updates.measure(work, args.runs),
            "startup": lambda: startup.measure(work, max(args.runs, 5)),
            "board": lambda: board.measure(work, args.runs),
            "live": lambda: live.measure(work, args.runs, args.seconds, use_wrk),
            "transfer": lambda: transfer.measure(work, args.runs),
            "streams": lambda: streams.measure(work, args.runs, args.seconds, use_wrk),
            "workers": lambda: workers.measure(work, args.runs, args.seconds, use_wrk),
            "pg": lambda: pg_trips.measure(work, args.runs, args.seconds, use_wrk),
            "chat": lambda: chat.measure(work, args.runs, args.seconds, use_wrk),
            "webhooks": lambda: webhooks.measure(work, args.runs, args.seconds, use_wrk),
            "tasks": lambda: next_steps.measure(work, args.runs),
            "instructions": lambda: instructions.measure(work / "instructions"),
        }
        for name in chosen:
            print(f"bench: {name}", file=sys.stderr)
            try:
                rows.extend(benches[name]())
            except Exception as exc:
                # One broken bench must not hide the others' figures.
                rows.append(note(f"{name}", f"failed: {type(exc).__name__}: {exc}"[:200]))
    took = time.perf_counter() - started
    header = (
        f"halcrm bench on {machine()}; load by {loader}; median of {args.runs} runs "
        f"(HTTP {args.seconds:g} s each); took {took:.0f} s"
    )
    if chosen != list(SECTIONS):
        header += f"; sections {', '.join(chosen)}"
    table = format_table(rows)
    print(header)
    print(table)
    if args.write is not None:
        write_page(args.write, header, table)
        print(f"bench: the table is in {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
