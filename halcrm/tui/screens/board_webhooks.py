"""The board's webhooks: the screen (`W`), and an endpoint that keeps failing named in the
status line until it delivers again or is disabled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from textual.screen import Screen

from halcrm.tui.client import BoardServices
from halcrm.tui.errors import board_action
from halcrm.tui.screens.webhooks import WebhooksScreen, host

log = logging.getLogger(__name__)

# How often the board asks whether an endpoint is failing (one small read).
WATCH_SECONDS = 10.0


class WebhookActions(Screen[None]):
    services: BoardServices
    clock: Callable[[], datetime]
    failing_webhooks: tuple[str, ...] = ()

    def watch_webhooks(self) -> None:
        self.run_worker(self.check_webhooks(), group="webhooks", exclusive=True)
        self.set_interval(WATCH_SECONDS, self._check_later)

    def _check_later(self) -> None:
        self.run_worker(self.check_webhooks(), group="webhooks", exclusive=True)

    async def check_webhooks(self) -> None:
        """Which endpoints are failing now; a failed look is logged, never shown as an error
        (the status line is a hint, and the next look comes soon)."""
        try:
            found = await self.services.webhooks.overview()
        except Exception as exc:
            log.info("webhooks not checked: %s", exc)
            return
        failing = tuple(host(item.endpoint.url) for item in found if item.failing)
        if failing != self.failing_webhooks:
            self.failing_webhooks = failing
            self.webhooks_changed()

    def webhooks_changed(self) -> None:
        """The status line shows the change (the board screen redraws it)."""

    def webhook_warning(self) -> str | None:
        if not self.failing_webhooks:
            return None
        return "⚠ webhook failing: " + ", ".join(self.failing_webhooks)

    @board_action
    async def action_webhooks(self) -> None:
        """The endpoints, their last deliveries and failures; `r` sends one again."""
        screen = WebhooksScreen(self.services.webhooks, self.clock)
        await self.app.push_screen(screen)
        screen.set_interval(2.0, screen.action_reload)
