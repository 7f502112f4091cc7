"""``HalcrmApp``: the Textual board over the services, updated live from the event bus.

It knows nothing of the HTTP server: the composition root hands it the server's address and a
callable answering the server's state.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from halcrm.bus import EventBus
from halcrm.services.clock import utc_now
from halcrm.services.demo import seed_demo
from halcrm.services.facade import Services
from halcrm.tui.live import listen
from halcrm.tui.messages import BoardLoaded
from halcrm.tui.modals.confirm import Confirm
from halcrm.tui.screens.board import BoardScreen
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.help import HelpScreen
from halcrm.tui.screens.logs import LogScreen

Connect = Callable[[], AbstractAsyncContextManager[Services]]


class HalcrmApp(App[None]):
    """The pipeline board. Give it ``services`` (and their bus), or ``connect``: a factory of
    an async context answering services, entered inside the app's own loop (snapshot tests)."""

    CSS_PATH = "app.tcss"
    TITLE = "halcrm"

    BINDINGS = [
        Binding("q,ctrl+q", "quit", "Quit", id="app.quit", priority=False),
        Binding("question_mark", "help", "Keys", key_display="?", id="app.help"),
        Binding("ctrl+l", "logs", "Log", id="app.logs", show=False),
    ]

    def __init__(
        self,
        services: Services | None = None,
        bus: EventBus | None = None,
        *,
        server_url: str | None = None,
        server_state: Callable[[], str] | None = None,
        clock: Callable[[], datetime] = utc_now,
        connect: Connect | None = None,
        offer_demo: bool = False,
        log_file: Path | None = None,
    ) -> None:
        super().__init__()
        if services is None and connect is None:
            raise ValueError("HalcrmApp needs services or a connect factory")
        self.services = services
        self.bus = bus
        self.server_url = server_url
        self.server_state = server_state
        self.clock = clock
        self._connect = connect
        self._exits = contextlib.AsyncExitStack()
        self.offer_demo = offer_demo
        self.log_file = log_file
        self.board_screen: BoardScreen | None = None

    async def on_mount(self) -> None:
        if self.services is None and self._connect is not None:
            self.services = await self._exits.enter_async_context(self._connect())
        assert self.services is not None
        self.bus = self.bus or self.services.bus
        self.board_screen = BoardScreen(
            self.services,
            clock=self.clock,
            server_url=self.server_url,
            server_state=self.server_state,
        )
        # Subscribe before the board loads so no signal falls between the load and the feed.
        sub = self.bus.subscribe()
        await self.push_screen(self.board_screen)
        self.run_worker(listen(sub, self.board_screen.apply_batch), name="bus", group="bus")

    def on_board_loaded(self, message: BoardLoaded) -> None:
        """On a first run (no company at all) offers demo data, over the drawn board."""
        if self.offer_demo and message.cards == 0:
            self.offer_demo = False
            self.push_screen(
                Confirm("This board is empty. Load demo data (25 companies)?", yes="Load demo"),
                self._demo_answered,
            )

    async def _demo_answered(self, yes: bool | None) -> None:
        if yes and self.services is not None:
            await seed_demo(self.services)
            self.notify("Demo data loaded.")

    async def on_unmount(self) -> None:
        await self._exits.aclose()

    def action_logs(self) -> None:
        """Shows the recent lines of the log file (logs never draw over the board)."""
        if not isinstance(self.screen, LogScreen):
            self.push_screen(LogScreen(self.log_file))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        sections = [("Board", BoardScreen.BINDINGS), ("Everywhere", self.BINDINGS)]
        sections.append(("Company screen", CompanyScreen.BINDINGS))
        self.push_screen(HelpScreen(sections))
