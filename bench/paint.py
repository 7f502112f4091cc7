"""Sees the board paint: a hook on the card list's ``render_line``, which Textual's compositor
calls when it draws a card line (headless too), so a figure stops when the user would see it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from textual.strip import Strip

from halcrm.tui.widgets.column import CardList

PROBE = re.compile(r"\$7,(\d{3}),(\d{3})\b")
PROBE_BASE = 7_000_000
"""Probe deal values are PROBE_BASE + k dollars: no generated card is worth that much."""


class PaintWatch:
    """Records when card lines are drawn: the first one, an expected text, probe values."""

    def __init__(self) -> None:
        self.first_card: float | None = None
        self.expected: tuple[str, str] | None = None
        self.hit: float | None = None
        self.probes: dict[int, float] = {}
        self.watch_probes = False
        self._original: Callable[[Any, int], Strip] | None = None

    def install(self) -> None:
        """Wraps ``CardList.render_line`` for this process (the bench child only)."""
        original = CardList.render_line
        self._original = original
        watch = self

        def render_line(widget: CardList, y: int) -> Strip:
            strip = original(widget, y)
            watch.saw(widget.key, strip.text)
            return strip

        CardList.render_line = render_line  # type: ignore[method-assign,assignment]

    def expect(self, column_key: str, text: str) -> None:
        """Arms the watch: ``hit`` is set when ``text`` is drawn in column ``column_key``."""
        self.expected = (column_key, text)
        self.hit = None

    def saw(self, column_key: str, text: str) -> None:
        now = time.monotonic()
        if not text.strip():
            return
        if self.first_card is None:
            self.first_card = now
        if self.expected is not None and self.hit is None:
            key, wanted = self.expected
            if key == column_key and wanted in text:
                self.hit = now
        if self.watch_probes:
            match = PROBE.search(text)
            if match:
                k = int(match.group(1) + match.group(2))
                self.probes.setdefault(k, now)
