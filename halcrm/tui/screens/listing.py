"""A full-screen list with a title line, a note when it is empty, and the footer's keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

# Beside its head, a row's body keeps at least this many cells, or it goes on the lines below.
BODY_BESIDE = 40
# The list's border and padding (a cell each, each side) and its scrollbar's two cells.
GUTTER = 6
# A row is laid out for this many cells at least (a tinier terminal wraps it as it can).
NARROWEST = 20


def fit_width(screen_width: int, gutter: int) -> int:
    """Cells a row's text may use on a screen this wide, less what borders it."""
    return max(NARROWEST, screen_width - gutter)


def hanging(head: Content, body: Content, width: int, *, under: int) -> Content:
    """``head`` with ``body`` beside it, wrapped under itself so a long line never runs back to
    the margin; where the row leaves the body fewer than ``BODY_BESIDE`` cells, the body goes
    on the lines below, ``under`` cells in."""
    beside = width - head.cell_length >= BODY_BESIDE
    indent = head.cell_length if beside else under
    lines = body.wrap(max(1, width - indent)) or [Content()]
    pad = Content(" " * indent)
    if beside:
        rows = [head + lines[0], *(pad + line for line in lines[1:])]
    else:
        rows = [head.rstrip(), *(pad + line for line in lines)]
    return Content("\n").join(rows)


def clipped(text: Content, width: int) -> Content:
    """Each line of ``text`` cut to ``width`` cells, an ellipsis showing the cut."""
    return Content("\n").join(line.truncate(width, ellipsis=True) for line in text.split("\n"))


class ListScreen(Screen[None]):
    """The focus lane, the inbox, the agenda and the webhooks: one OptionList under a title,
    refilled in place."""

    EMPTY: ClassVar[str] = "Nothing here. Escape goes back to the board."
    TITLE_TEXT: ClassVar[str] = ""

    DEFAULT_CSS = """
    ListScreen #title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    ListScreen OptionList { height: 1fr; border: none; padding: 0 1; }
    ListScreen #empty { padding: 1 2; color: $text-muted; display: none; }
    ListScreen.-empty #empty { display: block; }
    ListScreen.-empty OptionList { display: none; }
    """

    def compose(self) -> ComposeResult:
        yield Static(self.TITLE_TEXT, id="title")
        yield OptionList()
        yield from self.below()
        yield Static(self.EMPTY, id="empty")
        yield Footer(compact=True, show_command_palette=False)

    def below(self) -> ComposeResult:
        """What a list shows under itself (the focus lane: the highlighted item's evidence)."""
        yield from ()

    @property
    def row_width(self) -> int:
        """Cells a row's text may use: the screen's width less the list's gutter."""
        return fit_width(self.app.size.width, GUTTER)

    def on_resize(self, event: events.Resize) -> None:
        """Rows are laid out for a width: a new one lays them out again."""
        if self.is_mounted:
            self.redraw()

    def redraw(self) -> None:
        """Lays the rows out again for the screen's width (each list knows its rows)."""

    def fill(self, options: Iterable[Option]) -> OptionList:
        """Replaces the rows (the empty note shows when there are none); answers the list."""
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options(options)
        self.set_class(listing.option_count == 0, "-empty")
        return listing
