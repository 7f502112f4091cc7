"""A full-screen list with a title line, a note when it is empty, and the footer's keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option


class ListScreen(Screen[None]):
    """The focus lane and the inbox: one OptionList under a title, refilled in place."""

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
        yield Static(self.EMPTY, id="empty")
        yield Footer(compact=True, show_command_palette=False)

    def fill(self, options: Iterable[Option]) -> OptionList:
        """Replaces the rows (the empty note shows when there are none); answers the list."""
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options(options)
        self.set_class(listing.option_count == 0, "-empty")
        return listing
