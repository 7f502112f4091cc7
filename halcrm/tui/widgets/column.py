"""A stage column: a header (name, count, total, weighted) over a line-API list of cards.

Cards are drawn by ``render_line`` straight from the board model's plain lists, so only the
visible lines cost anything: 50,000 cards paint as fast as 50.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from halcrm.services.board.records import Card
from halcrm.tui.board_model import BoardModel
from halcrm.tui.format import ago, short_money, step_mark
from halcrm.tui.widgets.scrolling import set_virtual_size

CARD_HEIGHT = 4  # three lines of card and one blank line between cards
COMPACT_HEIGHT = 1  # compact cards: one line each, no gap
# A card's clocked texts: the widget move's age and its next-step mark (state, full, compact).
Mark = tuple[str, str, str]
Clocked = tuple[str | None, Mark | None]
LINE_CACHE = 160  # drawn card lines kept per column: about three screenfuls (each is GC-tracked)


class CardSource(Protocol):
    """What a column asks its board: the model, the focused card, flashes and the time."""

    model: BoardModel
    compact: bool

    def weighted(self, key: str) -> int | None: ...

    def selected_id(self, key: str) -> str | None: ...

    def is_flashing(self, card_id: str) -> bool: ...

    def now(self) -> datetime: ...


class CardList(ScrollView, can_focus=False):
    """The cards of one column, drawn line by line."""

    COMPONENT_CLASSES = {
        "card",
        "card--selected",
        "card--flash",
        "card--name",
        "card--muted",
        "card--stalled",
        "card--widget",
        "card--placeholder",
        "card--talk",
        "card--overdue",
        "card--today",
        "card--upcoming",
        "card--none",
    }

    DEFAULT_CSS = """
    CardList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    CardList > .card { background: $panel; color: $foreground; }
    CardList > .card--selected { background: $primary-muted; color: $foreground; }
    CardList > .card--flash { background: $warning-muted; color: $foreground; }
    CardList > .card--name { text-style: bold; }
    CardList > .card--muted { color: $text-muted; }
    CardList > .card--stalled { background: $error; color: $text; text-style: bold; }
    CardList > .card--widget { color: $accent; }
    CardList > .card--placeholder { color: $warning; text-style: italic; }
    CardList > .card--talk { color: $success; text-style: bold; }
    CardList > .card--overdue { color: $error; text-style: bold; }
    CardList > .card--today { color: $warning; text-style: bold; }
    CardList > .card--upcoming { color: $text-muted; }
    CardList > .card--none { color: $warning; text-style: italic; }
    """

    def __init__(self, key: str, source: CardSource) -> None:
        super().__init__()
        self.key = key
        self.source = source
        self._lines: LRUCache[tuple[str, int, str, int, int], tuple[Card, Clocked, Strip]]
        self._lines = LRUCache(LINE_CACHE)
        self._blank: Style | None = None

    @property
    def ids(self) -> list[str]:
        return self.source.model.columns.get(self.key, [])

    @property
    def card_height(self) -> int:
        return COMPACT_HEIGHT if self.source.compact else CARD_HEIGHT

    def sync(self, from_row: int = 0) -> None:
        """Adopts the column's new length and repaints the visible cards from card
        ``from_row`` down (the cards above it are unchanged)."""
        # Not ``self.virtual_size = ...``: that would lay out the whole screen per move.
        set_virtual_size(self, Size(0, len(self.ids) * self.card_height))
        self.refresh_lines_from(from_row * self.card_height)

    def refresh_lines_from(self, y: int) -> None:
        """Repaints the visible lines from virtual line ``y`` to the bottom of the view."""
        top = max(0, y - self.scroll_offset.y)
        width, height = self.size
        if not self.size:
            self.refresh()  # not laid out yet: the first paint draws everything
        elif top < height:
            self.refresh(Region(0, top, width, height - top))

    def refresh_row(self, row: int) -> None:
        """Repaints the lines of card ``row`` (its focus or flash changed)."""
        tall = self.card_height
        top = row * tall - self.scroll_offset.y
        width, height = self.size
        if top + tall > 0 and top < height:
            self.refresh(Region(0, top, width, tall))

    def show_row(self, row: int) -> None:
        """Scrolls so that card ``row`` is fully visible."""
        tall = self.card_height
        self.scroll_to_region(
            Region(0, row * tall, 1, max(1, tall - 1)), animate=False, immediate=True
        )

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
        self._blank = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        tall = self.card_height
        index, part = divmod(self.scroll_offset.y + y, tall)
        ids = self.ids
        if index >= len(ids) or (tall > 1 and part == tall - 1):
            if self._blank is None:
                # ``rich_style`` walks every ancestor: once, not per blank line.
                self._blank = self.rich_style
            return Strip.blank(width, self._blank)
        card = self.source.model.cards[ids[index]]
        if self.source.is_flashing(card.id):
            look = "card--flash"
        elif self.source.selected_id(self.key) == card.id:
            look = "card--selected"
        else:
            look = "card"
        # The parts of a card that change with the clock: "↯ widget 5 m ago", "⚑ in 3d".
        since: str | None = None
        step: Mark | None = None
        if tall == 1 or part == 2:
            now = self.source.now()
            if tall > 1 and card.last_moved_by == "widget":
                since = ago(card.last_moved_at, now)
            if card.needs_step:
                step = step_mark(card.next_step_due_at, now, self.source.model.tz)
        clocked = (since, step)
        # A move or a signal shifts the cards below it: each line is drawn once and reused
        # while its card (a new object on every change), look, clock text and width hold.
        key = (card.id, part, look, width, tall)
        drawn = self._lines.get(key)
        if drawn is not None and drawn[0] is card and drawn[1] == clocked:
            return drawn[2]
        base = self.get_component_rich_style(look)
        if tall == 1:
            line = self._compact(card, base, step)
        else:
            line = self._line(card, part, base, since, step)
        strip = Strip([Segment(" ", base), *line])
        if strip.cell_length > width - 1:
            # Every cut text ends in an ellipsis (the last cell is the card's right margin).
            strip = Strip.join([strip.crop(0, width - 2), Strip([Segment("…", base)])])
        strip = strip.adjust_cell_length(width, base)
        self._lines[key] = (card, clocked, strip)
        return strip

    def _part(self, name: str, base: Style) -> Style:
        return base + self.get_component_rich_style(name, partial=True)

    def _step(self, step: Mark | None, base: Style, compact: bool) -> list[Segment]:
        """The next-step mark (open stages only): ``⚑ late 3d`` / ``⚑-3d``, ``⚐ no step``."""
        if step is None:
            return []
        state, full, short = step
        glyph = "⚐" if state == "none" else "⚑"
        text = f"{glyph}{short}" if compact else f"{glyph} {full}"
        return [Segment(text, self._part(f"card--{state}", base)), Segment(" ", base)]

    def _compact(self, card: Card, base: Style, step: Mark | None) -> list[Segment]:
        """One line: the marks first (they must not be cropped away), the name, the value."""
        marks: list[Segment] = []
        if card.stalled_days:
            marks.append(Segment(f"◷{card.stalled_days}d", self._part("card--stalled", base)))
            marks.append(Segment(" ", base))
        marks += self._step(step, base, compact=True)
        if card.open_conversations:
            marks.append(Segment("✉ ", self._part("card--talk", base)))
        if card.is_placeholder:
            marks.append(Segment("◌ ", self._part("card--placeholder", base)))
        value = short_money(card.deal_value_cents) if card.deal_value_cents else ""
        room = self.scrollable_content_region.width - 2 - sum(m.cell_length for m in marks)
        name = card.name
        if len(name) + len(value) + (1 if value else 0) > room:
            name = ellipsis(name, max(1, room - len(value) - (1 if value else 0)))
        gap = max(1, room - len(name) - len(value))
        return [
            *marks,
            Segment(name, self._part("card--name", base)),
            Segment(" " * gap + value, self._part("card--muted", base)),
        ]

    def _line(
        self, card: Card, part: int, base: Style, since: str | None, step: Mark | None
    ) -> list[Segment]:
        if part == 0:
            return [Segment(card.name, self._part("card--name", base))]
        if part == 1:
            value = short_money(card.deal_value_cents) if card.deal_value_cents else "no deal"
            width = self.scrollable_content_region.width - 2
            n = card.contacts
            # One form per column, chosen by its width (not by each card's value, which put
            # "1 contact" beside "2 ppl"): the long one where any value leaves it room.
            long = width - len("$999.9k · ") >= len("9 contacts")
            people = f"{n} contact" + ("" if n == 1 else "s") if long else f"{n} ppl"
            if len(people) > width - len(value) - 3:
                people = ""
            if not people:
                return [Segment(value, base)]
            return [
                Segment(value, base),
                Segment(" · " + people, self._part("card--muted", base)),
            ]
        marks: list[Segment] = []
        if card.stalled_days:
            marks.append(Segment(f"◷ {card.stalled_days} d", self._part("card--stalled", base)))
            marks.append(Segment(" ", base))
        # Beside other marks the step's short form keeps them all on the line.
        crowded = bool(card.stalled_days or card.open_conversations or since)
        marks += self._step(step, base, compact=crowded)
        if card.open_conversations:
            marks.append(Segment(f"✉ {card.open_conversations} ", self._part("card--talk", base)))
        if since is not None:
            marks.append(Segment(f"↯ widget {since} ", self._part("card--widget", base)))
        if card.is_placeholder:
            marks.append(Segment("◌ placeholder", self._part("card--placeholder", base)))
        return marks


def ellipsis(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, the last one an ellipsis when it was cut."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


class StageHeader(Static):
    """The column's title: stage name and card count over total and weighted deal value."""

    DEFAULT_CSS = """
    StageHeader {
        height: 2;
        padding: 0 1;
        background: $boost;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """


def header_text(title: str, count: int, cents: int, weighted: int | None, width: int) -> str:
    """``Negotiation  189`` over ``$224k · w $112k`` (the board's one money style), shortened
    to ``$224k w $112k``, then ``$224k``; the name gives way before the count. Never wraps."""
    number = str(count)
    first = f"{ellipsis(title, max(1, width - len(number) - 2))}  {number}"
    if len(first) > width:
        first = f"{ellipsis(title, max(1, width - len(number) - 1))} {number}"
    short = short_money(cents)
    second = short
    if weighted is not None:
        w = short_money(weighted)
        second = next((t for t in (f"{short} · w {w}", f"{short} w {w}") if len(t) <= width), short)
    return f"{first}\n{ellipsis(second, width)}"


class StageColumn(Vertical):
    """One stage: its header over its cards; a collapsed column shows the header only."""

    DEFAULT_CSS = """
    StageColumn {
        width: 24;
        height: 1fr;
        padding-right: 1;
    }
    StageColumn StageHeader.-focused { background: $primary; color: $text; }
    StageColumn.-collapsed CardList { display: none; }
    StageColumn.-collapsed StageHeader { height: 1fr; color: $text-muted; }
    StageColumn.-collapsed StageHeader.-focused { color: $text; }
    """

    def __init__(self, key: str, source: CardSource) -> None:
        super().__init__(id=f"column-{key or 'unstaged'}")
        self.key = key
        self.source = source
        self.header = StageHeader()
        self.cards = CardList(key, source)
        self._header_text: str | None = None

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.cards

    def on_mount(self) -> None:
        self.sync()

    def on_resize(self) -> None:
        # The header shortens its figures to the width it has.
        self.sync_header()

    def set_focused(self, focused: bool) -> None:
        """Marks the focused column. The class goes on the header, not the column: a class
        change restyles the widget's subtree, and the card list's scrollbars then ask for a
        layout of the whole screen."""
        self.header.set_class(focused, "-focused")

    def sync(self, from_row: int = 0) -> None:
        """Refreshes the header's figures and the cards from card ``from_row`` down."""
        self.sync_header()
        self.cards.sync(from_row)

    def sync_header(self) -> None:
        model = self.source.model
        totals = model.totals[self.key]
        # Weighted by the stage's probability, for the whole (unfiltered) column.
        # A collapsed column shows only its count and total.
        plain = model.filtered or not self.key or self.has_class("-collapsed")
        weighted = None if plain else self.source.weighted(self.key)
        # The column's width less the header's padding (known before the header's layout).
        width = max(1, self.size.width - 2) if self.size.width else 17
        text = header_text(model.title(self.key), totals.count, totals.cents, weighted, width)
        # Unchanged figures cost nothing: most batches touch a few columns of many.
        if text != self._header_text:
            self._header_text = text
            self.header.update(text, layout=False)
