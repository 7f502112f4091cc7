"""A board over a demo database, built to run in whichever loop runs it (snapshots)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from halcrm.cli.board import board_services
from halcrm.cli.demo import seed_demo
from halcrm.config import BoardConfig
from halcrm.domain.clock import fixed_clock
from halcrm.settings import Settings
from halcrm.tui.app import HalcrmApp
from tests.conftest import FIXED_NOW, TOKEN


def demo_settings(folder: Path) -> Settings:
    return Settings(
        data_dir=folder / "data", db=str(folder / "halcrm.db"), account_token_override=TOKEN
    )


def demo_app(folder: Path, config: BoardConfig | None = None) -> HalcrmApp:
    """Seeds demo data at FIXED_NOW (in its own loop), then answers an app that opens the
    database inside the app's loop: snap_compare runs the app in a loop of its own."""
    settings = demo_settings(folder)
    clock = fixed_clock(FIXED_NOW)

    async def seed() -> None:
        async with board_services(settings, clock) as services:
            await seed_demo(services)

    asyncio.run(seed())
    return HalcrmApp(
        connect=lambda: board_services(settings, clock),
        clock=clock,
        server_url="http://127.0.0.1:8765",
        server_state=lambda: "serving",
        config=config,
    )
