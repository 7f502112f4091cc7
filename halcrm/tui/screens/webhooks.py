"""The webhooks screen: each endpoint, its last deliveries and failures; `r` sends one again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rich.markup import escape
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from halcrm.services.webhooks.records import DeliveryRecord, EndpointOverview
from halcrm.tui.errors import board_action
from halcrm.tui.screens.listing import ListScreen

if TYPE_CHECKING:
    from halcrm.services.webhooks.area import Webhooks
    from halcrm.tui.client.tasks import RemoteWebhooks

MARKS = {"delivered": "✓", "pending": "…", "failed": "✖"}


def host(url: str) -> str:
    return urlsplit(url).hostname or url


def endpoint_line(item: EndpointOverview) -> str:
    e = item.endpoint
    events = ",".join(e.events)
    if not e.enabled:
        state = f"[dim]disabled: {escape(e.disabled_reason or '')}[/]"
    elif e.failing_since is not None:
        state = f"[b red]failing since {e.failing_since:%Y-%m-%d %H:%M}[/]"
    else:
        state = "[green]delivering[/]"
    return f"[b]{escape(e.url)}[/]  {escape(events)}  {e.format}  {state}"


def delivery_line(d: DeliveryRecord, now: datetime) -> str:
    detail = d.last_error or (f"HTTP {d.last_status}" if d.last_status else "")
    due = ""
    if d.status == "pending" and d.next_attempt_at is not None and d.attempts:
        wait = max(0, int((d.next_attempt_at - now).total_seconds()))
        due = f"  next try in {wait}s"
    return (
        f"   {MARKS.get(d.status, '?')} {d.id}  {d.type}  {d.status}  {d.attempts} tries"
        f"  {escape(detail)}{due}"
    )


class WebhooksScreen(ListScreen):
    """Endpoints and deliveries; `r` on a delivery (or an endpoint: its newest that did not
    go through) sends it again now, with the same id."""

    BINDINGS = [
        Binding("escape,W", "back", "Back", id="webhooks.back"),
        Binding("r", "retry", "Retry", id="webhooks.retry"),
        Binding("R", "reload", "Refresh", id="webhooks.refresh"),
    ]

    EMPTY = "No webhook yet: halcrm webhooks add URL (docs: webhooks). Escape goes back."

    def __init__(self, webhooks: Webhooks | RemoteWebhooks, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.webhooks = webhooks
        self.clock = clock
        self.items: list[EndpointOverview] = []

    async def on_mount(self) -> None:
        await self.reload()

    async def reload(self) -> None:
        self.items = await self.webhooks.overview()
        self.show()

    def show(self) -> None:
        options = self.query_one(OptionList)
        at = options.highlighted
        failing = sum(item.failing for item in self.items)
        self.query_one("#title", Static).update(
            f"Webhooks: {len(self.items)} endpoint{'s' if len(self.items) != 1 else ''}"
            + (f", {failing} failing" if failing else "")
        )
        now = self.clock()
        rows: list[Option] = []
        for item in self.items:
            rows.append(Option(endpoint_line(item), id=f"e:{item.endpoint.id}"))
            rows += [
                Option(delivery_line(d, now), id=f"d:{item.endpoint.id}:{d.id}")
                for d in item.deliveries
            ]
        self.fill(rows)
        if rows:
            options.highlighted = min(at or 0, len(rows) - 1)
            options.focus()

    def _chosen(self) -> tuple[str, str] | None:
        """The highlighted delivery (an endpoint row: its newest one that did not go through)."""
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        kind, webhook_id, *rest = (options.get_option_at_index(options.highlighted).id or "").split(
            ":"
        )
        if kind == "d":
            return webhook_id, rest[0]
        item = next(i for i in self.items if i.endpoint.id == webhook_id)
        undone = [d for d in item.deliveries if d.status != "delivered"]
        return (webhook_id, undone[0].id) if undone else None

    @board_action
    async def action_retry(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            self.notify("No delivery to send again here.", severity="warning", timeout=2)
            return
        sent = await self.webhooks.retry(*chosen)
        self.notify(f"Sending {sent.id} again.", timeout=2)
        await self.reload()

    @board_action
    async def action_reload(self) -> None:
        await self.reload()

    def action_back(self) -> None:
        self.dismiss(None)
