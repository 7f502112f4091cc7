"""``HalcrmApp``: the Textual board over the services, updated live from the event bus.

It knows nothing of the HTTP server: the composition root hands it the server's address and a
callable answering the server's state.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path

from textual.app import App
from textual.binding import Binding, BindingType

from halcrm.bus import EventBus
from halcrm.collector import freeze_long_lived
from halcrm.config import BoardConfig
from halcrm.services.board.demo import seed_demo
from halcrm.services.clock import utc_now
from halcrm.services.facade import Services
from halcrm.tui.live import listen
from halcrm.tui.messages import BoardLoaded
from halcrm.tui.modals.confirm import Confirm
from halcrm.tui.screens.board import BoardScreen
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.focus import FocusScreen
from halcrm.tui.screens.help import HelpScreen, binding_ids
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
        config: BoardConfig | None = None,
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
        self.config = config or BoardConfig()
        # Binding id -> keys, from the config file: the help screen shows these keys.
        self.keymap: dict[str, str] = {}
        self._gc_frozen = False

    def help_sections(self) -> list[tuple[str, list[BindingType]]]:
        """Every screen's keys, grouped as the help screen shows them."""
        return [
            ("Board", list(BoardScreen.BINDINGS)),
            ("Everywhere", list(self.BINDINGS)),
            ("Company screen", list(CompanyScreen.BINDINGS)),
            ("Focus lane", list(FocusScreen.BINDINGS)),
            ("Conversation", list(ConversationScreen.BINDINGS)),
        ]

    def apply_config(self) -> None:
        """Theme and key remaps from the config file; a bad entry is a warning, not a crash."""
        theme = self.config.theme
        if theme:
            if theme in self.available_themes:
                self.theme = theme
            else:
                self.notify(
                    f"config: unknown theme {theme!r}; using the default.", severity="warning"
                )
        if self.config.keys:
            known = binding_ids(self.help_sections())
            unknown = sorted(set(self.config.keys) - known)
            self.keymap = {k: v for k, v in self.config.keys.items() if k in known}
            self.set_keymap(self.keymap)
            if unknown:
                self.notify(
                    f"config: unknown binding id(s) {', '.join(unknown)} (see ? for the ids).",
                    severity="warning",
                )

    async def on_mount(self) -> None:
        self.apply_config()
        if self.services is None and self._connect is not None:
            self.services = await self._exits.enter_async_context(self._connect())
        assert self.services is not None
        self.bus = self.bus or self.services.bus
        self.board_screen = BoardScreen(
            self.services,
            clock=self.clock,
            server_url=self.server_url,
            server_state=self.server_state,
            compact=self.config.compact_cards,
            collapsed=self.config.collapsed_columns,
        )
        # Subscribe before the board loads so no signal falls between the load and the feed.
        sub = self.bus.subscribe()
        await self.push_screen(self.board_screen)
        self.run_worker(listen(sub, self.board_screen.apply_batch), name="bus", group="bus")

    def on_board_loaded(self, message: BoardLoaded) -> None:
        """On a first run (no company at all) offers demo data, over the drawn board."""
        if not self._gc_frozen:
            self._gc_frozen = True
            self.call_after_refresh(freeze_long_lived)
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
        if self._gc_frozen:
            # What was frozen may be garbage now (this app, in a test run): collectable again.
            gc.unfreeze()

    def action_logs(self) -> None:
        """Shows the recent lines of the log file (logs never draw over the board)."""
        if not isinstance(self.screen, LogScreen):
            self.push_screen(LogScreen(self.log_file))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_sections(), self.keymap))
