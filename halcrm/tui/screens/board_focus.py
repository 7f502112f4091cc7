"""The board's figures and focus lane: summary line, weighted headers, strip and focus screen.

Figures are read from ``services.summary()`` and ``services.focus_lane()``, never computed
here. Refreshes are coalesced: however many moves and signals land while one read runs, one
more read follows it, not one per event, and not sooner than ``FIGURES_GAP`` after it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime

from halcrm.services.board.focus import FocusItem
from halcrm.services.board.summary import PipelineSummary
from halcrm.tui.errors import board_action
from halcrm.tui.modals.snooze import SnoozeUntil
from halcrm.tui.screens.board_edits import EditActions
from halcrm.tui.screens.focus import FocusScreen
from halcrm.tui.widgets.summary import FocusStrip, SummaryLine, summary_text

log = logging.getLogger("halcrm.tui")

LANE_LIMIT = 20
FIGURES_GAP = 1.0  # seconds from one figures read to the next while changes keep coming
STATE_WORDS = {"done": "Done", "dismissed": "Dismissed", "snoozed": "Snoozed"}


class FocusActions(EditActions):
    """Keeps the summary, the weighted headers and the focus lane current; answers items."""

    summary_line: SummaryLine
    strip: FocusStrip
    summary: PipelineSummary | None = None
    lane: list[FocusItem]
    figures_loaded = 0  # how many refreshes have been drawn (tests wait on it)
    _figures_dirty = False
    _figures_running = False
    _figures_read_at = 0.0  # time.monotonic() when the last read started

    def request_figures(self) -> None:
        """Asks for fresh figures; a read already running is followed by exactly one more."""
        self._figures_dirty = True
        if not self._figures_running:
            self._figures_running = True
            self.run_worker(self._refresh_figures(), group="figures")

    async def _refresh_figures(self) -> None:
        try:
            while self._figures_dirty:
                # Under a stream of signals the reads would run back to back: they are whole-
                # pipeline queries, and they took the database and the interpreter from the
                # server answering those signals (half its rate at 500 signals/s). One read
                # per FIGURES_GAP then; after a quiet spell the read starts at once.
                wait = self._figures_read_at + FIGURES_GAP - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._figures_dirty = False
                self._figures_read_at = time.monotonic()
                try:
                    summary = await self.services.summary()
                    lane = await self.services.focus_lane(LANE_LIMIT)
                except Exception:  # a figures read failing must not end the board
                    log.exception("board figures")
                    return
                self.show_figures(summary, lane)
        finally:
            self._figures_running = False

    def show_figures(self, summary: PipelineSummary, lane: list[FocusItem]) -> None:
        """Draws the summary line, the column headers' weighted values and the lane."""
        self.summary, self.lane = summary, lane
        text = summary_text(summary, self.clock())
        if text != self.summary_line.content:
            self.summary_line.update(text, layout=False)
        self.board.set_weighted(
            {t.stage_id: t.weighted_cents for t in summary.stages if t.stage_id}
        )
        self.strip.show(lane)
        for screen in self.app.screen_stack:
            if isinstance(screen, FocusScreen):
                screen.show(lane)
        self.figures_loaded += 1

    def repaint_lane(self) -> None:
        """Draws an open focus lane again: its ages move on with the clock, as the strip's."""
        for screen in self.app.screen_stack:
            if isinstance(screen, FocusScreen):
                screen.show(screen.items)

    def action_toggle_focus_strip(self) -> None:
        self.toggle_class("-focus-strip")
        self.save_view()
        self.call_after_refresh(self.board.show_focus)

    def action_focus_lane(self) -> None:
        if not isinstance(self.app.screen, FocusScreen):
            self.app.push_screen(FocusScreen(self, self.lane, self.clock))

    # What the focus screen asks of the board (``LaneOwner``).
    def open_company(self, company_id: str) -> None:
        self.action_open_company(company_id)

    def snooze_focus(self, item: FocusItem) -> None:
        def chosen(until: datetime | None) -> None:
            if until is not None:
                self.answer_focus(item, "snoozed", until)

        self.app.push_screen(SnoozeUntil(item.company_name, self.clock), chosen)

    @board_action
    async def answer_focus(
        self, item: FocusItem, state: str, until: datetime | None = None
    ) -> None:
        """Stores the answer (the services decide when the item may come back)."""
        if item.company_id is None:  # an anonymous chat leaves the lane once answered
            self.notify("Reply to the visitor from the inbox.", timeout=3)
            return
        await self.services.answer_focus(item.company_id, item.reason, state, until)
        words = STATE_WORDS.get(state, state)
        if until is not None:
            words += f" until {until:%Y-%m-%d %H:%M}"
        self.notify(f"{words}: {item.company_name}.", timeout=3)
        self.request_figures()
