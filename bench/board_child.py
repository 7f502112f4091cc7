"""The measured process for board figures (one per run, so peak RSS is its own).

``python -m bench.board_child paint DATA_DIR OUT`` opens the board headless (``run_test``) on a
generated database, times the first paint and card moves, and writes JSON to OUT.
``python -m bench.board_child connect DATA_DIR OUT --url URL`` attaches the board to a running
server (``--connect``) and records the probe values it saw painted, as ``serve --board`` does.
``python -m bench.board_child serve DATA_DIR OUT --board|--headless`` serves halcrm's HTTP app in
its loop (with the board open or not), writes its port to OUT + ".port" once ready, and on
SIGTERM writes the probe values it saw painted to OUT.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import signal
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from bench.board_data import settings_for
from bench.paint import PaintWatch
from halcrm.runtime import open_runtime, running
from halcrm.server.app import ServerConfig
from halcrm.tui.app import HalcrmApp

SIZE = (160, 50)
STEP = 0.002
LIMIT = 120.0


async def until(pilot: Pilot[None], check: Any, what: str, limit: float = LIMIT) -> None:
    """Lets the app run until ``check()`` holds; bounded."""
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await pilot.pause(STEP)


def settled() -> bool:
    """Whether the board has frozen what its start-up built (``gc.freeze``, once drawn).

    That one collection pauses the loop ~0.1 s right after the first paint; a founder's board
    is open long before a move or a flood of signals, so the figures start after it.
    """
    return gc.get_freeze_count() > 0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def paint(data_dir: Path, moves: int, stop: str | None = None) -> dict[str, Any]:
    """First paint (from entering ``run_test`` to the first card line drawn) and moves.

    ``stop``: the process ends at once at ``start`` (where the clock would start) or at
    ``first`` (the first card line drawn), for counting the instructions in between."""
    watch = PaintWatch()
    watch.install()
    if stop == "first":  # there and then, not at the next look of a polling loop
        watch.on_first = lambda: os._exit(0)
    runtime = await open_runtime(settings_for(data_dir))
    try:
        app = HalcrmApp(runtime.services, runtime.bus, server_url=None)
        if stop == "start":
            os._exit(0)
        started = time.monotonic()
        async with app.run_test(size=SIZE) as pilot:
            if stop == "first":  # no polling loop counted with the paint: it ends the process
                await asyncio.sleep(LIMIT)
            await until(pilot, lambda: watch.first_card is not None, "the first card painted")
            assert watch.first_card is not None
            first_paint = watch.first_card - started
            screen = app.board_screen
            assert screen is not None
            await until(pilot, lambda: screen.loaded, "the board loaded")
            # The summary and focus-lane figures are read after the first paint; their first
            # answer lays the screen out again (the strip takes its lines). A move is timed
            # on a board that is done starting, as a founder's is.
            await until(pilot, lambda: screen.figures.loaded > 0, "the board's figures")
            await until(pilot, settled, "the board settled")
            # The layout those figures asked for runs on the screen's next update.
            await pilot.pause(0.1)
            timings = []
            for move in range(moves):
                card = screen.board.focused_card
                assert card is not None, "no card to move"
                keys = screen.board.model.keys
                at = keys.index(screen.board.model.column_of(card))
                # Bounce between two columns: forward (L) then back (H).
                forward = move % 2 == 0 and at + 1 < len(keys)
                target = keys[at + 1] if forward else keys[at - 1]
                watch.expect(target, card.id)
                pressed = time.monotonic()
                await pilot.press("L" if forward else "H")
                await until(pilot, lambda: watch.hit is not None, f"{card.name} repainted")
                assert watch.hit is not None
                timings.append(watch.hit - pressed)
                await pilot.pause()
            cards = len(screen.board.model.cards)
    finally:
        await runtime.close()
    return {"first_paint": first_paint, "moves": timings, "cards": cards, "rss": peak_rss_mb()}


async def serve(data_dir: Path, out: Path, with_board: bool) -> dict[str, Any]:
    """halcrm's app on a free port, the board open (headless ``run_test``) or not, until
    SIGTERM; the painted probe values go to ``out``."""
    watch = PaintWatch()
    watch.install()
    watch.watch_probes = True
    settings = replace(settings_for(data_dir), host="127.0.0.1", port=0)
    config = ServerConfig(settings.account_token())
    done = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, done.set)
    ready = out.with_name(out.name + ".port")
    async with running(settings, config=config) as rt:
        await rt.started()
        if with_board:
            app = HalcrmApp(rt.services, rt.bus, server_url="http://127.0.0.1")
            async with app.run_test(size=SIZE) as pilot:
                await until(pilot, lambda: app.board_screen and app.board_screen.loaded, "board")
                await until(pilot, settled, "the board settled")
                ready.write_text(str(rt.port))
                # The app runs (and paints) on its own in this loop, as under `halcrm board`.
                # No Pilot polling here: each pause walked every widget 20 times a second,
                # ~5 % of a core with the board idle, which the board-open ratio then charged
                # to the board.
                await done.wait()
        else:
            ready.write_text(str(rt.port))
            await done.wait()
    return {"probes": watch.probes, "rss": peak_rss_mb()}


async def connect(data_dir: Path, out: Path, url: str) -> dict[str, Any]:
    """The board attached to ``url`` (``--connect``), headless, until SIGTERM; the painted
    probe values go to ``out``. ``out`` + ".port" says "ready" once the board is loaded."""
    from halcrm.tui.client.login import connected

    watch = PaintWatch()
    watch.install()
    watch.watch_probes = True
    done = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, done.set)
    token = settings_for(data_dir).account_token()
    async with connected(url, token) as link:
        app = HalcrmApp(link.services, link.services.bus, server_url=link.url)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.board_screen and app.board_screen.loaded, "board")
            await until(pilot, settled, "the board settled")
            out.with_name(out.name + ".port").write_text("ready")
            await done.wait()
    return {"probes": watch.probes, "rss": peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["paint", "serve", "connect"])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--board", action="store_true", help="serve with the board open")
    parser.add_argument("--url", help="connect: the server to attach to")
    parser.add_argument("--stop", choices=["start", "first"], help="paint: end there at once")
    args = parser.parse_args()
    if args.mode == "paint":
        result = asyncio.run(paint(args.data_dir, args.moves, args.stop))
    elif args.mode == "connect":
        result = asyncio.run(connect(args.data_dir, args.out, args.url))
    else:
        result = asyncio.run(serve(args.data_dir, args.out, args.board))
    args.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
