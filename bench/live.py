"""Live figures: a widget call's answer to its card repainted while signals flood in, and the
server's bare-route throughput with the board open versus headless (same process, same loop)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.board_data import generate
from bench.load import Load, run_load
from bench.paint import PROBE_BASE
from bench.procs import ROOT, clean_env, stop_process
from bench.pyload import Connection
from bench.stats import median, percentile, ratio
from bench.table import Bar, Row, judged, ms, per_second, times

COMPANIES = 10_000
RATE = 500
PROBES_PER_SECOND = 10
BACKGROUND = 64
# Issue 14: a signal on screen within 50 ms (p99) at 500 signals/s.
LIVE_P99 = Bar(50, 25, higher_is_better=False, unit=" ms")
# Issue 12: a board attached over HTTP (--connect) under the same flood.
CONNECT_P99 = Bar(150, 50, higher_is_better=False, unit=" ms")
OPEN_RATIO = Bar(0.8, 0.95, higher_is_better=True, unit="x")
HEALTH = Load("halcrm /health", "/health")


@contextmanager
def _child(args: list[str], out: Path) -> Iterator[str]:
    """``bench.board_child ARGS``; yields what it writes to OUT + ".port" once ready."""
    ready = out.with_name(out.name + ".port")
    ready.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.board_child", *args]
    log = out.with_suffix(".log").open("wb")
    process = subprocess.Popen(
        command, cwd=ROOT, env=clean_env(), stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists() or not ready.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"board child did not start: {out.with_suffix('.log')}")
            time.sleep(0.02)
        yield ready.read_text()
    finally:
        stop_process(process, grace=30)
        log.close()


@contextmanager
def board_process(data_dir: Path, out: Path, with_board: bool) -> Iterator[str]:
    """``bench.board_child serve``: halcrm's app, with the board open or not; yields its URL."""
    args = ["serve", str(data_dir), str(out), *(["--board"] if with_board else [])]
    with _child(args, out) as port:
        yield f"http://127.0.0.1:{port}"


@contextmanager
def connected_board(data_dir: Path, out: Path, url: str) -> Iterator[None]:
    """``bench.board_child connect``: a board attached to ``url`` in a process of its own."""
    with _child(["connect", str(data_dir), str(out), "--url", url], out):
        yield


def body(data: dict[str, Any]) -> bytes:
    return json.dumps({"project_id": "local", **data}).encode()


async def prepare(url: str) -> None:
    """The probe visitor (its company sorts first, so its card is on screen) and background
    visitors, each with a company of its own."""
    conn = await Connection.open(url)
    try:
        status, _ = await conn.call(
            "/api/widget/identify",
            body(
                {
                    "visitor_id": "probe",
                    "email": "probe@probe-co.com",
                    "company": {"id": "probe", "name": "AAA Probe"},
                }
            ),
        )
        if status != 200:
            raise RuntimeError(f"probe identify answered {status}")
        for i in range(BACKGROUND):
            visitor = {"visitor_id": f"bg-{i}", "email": f"bg{i}@bg{i}.com"}
            company = {"id": f"bg-{i}", "name": f"Bg {i:03d}"}
            await conn.call("/api/widget/identify", body({**visitor, "company": company}))
    finally:
        conn.close()


def signal_body(n: int) -> tuple[str, bytes]:
    """Background signals: deal values, milestones and stage changes on the background cards."""
    visitor = f"bg-{n % BACKGROUND}"
    kind = n % 3
    if kind == 0:
        return "/api/widget/set-deal", body({"visitor_id": visitor, "deal_value": n % 90_000})
    if kind == 1:
        return "/api/widget/track", body({"visitor_id": visitor, "name": "page_view", "value": n})
    stages = ("Lead", "Qualified", "Proposal", "Negotiation")
    stage = stages[(n // BACKGROUND) % len(stages)]
    return "/api/widget/set-stage", body(
        {"visitor_id": visitor, "stage": stage, "stage_update_mode": "exact"}
    )


async def flood(url: str, seconds: float, first_probe: int) -> tuple[float, dict[int, float]]:
    """RATE signals/s (paced, 16 connections) plus probes; answers (achieved rate, probe k ->
    monotonic time its answer arrived)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started + seconds
    sent = 0
    done = 0
    answered: dict[int, float] = {}

    async def signals() -> None:
        nonlocal sent, done
        conn = await Connection.open(url)
        try:
            while True:
                n = sent
                sent += 1
                due = started + n / RATE
                # Bounded in time, not count: a server slower than RATE just gets fewer.
                if due > deadline or loop.time() > deadline:
                    return
                if due > loop.time():
                    await asyncio.sleep(due - loop.time())
                await conn.call(*signal_body(n))
                done += 1
        finally:
            conn.close()

    async def probes() -> None:
        conn = await Connection.open(url)
        try:
            k = first_probe
            while loop.time() < deadline:
                value = PROBE_BASE + k
                status, _ = await conn.call(
                    "/api/widget/set-deal", body({"visitor_id": "probe", "deal_value": value})
                )
                if status == 200:
                    answered[k] = time.monotonic()
                k += 1
                await asyncio.sleep(1 / PROBES_PER_SECOND)
        finally:
            conn.close()

    await asyncio.gather(probes(), *(signals() for _ in range(16)))
    return done / (loop.time() - started), answered


def measure(work: Path, runs: int, seconds: float, use_wrk: bool) -> list[Row]:
    """Bare-route rounds (headless, then board open), then the flood runs with the board open."""
    data = generate(work / "live", COMPANIES)
    rps: dict[bool, list[float]] = {False: [], True: []}
    ratios: list[float] = []
    for run in range(runs):
        for with_board in (False, True):
            print(f"  live /health board={with_board} run {run + 1}", file=sys.stderr)
            with board_process(data, work / "health.json", with_board) as url:
                if run == 0 and not with_board:
                    # Prepared headless: the board is not what this set-up measures.
                    asyncio.run(prepare(url))
                run_load(url, HEALTH, 8, 1, "warm", use_wrk)
                got = run_load(url, HEALTH, 32, seconds, f"h{run}", use_wrk)
            rps[with_board].append(got.rps)
        ratios.append(ratio(rps[True][-1], rps[False][-1]) or 0.0)
    out = work / "live.json"
    rates: list[float] = []
    answered: dict[int, float] = {}
    with board_process(data, out, with_board=True) as url:
        for run in range(runs):
            print(f"  live flood run {run + 1}", file=sys.stderr)
            rate, got_answers = asyncio.run(flood(url, seconds + 2, first_probe=run * 1000))
            rates.append(rate)
            answered.update(got_answers)
        # Let the last probe reach the screen before the board closes.
        time.sleep(0.5)
    live_row = _painted_row("live", out, rates, answered, LIVE_P99)
    connect_row = _connected_flood(work, data, runs, seconds)
    health = [
        Row(
            f"live: halcrm /health, 32 conn, headless, {COMPANIES // 1000}k",
            per_second(median(rps[False])),
        ),
        judged(
            Row(
                f"live: halcrm /health, 32 conn, board open / headless, {COMPANIES // 1000}k",
                per_second(median(rps[True])),
                ratio=times(median(ratios)),
            ),
            OPEN_RATIO,
            median(ratios),
        ),
    ]
    return [live_row, connect_row, *health]


def _connected_flood(work: Path, data: Path, runs: int, seconds: float) -> Row:
    """The same flood against a headless server, watched by a ``--connect`` board in another
    process: the answer to the card repainted there, through ``/api/events``."""
    out = work / "connect.json"
    rates: list[float] = []
    answered: dict[int, float] = {}
    with (
        board_process(data, work / "connect-serve.json", with_board=False) as url,
        connected_board(data, out, url),
    ):
        for run in range(runs):
            print(f"  live connect flood run {run + 1}", file=sys.stderr)
            rate, got = asyncio.run(flood(url, seconds + 2, first_probe=10_000 + run * 1000))
            rates.append(rate)
            answered.update(got)
        time.sleep(0.5)
    return _painted_row("live, --connect board", out, rates, answered, CONNECT_P99)


def _painted_row(
    name: str, out: Path, rates: list[float], answered: dict[int, float], bar: Bar
) -> Row:
    """Answer → repaint waits of the probes the board process saw painted."""
    painted = {int(k): v for k, v in json.loads(out.read_text())["probes"].items()}
    # A repaint can precede the answer's arrival at the client: that wait counts as none.
    waits = [max(0.0, painted[k] - t) for k, t in answered.items() if k in painted]
    missing = len(answered) - len(waits)
    figure = (
        f"{name}: signal answered → card repainted, {COMPANIES // 1000}k companies, "
        f"{median(rates):.0f} signals/s achieved of {RATE}"
    )
    if missing:
        figure += f" ({missing} of {len(answered)} probes never painted)"
    if not waits:
        return judged(Row(figure, "no probe painted"), bar, None)
    p99 = percentile(waits, 99)
    row = Row(figure, ms(median(waits)), ms(percentile(waits, 50)), ms(p99))
    return judged(row, bar, p99 * 1000)
