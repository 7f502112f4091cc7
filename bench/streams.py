"""Open event streams against widget throughput: the same load with 0 and 50 SSE readers, for
the track route alone and for mixed traffic over every widget route.

The readers run in a child process of their own (raw sockets that read and drop what comes), so
what is measured is the server's cost of streaming, not the reading client's.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.load import Load, run_load
from bench.procs import HOST, ROOT, TOKEN, halcrm_serve
from bench.stats import median, ratio
from bench.table import Bar, Row, judged, ms, per_second, times

STREAMS = 50
CONNECTIONS = 32
TRACK = Load(
    "track",
    "/api/widget/track",
    '{"project_id":"local","visitor_id":"s-{p}","name":"page_view","value":{n}}',
    64,
)
# Issue 12: 50 open streams may cost a fifth of the throughput at most.
STREAMS_RATIO = Bar(0.8, 0.9, higher_is_better=True, unit="x")
# Round 3, issue 26 item 11: the same bar under mixed traffic, every widget route at once (the
# writes publish events the streams carry, and chat lines wake the chat fan-out too).
MIXED_CONNECTIONS = 64
MIX_POOL = 64
_V = '"project_id":"local","visitor_id":"m-{p}"'
MIXED = Load(
    "every widget route",
    "/api/widget/track",
    pool=MIX_POOL,
    mix=(
        (
            "/api/widget/identify",
            "{"
            + _V
            + ',"email":"m{p}@mix{p}.example","company":{"id":"mix-{p}","name":"Mix {p}"}}',
        ),
        ("/api/widget/set-properties", "{" + _V + ',"properties":{"n":{n}}}'),
        ("/api/widget/track", "{" + _V + ',"name":"page_view","value":{n}}'),
        ("/api/widget/set-stage", "{" + _V + ',"stage":"{stage}","stage_update_mode":"exact"}'),
        ("/api/widget/set-deal", "{" + _V + ',"deal_value":{n}}'),
        # A visitor of its own per run: the chat's rate (a person typing) is not what is measured.
        (
            "/api/widget/chat/messages",
            '{"project_id":"local","visitor_id":"c-{tag}-{p}","body":"hello {n}"}',
        ),
        ("/api/widget/chat/messages?project_id=local&visitor_id=m-{p}", ""),
    ),
)
# Identifies the mixed load's visitors before it runs (set-stage and set-deal need a contact).
MIX_IDENTIFY = Load("identify the mix's visitors", MIXED.mix[0][0], MIXED.mix[0][1], MIX_POOL)


async def _read_streams(port: int, count: int) -> None:
    """Holds ``count`` open ``/api/events`` streams, reading and dropping, until killed."""
    request = (
        f"GET /api/events HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    ).encode()

    async def one() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(request)
        while await reader.read(65536):
            pass

    await asyncio.gather(*(one() for _ in range(count)))


@contextmanager
def readers(port: int, count: int) -> Iterator[None]:
    command = [sys.executable, "-m", "bench.streams", str(port), str(count)]
    process = subprocess.Popen(command, cwd=ROOT)
    try:
        # Streams open in well under a second; give them two before timing.
        asyncio.run(asyncio.sleep(2))
        yield
    finally:
        process.kill()
        process.wait()


def measure(work: Path, runs: int, seconds: float, use_wrk: bool) -> list[Row]:
    """The track load, then the mixed load, each without and with the streams open."""
    rows = _pair(work / "streams", TRACK, CONNECTIONS, runs, seconds, use_wrk)
    return rows + _pair(work / "mixed", MIXED, MIXED_CONNECTIONS, runs, seconds, use_wrk)


def _pair(
    folder: Path, load: Load, connections: int, runs: int, seconds: float, use_wrk: bool
) -> list[Row]:
    """Interleaved rounds: the load alone, then with the streams open, ``runs`` times."""
    alone, streamed, ratios = [], [], []
    with halcrm_serve(folder) as served:
        run_load(served.url, MIX_IDENTIFY if load.mix else load, 8, 1, "warm", use_wrk)
        for run in range(runs):
            print(f"  streams ({load.name}) run {run + 1}", file=sys.stderr)
            base = run_load(served.url, load, connections, seconds, f"a{run}", use_wrk)
            with readers(served.port, STREAMS):
                got = run_load(served.url, load, connections, seconds, f"s{run}", use_wrk)
            alone.append(base)
            streamed.append(got)
            ratios.append(ratio(got.rps, base.rps) or 0.0)
    rows = []
    for name, results in (("no open stream", alone), (f"{STREAMS} open SSE streams", streamed)):
        row = Row(
            f"HTTP {load.name}, {connections} conn, {name}",
            per_second(median([r.rps for r in results])),
            ms(median([r.p50 for r in results])),
            ms(median([r.p99 for r in results])),
            times(median(ratios)) if results is streamed else "",
        )
        rows.append(judged(row, STREAMS_RATIO, median(ratios)) if results is streamed else row)
    return rows


if __name__ == "__main__":
    asyncio.run(_read_streams(int(sys.argv[1]), int(sys.argv[2])))
