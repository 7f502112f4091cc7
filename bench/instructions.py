"""Work per request, counted: instructions executed per call (valgrind's callgrind).

Requests a second on a small shared machine move with whatever else runs there (on 2 vCPUs
that are one core's two hyperthreads, a busy neighbour halves them). An instruction count does
not: callgrind counts what the server process executes, the same on a busy machine as on a
quiet one. So this section tells whether a change made a widget call cheaper when the
throughput figures are too noisy to say. The count ratio is what the HTTP ratio would be if
work were all that mattered; the measured ratio is lower, because the event loop and the
writer thread hand the GIL back and forth. The start is counted the same way, from the
interpreter's start to the first answer, beside the bare app's.

Opt-in (``python -m bench --only instructions``): under valgrind a server runs ~50 times
slower, so it takes a few minutes.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from bench.load import Load, expand
from bench.procs import HOST, TOKEN, clean_env, free_port, spawned
from bench.table import Bar, Row, judged, note, times
from bench.throughput import LOADS, REFERENCE

# Issue 25: identify of a new visitor must not grow past the 1.71 M it cost when the issue was
# written; 1.3 M is the aim.
INSTRUCTIONS = Bar(1.71, 1.3, higher_is_better=False, unit=" M")

WARM = 300
COUNTED = 600
CONCURRENCY = 32
START_TIMEOUT = 600.0


async def _fire(url: str, load: Load, tag: str, count: int) -> None:
    limit = asyncio.Semaphore(CONCURRENCY)
    pool = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, timeout=START_TIMEOUT, limits=pool) as client:

        async def one(n: int) -> None:
            async with limit:
                body = expand(load.template, tag, n, load.pool)
                answer = await client.post(
                    load.path, content=body, headers={"content-type": "application/json"}
                )
                answer.raise_for_status()

        await asyncio.gather(*(one(n) for n in range(count)))


def _counted(command: list[str], env: dict[str, str], work: Path, load: Load) -> float:
    """Instructions per request of ``load`` against ``command`` run under callgrind."""
    out = work / f"callgrind-{load.path.strip('/').replace('/', '-')}.out"
    traced = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={out}",
        "--instr-atstart=no",
        *command,
    ]
    with spawned(traced, env, work / f"{out.name}.log", "/health", START_TIMEOUT) as served:
        pid = str(served.process.pid)
        asyncio.run(_fire(served.url, load, "warm", WARM))
        subprocess.run(["callgrind_control", "-i", "on", pid], capture_output=True, check=True)
        asyncio.run(_fire(served.url, load, "counted", COUNTED))
        subprocess.run(["callgrind_control", "-d", pid], capture_output=True, check=True)
        subprocess.run(["callgrind_control", "-i", "off", pid], capture_output=True, check=False)
    return _totals(Path(f"{out}.1")) / COUNTED


def _started(command: list[str], env: dict[str, str], work: Path, name: str) -> float:
    """Instructions from the interpreter's start to the first answer to ``GET /health``."""
    out = work / f"callgrind-start-{name}.out"
    traced = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command]
    with spawned(traced, env, work / f"{out.name}.log", "/health", START_TIMEOUT) as served:
        pid = str(served.process.pid)
        subprocess.run(["callgrind_control", "-d", pid], capture_output=True, check=True)
    return _totals(Path(f"{out}.1"))


def _totals(dump: Path) -> float:
    for line in dump.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {dump}")


def measure(work: Path) -> list[Row]:
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        return [note("instructions", "skipped: valgrind is not installed (Debian: valgrind)")]
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    reference = _counted(
        [sys.executable, "-m", "bench.reference_app", "--port", str(port)],
        clean_env(BENCH_PORT=str(port)),
        work,
        REFERENCE,
    )
    rows = [Row(f"instructions per call: {REFERENCE.name}", f"{reference / 1e6:.3f} M")]
    data = work / "halcrm"
    data.mkdir(exist_ok=True)
    load = LOADS[0]  # identify of a new visitor: the call issue 11's bar is about
    port = free_port()
    env = clean_env(HALCRM_DATA_DIR=str(data), HALCRM_ACCOUNT_TOKEN=TOKEN, BENCH_PORT=str(port))
    command = [sys.executable, "-m", "halcrm", "serve", "--host", HOST, "--port", str(port)]
    count = _counted(command, env, work, load)
    ratio = times(reference / count)
    row = Row(f"instructions per call: {load.name}", f"{count / 1e6:.3f} M", ratio=ratio)
    rows.append(judged(row, INSTRUCTIONS, count / 1e6))
    return rows + _starts(work, data)


def _starts(work: Path, data: Path) -> list[Row]:
    """The start in instructions, beside the bare app's: what the timed start ratio
    (``bench/startup.py``, the bar) comes from, the same on a busy machine as on a quiet one.
    ``data`` holds the database the identify count made: an existing database."""
    port = free_port()
    bare = _started(
        [sys.executable, "-m", "bench.reference_app", "--port", str(port)],
        clean_env(BENCH_PORT=str(port)),
        work,
        "bare",
    )
    port = free_port()
    env = clean_env(HALCRM_DATA_DIR=str(data), HALCRM_ACCOUNT_TOKEN=TOKEN, BENCH_PORT=str(port))
    command = [sys.executable, "-m", "halcrm", "serve", "--host", HOST, "--port", str(port)]
    halcrm = _started(command, env, work, "halcrm")
    return [
        Row("instructions to a first answer: bare Litestar on uvicorn", f"{bare / 1e6:,.0f} M"),
        Row(
            "instructions to a first answer: `halcrm serve`, existing database",
            f"{halcrm / 1e6:,.0f} M",
            ratio=times(halcrm / bare),
        ),
    ]
