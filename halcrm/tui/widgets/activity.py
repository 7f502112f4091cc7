"""The activity panel: signals newest first, drawn with the line API from a bounded deque."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from halcrm.tui.errors import later
from halcrm.tui.format import compact_money, outcome
from halcrm.tui.widgets.scrolling import set_virtual_size

KEEP = 500
ENTRY_HEIGHT = 2
# Drawn lines kept: a screenful or two. Each strip is tracked by the garbage collector, and
# a full collection walks every one kept, so keeping the whole feed would cost more than it saves.
LINE_CACHE = 128
PAINT_INTERVAL = 0.25


class EventLike(Protocol):
    """Both a live ``DomainEvent`` and a stored ``ActivityItem`` look like this."""

    @property
    def kind(self) -> Any: ...
    @property
    def at(self) -> datetime: ...
    @property
    def source(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def company_name(self) -> str | None: ...
    @property
    def data(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Signal:
    """One line pair of the feed: who sent what about which company, and what came of it."""

    at: datetime
    source: str
    company: str
    detail: str
    skipped: bool
    # Refused widget calls: (visitor, route, code) and how many, so a burst is one line.
    refusal: tuple[str, str, str] | None = None
    count: int = 1
    why: str = ""

    @classmethod
    def of(cls, event: EventLike) -> Signal:
        kind = str(getattr(event.kind, "value", event.kind))
        data = event.data
        company = event.company_name or ""
        skipped = False
        if kind == "refused":
            return cls.refused(event)
        if kind == "stage_change":
            skipped = data.get("applied") is False
            target = data.get("requested_stage") or "Unstaged"
            detail = f"→ {target} {outcome(data.get('applied'), data.get('reason'))}"
            if data.get("deal_value") is not None:
                detail += f" · {compact_money(data['deal_value'])}"
        elif kind == "deal_value":
            detail = f"deal value {compact_money(data.get('deal_value')) or 'cleared'}"
        else:
            detail = event.summary
        return cls(event.at, event.source, company, detail, skipped)

    @classmethod
    def refused(cls, event: EventLike) -> Signal:
        """A refused widget call (published live, never stored): visitor, route, code, why."""
        data = event.data
        visitor = str(data.get("visitor_id") or "?")
        route, code = str(data.get("route") or "?"), str(data.get("code") or "refused")
        count = data.get("count")
        signal = cls(
            event.at,
            event.source or "widget",
            f"✖ {visitor}",
            "",
            True,
            refusal=(visitor, route, code),
            count=count if isinstance(count, int) and count > 0 else 1,
            why=str(data.get("detail") or event.summary or ""),
        )
        return signal.described()

    def described(self) -> Signal:
        """The refusal's second line: ``refused set-stage unknown_stage (3 times): why``."""
        _, route, code = self.refusal or ("", "", "")
        times = f" ({self.count} times)" if self.count > 1 else ""
        detail = f"refused {route} {code}{times}" + (f": {self.why}" if self.why else "")
        return replace(self, detail=detail)

    def joined(self, newer: Signal) -> Signal | None:
        """One line for a burst: the same refusal again adds its count (None: not the same)."""
        if self.refusal is None or newer.refusal != self.refusal:
            return None
        return replace(newer, count=self.count + newer.count).described()


class ActivityFeed(ScrollView, can_focus=False):
    """Newest first; at most ``KEEP`` entries, so a burst of signals costs a bounded repaint."""

    COMPONENT_CLASSES = {"feed--time", "feed--source", "feed--skipped", "feed--company"}

    DEFAULT_CSS = """
    ActivityFeed {
        dock: right;
        width: 38;
        max-width: 40%;
        border-left: vkey $primary;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        background: $surface;
        padding: 0 1;
    }
    ActivityFeed > .feed--time { color: $text-muted; }
    ActivityFeed > .feed--source { color: $accent; }
    ActivityFeed > .feed--skipped { color: $warning; }
    ActivityFeed > .feed--company { text-style: bold; }
    """

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(id="activity")
        # Today, for the times: a signal of another day says its date.
        self.clock = clock
        self.signals: deque[Signal] = deque(maxlen=KEEP)
        self.border_title = "Activity"
        # Every batch shifts every line (newest first): a line is drawn once per width and
        # reused as it moves down; styles changing (theme, CSS) clear it.
        self._lines: LRUCache[tuple[Signal, int, int], Strip] = LRUCache(LINE_CACHE)
        self._base: Style | None = None
        self._painted = 0.0
        self._pending: Timer | None = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
        self._base = None

    @property
    def base_style(self) -> Style:
        """The feed's own style (``rich_style`` walks every ancestor: once, not per line)."""
        if self._base is None:
            self._base = self.rich_style
        return self._base

    def add(self, signals: list[Signal]) -> None:
        """Adds signals (oldest first) to the top of the feed and repaints it soon; a run of
        the same refusal stays one line with its count."""
        for signal in signals:
            joined = self.signals[0].joined(signal) if self.signals else None
            if joined is not None:
                self.signals[0] = joined
            else:
                self.signals.appendleft(signal)
        # Quietly: assigning ``virtual_size`` would lay out the whole screen per batch.
        set_virtual_size(self, Size(0, len(self.signals) * ENTRY_HEIGHT))
        self._repaint_soon()

    def _repaint_soon(self) -> None:
        """Repaints now after a quiet spell, else at most every ``PAINT_INTERVAL``.

        Newest first, every new signal shifts every line: a repaint is the whole feed, the
        screen's full height. Under a flood of signals (a batch every 50 ms) those repaints
        cost the event loop more than anything else on the board, and nobody reads a feed
        scrolling twenty times a second.
        """
        if self._pending is not None:
            return
        wait = self._painted + PAINT_INTERVAL - time.monotonic()
        if wait <= 0:
            self._repaint()
        else:
            self._pending = later(self, wait, self._repaint)

    def _repaint(self) -> None:
        self._pending = None
        self._painted = time.monotonic()
        self.refresh()

    def lines(self) -> list[str]:
        """The feed as plain text, newest first (for tests and the log view)."""
        return [f"{s.source} {s.company} {s.detail}" for s in self.signals]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index, part = divmod(self.scroll_offset.y + y, ENTRY_HEIGHT)
        if index >= len(self.signals):
            return Strip.blank(width, self.base_style)
        key = (self.signals[index], part, width)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = self._render_signal(*key)
        return strip

    def _time(self, at: datetime) -> str:
        if self.clock is not None and at.date() != self.clock().date():
            return at.strftime("%b %d %H:%M ")
        return at.strftime("%H:%M:%S ")

    def _render_signal(self, signal: Signal, part: int, width: int) -> Strip:
        text = Text(no_wrap=True, overflow="ellipsis", style=self.base_style)
        if part == 0:
            text.append(self._time(signal.at), self._style("feed--time"))
            text.append(signal.source + " ", self._style("feed--source"))
            text.append(signal.company, self._style("feed--company"))
        else:
            style = self._style("feed--skipped") if signal.skipped else None
            text.append("  " + signal.detail, style)
        text.truncate(width, overflow="ellipsis")
        segments = list(text.render(self.app.console))
        return Strip(segments).adjust_cell_length(width, self.base_style)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)
