"""Terminal notifications while the board runs: the bell, and a desktop notification through
the terminal (OSC 777, which foot, WezTerm and kitty show, and OSC 9, which iTerm2 and
Windows Terminal show), for what the founder chose in ``config.toml``: ``notify = ["chat",
"due", "won"]`` (the default), ``[]`` for none. Nothing is written when the board's output is
not a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from halcrm.domain.events import DomainEvent, EventKind

KINDS = ("chat", "due", "won")
TITLE = "halcrm"
LONGEST = 160
# Events of the tasks area that say a next step fell due (by their kinds' values).
DUE_KINDS = frozenset({"task_due", "task_overdue"})

Write = Callable[[str], Any]


def terminal_writer(app: Any) -> Write | None:
    """The board's own terminal output when it is a terminal, else ``None``: Textual's driver
    writes from one thread in order, so a notification never splits a frame's sequence."""
    driver = getattr(app, "_driver", None)
    if driver is None or getattr(app, "is_headless", True):
        return None
    stream = getattr(driver, "_file", None)
    try:
        is_terminal = stream is not None and stream.isatty()
    except (OSError, ValueError):
        is_terminal = False
    return driver.write if is_terminal else None


def _clean(text: str) -> str:
    """One line with no control character (and no ``;``, OSC 777's separator)."""
    text = "".join(c if c.isprintable() else " " for c in text).replace(";", ",")
    text = " ".join(text.split())
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"


def sequence(title: str, body: str) -> str:
    """The bell, then the notification in both forms terminals understand."""
    title, body = _clean(title), _clean(body)
    return f"\a\x1b]777;notify;{title};{body}\x1b\\\x1b]9;{title}: {body}\x1b\\"


class Notifier:
    """Turns committed events into notifications of the chosen kinds."""

    def __init__(self, kinds: Iterable[str], write: Write | None) -> None:
        self.kinds = frozenset(kinds)
        self.write = write if self.kinds else None

    def what(self, event: DomainEvent, won: Callable[[str], bool]) -> tuple[str, str] | None:
        """The kind of notification an event is, and its sentence (``None``: not one)."""
        data = event.data
        if event.kind is EventKind.MESSAGE and data.get("author") == "contact":
            return "chat", event.summary.replace(": ", " wrote: ", 1)
        if event.kind is EventKind.STAGE_CHANGE and data.get("applied"):
            stage = data.get("stage")
            if stage and won(str(stage)):
                return "won", f"{event.company_name or event.company_id} won ({stage})"
        if event.kind.value in DUE_KINDS:
            return "due", f"Next step due: {data.get('title') or event.summary}"
        return None

    def handle(self, events: Iterable[DomainEvent], won: Callable[[str], bool]) -> int:
        """Writes a notification per event of a chosen kind; answers how many."""
        if self.write is None:
            return 0
        written = 0
        for event in events:
            found = self.what(event, won)
            if found is not None and found[0] in self.kinds:
                self.write(sequence(TITLE, found[1]))
                written += 1
        return written
