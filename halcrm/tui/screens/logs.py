"""The log screen: the recent lines of halcrm's log file, following new ones."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Log, Static

from halcrm.tui.errors import every

TAIL_LINES = 500


class LogScreen(Screen[None]):
    """Shows the log file the server and the board write to (never drawn over the board)."""

    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back", id="logs.back")]

    DEFAULT_CSS = """
    LogScreen #log-title { height: 1; background: $boost; padding: 0 1; }
    """

    def __init__(self, path: Path | None) -> None:
        super().__init__()
        self.path = path
        self._offset = 0

    def compose(self) -> ComposeResult:
        yield Static(f"Log: {self.path or 'no log file'}", id="log-title")
        yield Log(max_lines=5_000, auto_scroll=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        log = self.query_one(Log)
        if self.path is None or not self.path.exists():
            log.write_line("(nothing logged yet)")
            return
        data = self.path.read_bytes()
        self._offset = len(data)
        lines = data.decode("utf-8", "replace").splitlines()[-TAIL_LINES:]
        log.write_lines(lines)
        every(self, 1.0, self._follow)

    def _follow(self) -> None:
        if self.path is None or not self.path.exists():
            return
        size = self.path.stat().st_size
        if size < self._offset:  # rotated
            self._offset = 0
        if size == self._offset:
            return
        with self.path.open("rb") as handle:
            handle.seek(self._offset)
            chunk = handle.read()
        self._offset += len(chunk)
        self.query_one(Log).write_lines(chunk.decode("utf-8", "replace").splitlines())
