"""``halcrm board --connect URL`` opens no database: it starts, draws the server's board and
opens its screens without ever importing SQLAlchemy (a fresh process, so nothing a test
loaded before counts)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.tui.client.test_connect_board import TOKEN, Server, server, server_stack  # noqa: F401

# The child runs the real command line (``halcrm.cli.main.main``) with the board headless:
# ``run_app`` is the one seam, replaced by a pilot that waits for the cards, opens the company
# screen, the focus lane, the inbox and the agenda, and quits. It prints what it loaded.
CHILD = """
import json, sys
import halcrm.cli.connect as connect

async def headless(app, loop):
    async with app.run_test(size=(160, 45)) as pilot:
        async def until(check, what):
            for _ in range(1500):
                if check():
                    return
                await pilot.pause(0.02)
            raise SystemExit(f"timed out waiting for {what}")

        await until(lambda: app.board_screen is not None and app.board_screen.loaded, "board")
        board = app.board_screen
        board.jump_to("acme")
        await pilot.press("enter")
        await until(lambda: app.screen is not board and app.screen.is_current, "company")
        for key in ("escape", "F", "escape", "i", "escape", "A", "escape", "C", "escape", "W"):
            await pilot.press(key)
            await pilot.pause(0.1)
        result["cards"] = sorted(board.board.model.cards)
        result["errors"] = [n.message for n in app._notifications if n.severity == "error"]

result = {}
connect.run_app = headless
code = __import__("halcrm.cli.main").cli.main.main(
    ["board", "--connect", sys.argv[1], "--token", sys.argv[2]]
)
result["code"] = code
result["sqlalchemy"] = sorted(m for m in sys.modules if m.split(".")[0] == "sqlalchemy")
print(json.dumps(result))
"""


async def test_the_connect_board_starts_without_sqlalchemy(
    server: Server,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCRM_")}
    env["HALCRM_DATA_DIR"] = str(tmp_path / "board")
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", CHILD, server.base, TOKEN],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["code"], result["cards"], result["errors"]) == (0, ["acme", "globex"], [])
    assert result["sqlalchemy"] == []
