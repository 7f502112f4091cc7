"""The board sees what another process commits to its database: a ``halcrm import`` run in a
terminal beside it, a widget call to a ``halcrm serve`` on the same file (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from halcrm.services.container import Services
from halcrm.settings import Settings
from halcrm.tui.app import HalcrmApp
from tests.processes import free_port, halcrm_serve, wait_until_up
from tests.tui.helpers import column_of, ready


async def test_an_import_in_another_process_lands_on_the_open_board(
    app: HalcrmApp, seeded: Services, settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "deals.csv"
    source.write_text(
        "Company name,Company Domain Name,Deal Stage,Amount\n"
        "Zeta Holdings,zeta.io,Proposal,15000\n"
        "Acme Inc,,Negotiation,\n"
    )
    env = {**os.environ, "HALCRM_DATA_DIR": str(settings.data_dir), "HALCRM_DB": settings.db}
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await ready(pilot)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "halcrm", "import", str(source), env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        # The batch reloads the cards, then adds its line to the feed: both must land.
        async with asyncio.timeout(10):
            while not (
                any(c.name == "Zeta Holdings" for c in screen.board.model.cards.values())
                and any("import" in line for line in screen.feed.lines())
            ):
                await pilot.pause(0.02)
        zeta = next(c for c in screen.board.model.cards.values() if c.name == "Zeta Holdings")
        assert column_of(app, zeta.id) == "proposal"
        assert column_of(app, "acme") == "negotiation"


async def test_a_widget_call_to_another_server_moves_the_card_live(
    app: HalcrmApp, seeded: Services, settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with halcrm_serve(tmp_path / "serve-data", port, "other-" + "t" * 24, settings.db) as proc:
        await wait_until_up(base, proc)
        async with app.run_test(size=(160, 45)) as pilot, httpx.AsyncClient(base_url=base) as http:
            await ready(pilot)
            body: dict[str, Any] = {"app_id": "local", "visitor_id": "v1", "email": "ann@birch.dev"}
            body["company"] = {"id": "birch", "stage": "Negotiation"}
            assert (await http.post("/api/widget/identify", json=body)).status_code == 200
            async with asyncio.timeout(10):
                while column_of(app, "birch") != "negotiation":
                    await pilot.pause(0.02)
