"""Chat figures (issue 16): a visitor's message → on the board, a board reply → on the
visitor's page, and what 200 open visitor streams cost the widget's throughput.

The latencies run as ``halcrm`` does: the server and the board in one process and one loop
(the real embedded uvicorn on 127.0.0.1, the real board headless through ``run_test``); the
visitor is an HTTP client with its chat stream open. A message counts as on the board when
the board's activity panel holds it; a reply is sent the way the board's reply box sends it
(``add_message`` with source ``board``) and counts when the visitor's stream delivers it.
The throughput ratio uses a real ``halcrm serve`` child and the usual load generator.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import httpx

from bench.load import Load, run_load
from bench.procs import halcrm_serve
from bench.stats import median, percentile, ratio
from bench.table import Bar, Row, judged, ms, per_second, times

MESSAGES = 200  # per direction and run: bounded
STREAMS = 200
TO_BOARD_P99 = Bar(250, 100, higher_is_better=False, unit=" ms")
TO_PAGE_P99 = Bar(250, 100, higher_is_better=False, unit=" ms")
STREAMS_RATIO = Bar(0.8, 0.95, higher_is_better=True, unit="x")
TRACK = Load(
    "track",
    "/api/widget/track",
    '{"project_id":"local","visitor_id":"t-{p}","name":"page_view","value":{n}}',
    64,
)


async def _lines(stream: httpx.Response, out: asyncio.Queue[dict[str, object]]) -> None:
    async for line in stream.aiter_lines():
        if line.startswith("data: {") and line != "data: {}":
            await out.put(json.loads(line[6:]))


async def _latencies(work: Path) -> tuple[list[float], list[float]]:
    # Imported here: the other benches must not pay for Textual and the app.
    from halcrm.domain.stages import Source
    from halcrm.runtime import open_runtime
    from halcrm.server.app import ServerConfig, create_app
    from halcrm.server.embedded import bind_socket, bound_port, make_server, stop
    from halcrm.server.ratelimit import RateLimit
    from halcrm.services.support.schemas import MessageCreate
    from halcrm.settings import Settings
    from halcrm.tui.app import HalcrmApp

    settings = Settings(data_dir=work, db=str(work / "chat.db"), account_token_override="b" * 32)
    runtime = await open_runtime(settings)
    off = RateLimit(0, 0)
    config = ServerConfig(account_token="b" * 32, chat_rate=off, widget_rate=off)
    sock = bind_socket("127.0.0.1", 0)
    server = make_server(create_app(runtime.services, config))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    url = f"http://127.0.0.1:{bound_port(sock)}"
    app = HalcrmApp(runtime.services, runtime.bus, server_url=url)
    to_board: list[float] = []
    to_page: list[float] = []
    params = {"app_id": "local", "visitor_id": "bench-visitor"}
    try:
        async with (
            app.run_test(size=(160, 45)) as pilot,
            httpx.AsyncClient(base_url=url, timeout=10) as http,
            http.stream("GET", "/api/widget/chat/stream", params=params) as stream,
        ):
            while app.board_screen is None or not app.board_screen.loaded:
                await pilot.pause(0.01)
            feed = app.board_screen.feed
            lines: asyncio.Queue[dict[str, object]] = asyncio.Queue()
            reader = asyncio.create_task(_lines(stream, lines))
            conversation = ""
            for n in range(MESSAGES):
                text = f"visitor line {n}"
                started = time.perf_counter()
                sent = await http.post("/api/widget/chat/messages", json={**params, "body": text})
                conversation = sent.json()["conversation_id"]
                # Polled (0.5 ms): the panel has no event to wait on that a bench may hook.
                while not (feed.signals and text in feed.signals[0].detail):  # noqa: ASYNC110
                    await asyncio.sleep(0.0005)
                to_board.append(time.perf_counter() - started)
                await lines.get()  # its echo on the page
            for n in range(MESSAGES):
                started = time.perf_counter()
                body = MessageCreate(author="agent", body=f"board reply {n}")
                await runtime.services.support.add_message(conversation, body, Source.BOARD)
                while (await lines.get()).get("author") != "agent":
                    pass
                to_page.append(time.perf_counter() - started)
            reader.cancel()
    finally:
        runtime.bus.close()
        await stop(server, task)
        sock.close()
        await runtime.close()
    return to_board, to_page


async def _hold_streams(url: str, count: int, ready: asyncio.Event, done: asyncio.Event) -> None:
    limits = httpx.Limits(max_connections=count + 10)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        opened = []
        for i in range(count):
            params = {"project_id": "local", "visitor_id": f"s-{i}"}
            request = http.build_request("GET", "/api/widget/chat/stream", params=params)
            opened.append(await http.send(request, stream=True))
        ready.set()
        await done.wait()
        for stream in opened:
            await stream.aclose()


async def _with_streams(url: str, seconds: float, tag: str, use_wrk: bool) -> float:
    ready, done = asyncio.Event(), asyncio.Event()
    holder = asyncio.create_task(_hold_streams(url, STREAMS, ready, done))
    await ready.wait()
    try:
        result = await asyncio.to_thread(run_load, url, TRACK, 32, seconds, tag, use_wrk)
    finally:
        done.set()
        await holder
    return result.rps


def _throughput(work: Path, runs: int, seconds: float, use_wrk: bool) -> tuple[float, float]:
    bare: list[float] = []
    loaded: list[float] = []
    with halcrm_serve(work / "serve") as served:
        run_load(served.url, TRACK, 8, 1, "warm", use_wrk)
        for run in range(runs):
            print(f"  chat: track with 0 / {STREAMS} streams, run {run + 1}", file=sys.stderr)
            bare.append(run_load(served.url, TRACK, 32, seconds, f"b{run}", use_wrk).rps)
            loaded.append(asyncio.run(_with_streams(served.url, seconds, f"s{run}", use_wrk)))
    return median(bare), median(loaded)


def measure(work: Path, runs: int, seconds: float, use_wrk: bool) -> list[Row]:
    (work / "chat").mkdir(parents=True, exist_ok=True)
    to_board, to_page = asyncio.run(_latencies(work / "chat"))
    bare, loaded = _throughput(work, runs, seconds, use_wrk)
    rows = []
    for label, waits, bar in (
        ("visitor message sent → in the board's activity panel", to_board, TO_BOARD_P99),
        ("board reply sent → on the visitor's open stream", to_page, TO_PAGE_P99),
    ):
        p99 = percentile(waits, 99)
        row = Row(
            f"chat: {label}, {len(waits)} msgs",
            ms(median(waits)),
            ms(percentile(waits, 50)),
            ms(p99),
        )
        rows.append(judged(row, bar, p99 * 1000))
    share = ratio(loaded, bare)
    rows.append(Row("chat: track, 32 conn, no chat stream open", per_second(bare)))
    rows.append(
        judged(
            Row(
                f"chat: track, 32 conn, {STREAMS} visitor streams open / none",
                per_second(loaded),
                ratio=times(share),
            ),
            STREAMS_RATIO,
            share,
        )
    )
    return rows
