"""A new webhook endpoint from the board: its URL, what it is sent (signed JSON or Slack's
sentences), which events, and whether a receiver on a private address is allowed. The
services check the URL when it is saved (``Webhooks.create``); a refusal keeps the dialog
with what was typed and says why. Then the signing secret, once, with a key to copy it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import msgspec
from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select

from halcrm.domain.errors import DomainError
from halcrm.services.validation import plain_reason
from halcrm.services.webhooks.inputs import WebhookCreate
from halcrm.services.webhooks.records import WebhookWithSecret
from halcrm.tui import errors
from halcrm.tui.modals.dialog import DIALOG_CSS, FIELD_KEYS, keys_line

Save = Callable[[WebhookCreate], Awaitable[WebhookWithSecret]]

FORMATS = [("signed JSON (Standard Webhooks)", "standard"), ("Slack: one sentence", "slack")]
# Slack's incoming webhooks take its format: a URL of theirs picks it.
SLACK_HOST = "hooks.slack.com"


def _host(url: str) -> str | None:
    """The host of a URL being typed ("http://[::1" half-way is not one yet)."""
    try:
        return urlsplit(url.strip()).hostname
    except ValueError:
        return None


def events_of(text: str) -> list[str]:
    """``company.created, deal.value_changed`` (commas or spaces) as a list; empty, ``all``
    (the field's hint) or ``*`` is every event."""
    names = [n for n in text.replace(",", " ").split() if n]
    return ["*"] if not names or names in (["all"], ["*"]) else names


class NewWebhook(ModalScreen[WebhookWithSecret | None]):
    """One line per field; enter or ctrl+s saves through ``save``, escape cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="webhook.save"),
        Binding("escape", "cancel", "Cancel", id="webhook.cancel"),
        *FIELD_KEYS,
    ]

    DEFAULT_CSS = (
        DIALOG_CSS.replace("Dialog", "NewWebhook")
        + """
    NewWebhook Grid { grid-size: 2; grid-columns: 8 1fr; grid-gutter: 0 1; height: auto; }
    NewWebhook Grid Label { color: $text-muted; }
    NewWebhook Select { height: 3; }
    NewWebhook Checkbox { border: none; padding: 0; height: 1; background: transparent; }
    NewWebhook Checkbox:focus { background: $primary-muted; }
    """
    )

    def __init__(self, save: Save) -> None:
        super().__init__()
        self.save = save
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("[b]New webhook endpoint[/b]", markup=True, classes="title")
            with Grid():
                yield Label("URL")
                yield Input(
                    id="url", placeholder="https://hooks.slack.com/services/…", classes="line"
                )
                yield Label("Sends")
                yield Select(FORMATS, value="standard", allow_blank=False, id="format")
                yield Label("Events")
                yield Input(
                    id="events",
                    placeholder="all (or: company.stage_changed, deal.value_changed)",
                    classes="line",
                )
                yield Label("Note")
                yield Input(id="description", placeholder="what it is for", classes="line")
                yield Label("Private")
                yield Checkbox("allowed: a receiver on this machine or the LAN", id="private")
            yield Label("", id="error", markup=False)
            yield keys_line(("enter", "save"), ("tab", "next field"), ("esc", "cancel"))

    def on_mount(self) -> None:
        self.query_one("#url", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "url" and _host(event.value) == SLACK_HOST:
            self.query_one("#format", Select).value = "slack"

    def on_input_submitted(self) -> None:
        self.action_save()

    def _text(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value.strip()

    def action_save(self) -> None:
        error = self.query_one("#error", Label)
        if not self._text("url"):
            error.update("An endpoint needs the URL its deliveries are posted to.")
            return
        fields = {
            "url": self._text("url"),
            "events": events_of(self._text("events")),
            "description": self._text("description") or None,
            "format": str(self.query_one("#format", Select).value),
            "allow_private": self.query_one("#private", Checkbox).value,
        }
        try:
            body = msgspec.convert(fields, WebhookCreate)
        except msgspec.ValidationError as exc:
            field, words = plain_reason(exc)
            error.update(f"The {field or 'endpoint'} {words}.")
            return
        if not self.saving:
            self.saving = True
            error.update("Checking the URL and saving…")
            self.run_worker(self._save(body), exit_on_error=False)

    async def _save(self, body: WebhookCreate) -> None:
        try:
            async with errors.lock(self.app):
                made = await self.save(body)
        except Exception as exc:
            if not isinstance(exc, DomainError):
                errors.log.error("webhook save failed", exc_info=exc)
            self.query_one("#error", Label).update(f"Not saved: {errors.reason(exc)}")
            return
        finally:
            self.saving = False
        self.dismiss(made)

    def action_cancel(self) -> None:
        self.dismiss(None)


class WebhookMade(ModalScreen[None]):
    """The new endpoint and its signing secret (shown here and by ``GET /api/webhooks/{id}``,
    never in a list); `c` copies it."""

    BINDINGS = [
        Binding("c", "copy", "Copy the secret", id="webhook_made.copy"),
        Binding("escape,enter,q", "close", "Close", id="webhook_made.close"),
    ]

    DEFAULT_CSS = DIALOG_CSS.replace("Dialog", "WebhookMade") + (
        "WebhookMade #secret { background: $boost; padding: 0 1; width: 100%; }"
        "WebhookMade .hint { width: 100%; color: $text-muted; margin-top: 1; }"
    )

    def __init__(self, made: WebhookWithSecret) -> None:
        super().__init__()
        self.made = made

    def compose(self) -> ComposeResult:
        made = self.made
        if made.format == "slack":
            use = "Slack shows each delivery as a sentence; the secret signs them all the same."
        else:
            use = "Your receiver checks each delivery's signature with it (docs: webhooks)."
        with Vertical():
            yield Label(
                f"[b]Added {escape(made.id)}[/b]: {escape(made.url)}", markup=True, classes="title"
            )
            yield Label("Its signing secret:")
            yield Label(made.secret, id="secret", markup=False)
            yield Label(use, classes="hint")
            yield keys_line(("c", "copy the secret"), ("enter", "close"))

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.made.secret)
        self.notify("The signing secret is on the clipboard.", timeout=3)

    def action_close(self) -> None:
        self.dismiss(None)
