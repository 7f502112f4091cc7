"""The board's webhooks: the screen (`W`), and an endpoint that keeps failing named in the
status line until it delivers again or is disabled."""

from __future__ import annotations

import logging
from collections.abc import Callable

from halcrm.tui.errors import board_action, every
from halcrm.tui.screens.desk import Desk, Part
from halcrm.tui.screens.webhooks import WebhooksScreen, host

log = logging.getLogger(__name__)

# How often the board asks whether an endpoint is failing (one small read).
WATCH_SECONDS = 10.0


class Webhooks(Part):
    """Watches the endpoints for failures; opens the webhooks screen."""

    failing: tuple[str, ...] = ()

    def __init__(self, desk: Desk, changed: Callable[[], None]) -> None:
        super().__init__(desk)
        self._changed = changed

    def watch(self) -> None:
        self._check_later()
        every(self.desk.screen, WATCH_SECONDS, self._check_later)

    def _check_later(self) -> None:
        self.desk.screen.run_worker(self.check(), group="webhooks", exclusive=True)

    async def check(self) -> None:
        """Which endpoints are failing now; a failed look is logged, never shown as an error
        (the status line is a hint, and the next look comes soon)."""
        try:
            found = await self.desk.services.webhooks.overview()
        except Exception as exc:
            log.info("webhooks not checked: %s", exc)
            return
        failing = tuple(host(item.endpoint.url) for item in found if item.failing)
        if failing != self.failing:
            self.failing = failing
            self._changed()

    def warning(self) -> str:
        """The status line's part: empty while every endpoint delivers."""
        if not self.failing:
            return ""
        return "⚠ webhook failing: " + ", ".join(self.failing)

    @board_action
    async def open(self) -> None:
        """The endpoints, their last deliveries and failures; `r` sends one again."""
        screen = WebhooksScreen(self.desk.services.webhooks, self.desk.clock)
        await self.app.push_screen(screen)
        screen.set_interval(2.0, screen.action_reload)
