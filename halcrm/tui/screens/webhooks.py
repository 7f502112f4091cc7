"""The webhooks screen: each endpoint, its last deliveries and failures; `r` sends one again,
`n` adds an endpoint, `t` sends it a test, space turns it off or on, `d` deletes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rich.markup import escape
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from halcrm.services.webhooks.inputs import WebhookPatch
from halcrm.services.webhooks.records import (
    DeliveryRecord,
    EndpointOverview,
    WebhookRecord,
    WebhookWithSecret,
)
from halcrm.tui.errors import board_action
from halcrm.tui.modals.confirm import Confirm
from halcrm.tui.modals.webhook_form import NewWebhook, WebhookMade
from halcrm.tui.screens.listing import ListScreen, hanging

if TYPE_CHECKING:
    from halcrm.services.webhooks.area import Webhooks
    from halcrm.tui.client.tasks import RemoteWebhooks

MARKS = {"delivered": "✓", "pending": "…", "failed": "✖"}
# A delivery's mark and its indent: on a narrow screen its detail goes under its id.
DETAIL_INDENT = 5


def host(url: str) -> str:
    return urlsplit(url).hostname or url


def endpoint_line(item: EndpointOverview) -> str:
    e = item.endpoint
    events = ",".join(e.events)
    if not e.enabled:
        state = f"[dim]off: {escape(e.disabled_reason or 'turned off')}[/]"
    elif e.failing_since is not None:
        state = f"[b red]failing since {e.failing_since:%Y-%m-%d %H:%M}[/]"
    else:
        state = "[green]delivering[/]"
    return f"[b]{escape(e.url)}[/]  {escape(events)}  {e.format}  {state}"


def delivery_line(d: DeliveryRecord, now: datetime, width: int) -> Content:
    """``   ✖ msg_…  deal.value_changed  failed  8 tries``, then why and when it is tried
    again, wrapped beside it (under it on a narrow screen)."""
    detail = d.last_error or (f"HTTP {d.last_status}" if d.last_status else "")
    if d.status == "pending" and d.next_attempt_at is not None and d.attempts:
        wait = max(0, int((d.next_attempt_at - now).total_seconds()))
        detail += f"{'  ' if detail else ''}next try in {wait}s"
    head = Content(
        f"   {MARKS.get(d.status, '?')} {d.id}  {d.type}  {d.status}  {d.attempts} tries  "
    )
    return hanging(head, Content.styled(detail, "dim"), width, under=DETAIL_INDENT)


class WebhooksScreen(ListScreen):
    """Endpoints and deliveries; `r` on a delivery (or an endpoint: its newest that did not
    go through) sends it again now, with the same id."""

    BINDINGS = [
        Binding("escape,W", "back", "Back", id="webhooks.back"),
        Binding("n", "new", "New", id="webhooks.new"),
        Binding("t", "test", "Test", id="webhooks.test"),
        Binding("r", "retry", "Retry", id="webhooks.retry"),
        Binding("space", "switch", "On/off", id="webhooks.switch"),
        Binding("d", "delete", "Delete", id="webhooks.delete"),
        Binding("R", "reload", "Refresh", show=False, id="webhooks.refresh"),
    ]

    EMPTY = (
        "No webhook yet: n adds one (a Slack incoming webhook, your backend's URL), or "
        "halcrm webhooks add URL from a shell (docs: webhooks). Escape goes back."
    )

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

    def redraw(self) -> None:
        self.show()

    def show(self) -> None:
        options = self.query_one(OptionList)
        at = options.highlighted
        failing = sum(item.failing for item in self.items)
        self.query_one("#title", Static).update(
            f"Webhooks: {len(self.items)} endpoint{'s' if len(self.items) != 1 else ''}"
            + (f", {failing} failing" if failing else "")
        )
        now, width = self.clock(), self.row_width
        rows: list[Option] = []
        for item in self.items:
            rows.append(Option(endpoint_line(item), id=f"e:{item.endpoint.id}"))
            rows += [
                Option(delivery_line(d, now, width), id=f"d:{item.endpoint.id}:{d.id}")
                for d in item.deliveries
            ]
        self.fill(rows)
        if rows:
            options.highlighted = min(at or 0, len(rows) - 1)
            options.focus()

    def _row(self) -> tuple[str, str | None] | None:
        """The highlighted row's endpoint id and, on a delivery's row, the delivery's id."""
        options = self.query_one(OptionList)
        at = options.highlighted
        if at is None or at >= options.option_count:
            return None
        kind, webhook_id, *rest = (options.get_option_at_index(at).id or "").split(":")
        return webhook_id, rest[0] if kind == "d" else None

    def _overview(self, webhook_id: str) -> EndpointOverview | None:
        return next((i for i in self.items if i.endpoint.id == webhook_id), None)

    def _chosen(self) -> tuple[str, str] | None:
        """The highlighted delivery (an endpoint row: its newest one that did not go through)."""
        row = self._row()
        if row is None:
            return None
        webhook_id, delivery_id = row
        if delivery_id is not None:
            return webhook_id, delivery_id
        item = self._overview(webhook_id)
        undone = [d for d in item.deliveries if d.status != "delivered"] if item else []
        return (webhook_id, undone[0].id) if undone else None

    def _endpoint(self) -> WebhookRecord | None:
        """The highlighted row's endpoint (a delivery's row: the endpoint it belongs to)."""
        row = self._row()
        if row is None:
            self.notify("No endpoint here: n adds one.", severity="warning", timeout=2)
            return None
        item = self._overview(row[0])
        if item is None:  # deleted elsewhere since the list was read
            self.notify("That endpoint is gone.", severity="warning", timeout=2)
        return item.endpoint if item else None

    def action_new(self) -> None:
        self.app.push_screen(NewWebhook(self.webhooks.create), self._made)

    @board_action
    async def _made(self, made: WebhookWithSecret | None) -> None:
        if made is None:
            return
        await self.reload()
        self.app.push_screen(WebhookMade(made))

    @board_action
    async def action_test(self) -> None:
        """Queues a ``webhook.test`` delivery to the endpoint, whatever it subscribes to."""
        if endpoint := self._endpoint():
            sent = await self.webhooks.test(endpoint.id)
            self.notify(f"Test {sent.id} queued for {host(endpoint.url)}.", timeout=3)
            await self.reload()

    @board_action
    async def action_switch(self) -> None:
        """Turns the endpoint off (its deliveries wait) or on again (a failing mark cleared)."""
        if endpoint := self._endpoint():
            changed = await self.webhooks.update(
                endpoint.id, WebhookPatch(enabled=not endpoint.enabled)
            )
            state = "on: deliveries go out again" if changed.enabled else "off: deliveries wait"
            self.notify(f"{host(endpoint.url)} is {state}.", timeout=3)
            await self.reload()

    def action_delete(self) -> None:
        if endpoint := self._endpoint():
            question = (
                f"Delete the endpoint {endpoint.url}? Its deliveries go with it; nothing more "
                "is sent there."
            )
            self.app.push_screen(
                Confirm(question, yes="Delete"), partial(self._delete, endpoint.id)
            )

    @board_action
    async def _delete(self, webhook_id: str, yes: bool | None) -> None:
        if yes:
            await self.webhooks.delete(webhook_id)
            self.notify("Endpoint deleted.", timeout=2)
            await self.reload()

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
