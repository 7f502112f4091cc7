"""Sees the board paint: a hook on the card list's ``render_line``, which Textual's compositor
calls when it draws a card line (headless too), so a figure stops when the user would see it.

The hook reads which card a line belongs to (the board draws money compactly, ``$7M``, and cuts
long names, so the drawn text alone no longer tells a probe value or a whole name apart).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.strip import Strip

from halcrm.tui.widgets.column import CardList

PROBE_BASE = 7_000_000
"""Probe deal values are PROBE_BASE + k dollars: no generated card is worth that much."""
PROBE_ID = "probe"


class PaintWatch:
    """Records when card lines are drawn: the first one, an expected card, probe values."""

    def __init__(self) -> None:
        self.first_card: float | None = None
        self.expected: tuple[str, str] | None = None
        self.hit: float | None = None
        self.probes: dict[int, float] = {}
        self.watch_probes = False
        # Called as the first card line is drawn (``board_child paint --stop first``).
        self.on_first: Callable[[], None] | None = None
        self._original: Callable[[Any, int], Strip] | None = None

    def install(self) -> None:
        """Wraps ``CardList.render_line`` for this process (the bench child only)."""
        original = CardList.render_line
        self._original = original
        watch = self

        def render_line(widget: CardList, y: int) -> Strip:
            strip = original(widget, y)
            watch.saw(widget, y, strip)
            return strip

        CardList.render_line = render_line  # type: ignore[method-assign,assignment]

    def expect(self, column_key: str, card_id: str) -> None:
        """Arms the watch: ``hit`` is set when card ``card_id``'s name line is drawn in column
        ``column_key``."""
        self.expected = (column_key, card_id)
        self.hit = None

    def saw(self, widget: CardList, y: int, strip: Strip) -> None:
        now = time.monotonic()
        if self.first_card is None and strip.text.strip():
            self.first_card = now
            if self.on_first is not None:
                self.on_first()
        if self.expected is None and not self.watch_probes:
            return
        index, part = divmod(widget.scroll_offset.y + y, widget.card_height)
        ids = widget.ids
        if index >= len(ids) or (part != 0 and not self.watch_probes):
            return
        card = widget.source.model.cards.get(ids[index])
        if card is None:
            return
        if self.hit is None and part == 0 and self.expected == (widget.key, card.id):
            self.hit = now
        # The value line (or a compact card's one line) shows the probe's current value.
        value_line = part == 1 or widget.card_height == 1
        if self.watch_probes and card.id == PROBE_ID and card.deal_value_cents and value_line:
            k = card.deal_value_cents // 100 - PROBE_BASE
            if k >= 0:
                self.probes.setdefault(k, now)
