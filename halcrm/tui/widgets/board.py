"""The board: stage columns side by side, a focused card that stays put when signals land."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime

from textual.containers import HorizontalScroll

from halcrm.domain.stages import weighted_cents
from halcrm.services.board.records import Card
from halcrm.tui.board_model import UNSTAGED, BoardModel
from halcrm.tui.errors import later
from halcrm.tui.widgets.column import StageColumn

FLASH_SECONDS = 1.2
MIN_WIDTH = 18
COLLAPSED_WIDTH = 12


class BoardView(HorizontalScroll, can_focus=False):
    """Holds the model and the focus (a column and a card id); columns read both to paint."""

    DEFAULT_CSS = """
    BoardView { height: 1fr; scrollbar-size-horizontal: 1; padding: 0 0 0 1; }
    """

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        compact: bool = False,
        collapsed: Iterable[str] = (),
    ) -> None:
        super().__init__(id="board")
        self.model = BoardModel([], [])
        self._clock = clock
        self.compact = compact
        # Stage ids or names (as the config file gives them), resolved against the model.
        self.collapsed_refs = set(collapsed)
        self.collapsed: set[str] = set()
        self.focus_key = UNSTAGED
        self.focus_id: str | None = None
        self.focus_row = 0
        self._flash: dict[str, float] = {}
        # The focus as last drawn: its old card is repainted plain when the focus leaves it.
        self._painted_focus: tuple[str, str | None] = (UNSTAGED, None)
        self._by_key: dict[str, StageColumn] = {}

    # CardSource, read by the columns while painting.
    def selected_id(self, key: str) -> str | None:
        return self.focus_id if key == self.focus_key else None

    def weighted(self, key: str) -> int | None:
        """A column's weighted value, from the same totals its header shows (so both change
        together when a signal moves a card) and the services' rule."""
        if key == UNSTAGED:
            return None
        return weighted_cents(self.model.totals[key].cents, self.model.stage(key).probability)

    def is_flashing(self, card_id: str) -> bool:
        until = self._flash.get(card_id)
        return until is not None and until > time.monotonic()

    def now(self) -> datetime:
        return self._clock()

    def on_resize(self) -> None:
        self.fit_columns()

    def fit_columns(self) -> None:
        """Shares the width between the open columns, never below ``MIN_WIDTH`` (then it
        scrolls); collapsed columns keep a narrow strip for their header."""
        columns = self.columns
        if not columns:
            return
        wide = [c for c in columns if c.key not in self.collapsed]
        room = self.scrollable_content_region.width - COLLAPSED_WIDTH * (len(columns) - len(wide))
        width = max(MIN_WIDTH, room // max(1, len(wide)))
        for column in columns:
            collapsed = column.key in self.collapsed
            column.set_class(collapsed, "-collapsed")
            column.styles.width = COLLAPSED_WIDTH if collapsed else width
            column.sync_header()  # a collapsed column's header leaves out the weighted value

    def off_screen(self) -> tuple[int, int]:
        """How many columns are out of view, whole or in part, to the left and to the right
        (a half-visible column hides its cards' figures: it counts)."""
        if not self.size.width:
            return 0, 0
        left = right = 0
        start, end = self.scroll_x, self.scroll_x + self.scrollable_content_region.width
        for column in self.columns:
            region = column.virtual_region
            if region.x < start:
                left += 1
            elif region.right > end:
                right += 1
        return left, right

    def ids(self, key: str) -> list[str]:
        """The cards that can take the focus in a column (none while it is collapsed)."""
        return [] if key in self.collapsed else self.model.columns.get(key, [])

    def toggle_collapsed(self) -> bool:
        """Expands every collapsed column, or else collapses the closed (won/lost) ones;
        answers whether columns are collapsed now."""
        if self.collapsed:
            self.collapsed = set()
        else:
            self.collapsed = {k for k in self.model.keys if self.model.is_closed(k)}
        self.collapsed_refs = set(self.collapsed)
        self.fit_columns()
        self._settle()
        return bool(self.collapsed)

    @property
    def columns(self) -> list[StageColumn]:
        return list(self._by_key.values())

    def column(self, key: str) -> StageColumn:
        return self._by_key[key]

    @property
    def focused_card(self) -> Card | None:
        return self.model.cards.get(self.focus_id) if self.focus_id else None

    async def load(self, model: BoardModel) -> None:
        """Shows a freshly loaded board (at start, or when the stages changed)."""
        self.model = model
        self.collapsed = {
            key for ref in self.collapsed_refs if (key := model.key_of(ref)) is not None
        }
        await self.remove_children()
        self._by_key = {key: StageColumn(key, self) for key in model.keys}
        await self.mount_all(self._by_key.values())
        self.fit_columns()
        if self.focus_key not in model.columns:
            self.focus_key = UNSTAGED
        # Start where there are cards: the first column that has any.
        if not self.ids(self.focus_key):
            self.focus_key = next((k for k in model.keys if self.ids(k)), UNSTAGED)
        self._settle()
        self.sync()  # new columns: their focus class too

    def apply(self, cards: Iterable[Card], gone: Iterable[str], flash: Iterable[str] = ()) -> None:
        """Puts changed cards in place and drops deleted ones, keeping the focus where it was."""
        for card_id in gone:
            self.model.remove(card_id)
        for card in cards:
            self.model.upsert(card)
        until = time.monotonic() + FLASH_SECONDS
        flashing = [card_id for card_id in flash if card_id in self.model.cards]
        for card_id in flashing:
            self._flash[card_id] = until
        if flashing:
            later(self, FLASH_SECONDS + 0.05, self._end_flash)
        self._settle(scroll=False)

    def refilter(self, text: str) -> None:
        """Shows only the matching cards; the focus stays on its card while it matches, else
        it goes to the first match."""
        self.model.set_filter(text)
        if self.focus_id is None or self.model.index_of(self.focus_key, self.focus_id) is None:
            self.focus_first_match()
        else:
            self._settle()

    def focus_first_match(self) -> None:
        """Focuses the first card of the first column that shows any (a filter just ran)."""
        at = self.model.index_of(self.focus_key, self.focus_id) if self.focus_id else None
        if at is not None:
            self._settle()
            return
        key = next((k for k in self.model.keys if self.ids(k)), self.focus_key)
        ids = self.ids(key)
        self.focus_key, self.focus_row = key, 0
        self.focus_id = ids[0] if ids else None
        self._settle()

    def repaint_ages(self) -> None:
        """Repaints the visible cards: their ages ("5m") follow the clock."""
        for column in self.columns:
            column.cards.refresh()

    def set_view(self, *, stalled_first: bool, stalled_only: bool) -> None:
        self.model.set_view(stalled_first=stalled_first, stalled_only=stalled_only)
        self._settle()

    def _end_flash(self) -> None:
        now = time.monotonic()
        ended = [k for k, v in self._flash.items() if v <= now]
        self._flash = {k: v for k, v in self._flash.items() if v > now}
        for card_id in ended:
            self._repaint_card(card_id)

    def _settle(self, scroll: bool = True) -> None:
        """Re-finds the focused card (or keeps its row when it left) and repaints."""
        ids = self.ids(self.focus_key)
        at = self.model.index_of(self.focus_key, self.focus_id) if self.focus_id and ids else None
        if at is None:
            self.focus_row = min(self.focus_row, len(ids) - 1) if ids else 0
            self.focus_id = ids[self.focus_row] if ids else None
        else:
            self.focus_row = at
        self.repaint()
        if scroll:
            self.show_focus()

    def sync(self) -> None:
        """Repaints every column (a new load, a new view)."""
        self.model.take_changes()
        for column in self.columns:
            column.set_focused(column.key == self.focus_key)
            column.sync()
        self._painted_focus = (self.focus_key, self.focus_id)

    def repaint(self) -> None:
        """Repaints only what changed since the last paint: each column the model changed,
        from its first changed row down, and the cards the focus left and reached. A move
        costs two columns' visible lines, a signal a card or two; never a layout."""
        changes = self.model.take_changes()
        old_key, old_id = self._painted_focus
        if old_key != self.focus_key:
            for key in (old_key, self.focus_key):
                if key in self._by_key:
                    self._by_key[key].set_focused(key == self.focus_key)
        for key, row in changes.items():
            if key in self._by_key:
                self._by_key[key].sync(row)
        if (old_key, old_id) != (self.focus_key, self.focus_id):
            if old_id is not None:
                self._repaint_card(old_id, old_key)
            if self.focus_id is not None:
                self._repaint_card(self.focus_id, self.focus_key)
        self._painted_focus = (self.focus_key, self.focus_id)

    def _repaint_card(self, card_id: str, key: str | None = None) -> None:
        """Repaints one card's lines where it is drawn (nothing when it is not on the board)."""
        card = self.model.cards.get(card_id)
        if card is None:
            return
        key = self.model.column_of(card) if key is None else key
        row = self.model.index_of(key, card_id)
        if row is not None and key in self._by_key:
            self._by_key[key].cards.refresh_row(row)

    def show_focus(self) -> None:
        """Scrolls the focused column and card into view."""
        if not self.columns:
            return
        column = self.column(self.focus_key)
        self.scroll_to_widget(column, animate=False, immediate=True)
        column.cards.show_row(self.focus_row)

    def move_focus(self, dx: int, dy: int) -> None:
        """Moves the focus by columns (keeping the row, clamped) or by cards."""
        keys = self.model.keys
        if dx:
            at = max(0, min(len(keys) - 1, keys.index(self.focus_key) + dx))
            self.focus_key = keys[at]
        ids = self.ids(self.focus_key)
        self.focus_row = max(0, min(len(ids) - 1, self.focus_row + dy)) if ids else 0
        self.focus_id = ids[self.focus_row] if ids else None
        self.repaint()
        self.show_focus()

    def focus_card(self, card_id: str) -> bool:
        """Focuses a card wherever it is; False when it is not on the (filtered) board."""
        card = self.model.cards.get(card_id)
        if card is None:
            return False
        key = self.model.column_of(card)
        if self.model.index_of(key, card_id) is None:
            return False
        if key in self.collapsed:
            # Jumping to a card in a collapsed column opens the column.
            self.collapsed.discard(key)
            self.collapsed_refs.discard(key)
            self.fit_columns()
        self.focus_key, self.focus_id = key, card_id
        self._settle()
        return True
