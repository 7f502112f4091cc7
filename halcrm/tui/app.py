"""``HalcrmApp``: the Textual board over the services, updated live from the event bus.

It knows nothing of the HTTP server: the composition root hands it the server's address and a
callable answering the server's state.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path

from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.worker import Worker

from halcrm.bus import EventBus
from halcrm.collector import freeze_long_lived
from halcrm.config import BoardConfig
from halcrm.domain.clock import utc_now
from halcrm.tui import errors
from halcrm.tui.client import BoardServices
from halcrm.tui.keys import keymap_conflicts
from halcrm.tui.live import Batch, listen
from halcrm.tui.messages import BoardLoaded
from halcrm.tui.modals.confirm import Confirm
from halcrm.tui.notify import Notifier, terminal_writer
from halcrm.tui.screens.board import BoardScreen
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.contacts import ContactsScreen
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.focus import FocusScreen
from halcrm.tui.screens.help import HelpScreen, binding_ids
from halcrm.tui.screens.inbox import InboxScreen
from halcrm.tui.screens.logs import LogScreen
from halcrm.tui.view_state import ViewState

Connect = Callable[[], AbstractAsyncContextManager[BoardServices]]
# Seeds demo data into the named project: handed in by the CLI (demo data is a client of the
# services, not the board's), and only in-process (never through --connect).
SeedDemo = Callable[[str], Awaitable[object]]


class HalcrmApp(App[None]):
    """The pipeline board. Give it ``services`` (and their bus), or ``connect``: a factory of
    an async context answering services, entered inside the app's own loop (snapshot tests)."""

    CSS_PATH = "app.tcss"
    TITLE = "halcrm"

    BINDINGS = [
        Binding("q,ctrl+q", "quit", "Quit", key_display="q", id="app.quit", priority=False),
        Binding("question_mark", "help", "Keys", key_display="?", id="app.help"),
        Binding("ctrl+l", "logs", "Log", id="app.logs", show=False),
    ]

    def __init__(
        self,
        services: BoardServices | None = None,
        bus: EventBus | None = None,
        *,
        server_url: str | None = None,
        server_state: Callable[[], str] | None = None,
        clock: Callable[[], datetime] = utc_now,
        connect: Connect | None = None,
        seed_demo: SeedDemo | None = None,
        log_file: Path | None = None,
        config: BoardConfig | None = None,
        data_dir: Path | None = None,
        serves_widget: bool = False,
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
        # Offered once, on the first empty board, when the CLI gave a way to seed it.
        self.seed_demo = seed_demo
        self.offer_demo = seed_demo is not None
        self.log_file = log_file
        # The data folder: view toggles and palette screenshots are kept there.
        self.data_dir = data_dir or (log_file.parent if log_file is not None else None)
        self.view = ViewState.load(self.data_dir)
        self.board_screen: BoardScreen | None = None
        self.config = config or BoardConfig()
        # Binding id -> keys, from the config file: the help screen shows these keys.
        self.keymap: dict[str, str] = {}
        self._gc_frozen = False
        # This process serves the website's widget and API: quitting stops them, so `q` asks.
        self.serves_widget = serves_widget
        # Set at mount, once the driver says whether the output is a terminal.
        self.notifier = Notifier((), None)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast as plain text (``markup`` is ignored): toasts carry words from outside,
        a visitor's chat message, a company's or a step's name, and one read as markup that
        is not would end the board when drawn. None of halcrm's own toasts is markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def help_sections(self) -> list[tuple[str, list[BindingType]]]:
        """Every screen's keys, grouped as the help screen shows them."""
        return [
            ("Board", list(BoardScreen.BINDINGS)),
            ("Everywhere", list(self.BINDINGS)),
            ("Company screen", list(CompanyScreen.BINDINGS)),
            ("Focus lane", list(FocusScreen.BINDINGS)),
            ("Inbox", list(InboxScreen.BINDINGS)),
            ("Conversation", list(ConversationScreen.BINDINGS)),
            ("Contacts", list(ContactsScreen.BINDINGS)),
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
            sections = self.help_sections()
            known = binding_ids(sections)
            unknown = sorted(set(self.config.keys) - known)
            keymap = {k: v for k, v in self.config.keys.items() if k in known}
            conflicts = keymap_conflicts(sections, keymap)
            if conflicts:
                # Refused whole: half a remap would leave keys the user did not ask for.
                self.notify(f"config: {conflicts[0]}; key remaps not applied.", severity="error")
                keymap = {}
            self.keymap = keymap
            self.set_keymap(self.keymap)
            if unknown:
                self.notify(
                    f"config: unknown binding id(s) {', '.join(unknown)} (see ? for the ids).",
                    severity="warning",
                )

    async def on_mount(self) -> None:
        self.apply_config()
        self.notifier = Notifier(self.config.notify, terminal_writer(self))
        if self.services is None and self._connect is not None:
            self.services = await self._exits.enter_async_context(self._connect())
        assert self.services is not None
        self.bus = self.bus or self.services.bus
        self.board_screen = self._board_for(self.services)
        # Subscribe before the board loads so no signal falls between the load and the feed.
        sub = self.bus.subscribe()
        await self.push_screen(self.board_screen)
        # Through the attribute: a project switch puts another board screen there.
        self.run_worker(
            listen(sub, self._apply_batch),
            name="bus",
            group="bus",
        )

    async def _apply_batch(self, batch: Batch) -> None:
        if self.board_screen is not None:
            screen = self.board_screen
            self.notifier.handle(batch.of_project(screen.services.project_id).events, screen.won)
            await screen.apply_batch(batch)

    def _board_for(self, services: BoardServices, label: str | None = None) -> BoardScreen:
        return BoardScreen(
            services,
            clock=self.clock,
            server_url=self.server_url,
            server_state=self.server_state,
            compact=self.config.compact_cards,
            collapsed=self.config.collapsed_columns,
            view=self.view,
            project_label=label,
        )

    def switch_project(self, project_id: str) -> None:
        """Shows another project's board in place of this one, without a restart."""
        assert self.services is not None
        self.services = self.services.for_project(project_id)
        self.board_screen = self._board_for(self.services, project_id)
        self.switch_screen(self.board_screen)
        self.notify(f"Project {project_id}.", timeout=2)

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

    def _demo_answered(self, yes: bool | None) -> None:
        if yes and self.seed_demo is not None and self.services is not None:
            errors.start(
                self, self._seed_demo(self.seed_demo, self.services.project_id), "seed_demo"
            )

    async def _seed_demo(self, seed: SeedDemo, project_id: str) -> None:
        await seed(project_id)
        self.notify("Demo data loaded.")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every board action runs as a worker: its failure, whatever it is, ends here."""
        errors.on_worker_state_changed(self, event)

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Saves an SVG of the screen in the data folder (or ``path``) and says where."""
        folder = Path(path) if path else (self.data_dir or Path.cwd()) / "screenshots"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            saved = self.save_screenshot(filename, str(folder))
        except OSError as exc:
            self.notify(f"Screenshot not saved: {exc}", severity="error")
            return
        self.notify(f"Screenshot saved to {saved}", title="Screenshot", timeout=8)

    async def on_unmount(self) -> None:
        await self._exits.aclose()
        if self._gc_frozen:
            # What was frozen may be garbage now (this app, in a test run): collectable again.
            gc.unfreeze()

    async def action_quit(self) -> None:
        """Quits; a board that serves the website asks first (the widget stops answering)."""
        if not self.serves_widget:
            self.exit()
            return
        if isinstance(self.screen, Confirm):
            return
        question = (
            "Quit halcrm? This board serves the website: the chat widget and the API will "
            "stop answering until halcrm runs again."
        )
        self.push_screen(Confirm(question, yes="Quit"), self._quit_answered)

    def _quit_answered(self, yes: bool | None) -> None:
        if yes:
            self.exit()

    def action_logs(self) -> None:
        """Shows the recent lines of the log file (logs never draw over the board)."""
        if not isinstance(self.screen, LogScreen):
            self.push_screen(LogScreen(self.log_file))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_sections(), self.keymap))
