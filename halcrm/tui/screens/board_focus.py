"""The board's figures and focus lane: summary line, weighted headers, strip and focus screen.

Figures are read from ``services.board.summary()`` and ``services.board.focus_lane()``, never
computed here. Refreshes are coalesced: however many moves and signals land while one read runs, one
more read follows it, not one per event, and not sooner than ``FIGURES_GAP`` after it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime

from textual.screen import Screen
from textual.signal import Signal

from halcrm.services.board.records import FocusItem, PipelineSummary
from halcrm.tui.client import BoardServices
from halcrm.tui.errors import board_action
from halcrm.tui.modals.snooze import SnoozeUntil
from halcrm.tui.screens.board_actions import Moves
from halcrm.tui.screens.desk import Desk, Part
from halcrm.tui.screens.focus import FocusScreen
from halcrm.tui.undo import Kept
from halcrm.tui.widgets.board import BoardView
from halcrm.tui.widgets.summary import FocusStrip, SummaryLine

log = logging.getLogger("halcrm.tui")

LANE_LIMIT = 20
FIGURES_GAP = 1.0  # seconds from one figures read to the next while changes keep coming
STATE_WORDS = {"done": "Done", "dismissed": "Dismissed", "snoozed": "Snoozed"}


class Figures:
    """Keeps the summary, the weighted headers, the strip and an open focus lane current."""

    def __init__(
        self,
        screen: Screen[None],
        services: BoardServices,
        board: BoardView,
        summary_line: SummaryLine,
        strip: FocusStrip,
        clock: Callable[[], datetime],
    ) -> None:
        self.screen, self.services, self.board = screen, services, board
        self.summary_line, self.strip, self.clock = summary_line, strip, clock
        self.summary: PipelineSummary | None = None
        self.lane: list[FocusItem] = []
        # An open focus lane subscribes once composed: the items, or the same ones as the
        # clock moves on (their ages).
        self.lane_changed: Signal[list[FocusItem]] = Signal(screen, "lane")
        self.loaded = 0  # how many refreshes have been drawn (tests wait on it)
        self._dirty = False
        self._running = False
        self._read_at = 0.0  # time.monotonic() when the last read started

    @property
    def settled(self) -> bool:
        """No read running nor asked for: the figures drawn are those of the last change."""
        return not self._running and not self._dirty

    def request(self) -> None:
        """Asks for fresh figures; a read already running is followed by exactly one more.

        The read starts after the screen's next refresh: what asked for it (the first cards,
        a card moved) is drawn first, not beside a whole-pipeline read that shares the
        interpreter with the drawing."""
        self._dirty = True
        if not self._running:
            self._running = True
            self.screen.call_after_refresh(self._start)

    def _start(self) -> None:
        self.screen.run_worker(self._refresh(), group="figures")

    async def _refresh(self) -> None:
        try:
            while self._dirty:
                # Under a stream of signals the reads would run back to back: they are whole-
                # pipeline queries, and they took the database and the interpreter from the
                # server answering those signals (half its rate at 500 signals/s). One read
                # per FIGURES_GAP then; after a quiet spell the read starts at once.
                wait = self._read_at + FIGURES_GAP - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._dirty = False
                self._read_at = time.monotonic()
                try:
                    summary = await self.services.board.summary()
                    lane = await self.services.board.focus_lane(LANE_LIMIT)
                except Exception:  # a figures read failing must not end the board
                    log.exception("board figures")
                    return
                self.show(summary, lane)
        finally:
            self._running = False

    def show(self, summary: PipelineSummary, lane: list[FocusItem]) -> None:
        """Draws the summary line, the strip and the lane (the column headers weigh their own
        totals, by the same rule, as cards move)."""
        self.summary, self.lane = summary, lane
        self.summary_line.show(summary, self.clock())
        self.strip.show(lane)
        self.lane_changed.publish(lane)
        self.loaded += 1

    def repaint_lane(self) -> None:
        """Draws an open focus lane again: its ages move on with the clock, as the strip's."""
        self.lane_changed.publish(self.lane)


class FocusAnswers(Part):
    """What the focus screen asks of the board (``LaneOwner``): open, move, snooze, answer."""

    def __init__(
        self,
        desk: Desk,
        moves: Moves,
        open_company: Callable[[str], None],
        act: Callable[[FocusItem], None],
    ) -> None:
        super().__init__(desk)
        self.open_company = open_company
        self.pick_stage_for = moves.pick_stage_for
        # enter on an item: its recommended action (``FocusActs``).
        self.act = act

    def snooze_focus(self, item: FocusItem) -> None:
        def chosen(until: datetime | None) -> None:
            if until is not None:
                self.answer_focus(item, "snoozed", until)

        self.app.push_screen(
            SnoozeUntil(item.company_name, self.desk.clock, self.desk.board.model.tz), chosen
        )

    @board_action
    async def answer_focus(
        self, item: FocusItem, state: str, until: datetime | None = None
    ) -> None:
        """Stores the answer (the services decide when the item may come back)."""
        if item.company_id is None:  # an anonymous chat leaves the lane once answered
            self.desk.notify("Reply to the visitor from the inbox.", timeout=3)
            return
        await self.desk.services.board.answer_focus(item.company_id, item.reason, state, until)
        words = STATE_WORDS.get(state, state)
        if until is not None:
            words += f" until {until:%Y-%m-%d %H:%M}"
        self.desk.undo_stack.push(Kept(f"focus item {words.lower()}: {item.company_name}"))
        self.desk.notify(f"{words}: {item.company_name}.", timeout=3)
        self.desk.request_figures()


def open_lane(figures: Figures, owner: FocusAnswers) -> None:
    """Pushes the focus lane (once: `F` on an open lane goes back)."""
    app = owner.app
    if not isinstance(app.screen, FocusScreen):
        app.push_screen(FocusScreen(owner, figures.lane, figures.clock, figures.lane_changed))
