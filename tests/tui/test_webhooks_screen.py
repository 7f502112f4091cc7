"""The board's webhooks: `W` lists endpoints and deliveries, `r` sends one again, `n` adds an
endpoint (its secret shown once), `t` tests it, space turns it off and on, `d` deletes it; an
endpoint that keeps failing is named in the status line until it delivers again."""

from __future__ import annotations

from functools import partial

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Label, OptionList, Select, Static

from halcrm.db.models import WebhookDelivery, WebhookEndpoint
from halcrm.services.container import Services
from halcrm.services.webhooks import claims
from halcrm.services.webhooks.inputs import WebhookCreate
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.confirm import Confirm
from halcrm.tui.modals.webhook_form import NewWebhook, WebhookMade, events_of
from halcrm.tui.screens.webhooks import WebhooksScreen
from tests.tui.helpers import board, ready, until


async def _attempted(services: Services, ok: bool) -> str:
    """Records an attempt of the newest delivery (as the delivery loop would)."""
    with services.db.session() as session:
        delivery = session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.pk.desc()))
        newest = next(iter(delivery))
    outcome = claims.Outcome(newest.pk, ok, 200 if ok else 500, None if ok else "HTTP 500")
    await services.db.write(partial(claims.settle, outcomes=[outcome], schedule=(300.0,)))
    return newest.id


def status_text(app: HalcrmApp) -> str:
    return str(board(app).query_one("#status", Static).content)


async def test_webhooks_screen_retry_and_failing_status(app: HalcrmApp, seeded: Services) -> None:
    hook = await seeded.webhooks.create(
        WebhookCreate(url="http://127.0.0.1:9/hook", allow_private=True)
    )
    await seeded.webhooks.test(hook.id)
    failed_id = await _attempted(seeded, ok=False)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: "⚠ webhook failing: 127.0.0.1" in status_text(app), "warning")

        await pilot.press("W")
        await until(pilot, lambda: isinstance(app.screen, WebhooksScreen), "webhooks screen")
        hooks = app.screen
        assert isinstance(hooks, WebhooksScreen)
        await until(pilot, lambda: hooks.query_one(OptionList).option_count == 2, "rows")
        title = str(hooks.query_one("#title", Static).content)
        assert title == "Webhooks: 1 endpoint, 1 failing"
        rows = hooks.query_one(OptionList)
        assert "failing since" in str(rows.get_option_at_index(0).prompt)
        assert "HTTP 500" in str(rows.get_option_at_index(1).prompt)

        await pilot.press("down", "r")
        with seeded.db.session() as session:

            def requeued() -> bool:
                session.expire_all()
                row = session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == failed_id))
                assert row is not None
                return row.next_attempt_at == row.created_at and row.attempts == 1

            await until(pilot, requeued, "the retry")

        # It goes through: the warning leaves the status line.
        await _attempted(seeded, ok=True)
        await pilot.press("escape")
        await screen.webhooks.check()
        await until(pilot, lambda: "webhook failing" not in status_text(app), "no warning")


async def test_the_palette_offers_the_webhooks_screen(app: HalcrmApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"webhooks")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, WebhooksScreen), "webhooks screen")
        assert "No webhook yet" in str(app.screen.query_one("#empty", Static).content)


def _endpoints(services: Services) -> list[WebhookEndpoint]:
    with services.db.session() as session:
        return list(session.scalars(select(WebhookEndpoint)))


def _deliveries(services: Services) -> list[str]:
    with services.db.session() as session:
        return list(session.scalars(select(WebhookDelivery.type)))


async def open_webhooks(pilot: Pilot[None]) -> WebhooksScreen:
    await ready(pilot)
    await pilot.press("W")
    await until(pilot, lambda: isinstance(pilot.app.screen, WebhooksScreen), "webhooks screen")
    hooks = pilot.app.screen
    assert isinstance(hooks, WebhooksScreen)
    return hooks


async def test_n_adds_an_endpoint_checked_on_save_and_shows_its_secret_once(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        hooks = await open_webhooks(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewWebhook), "the new endpoint dialog")
        dialog = app.screen
        # A Slack URL picks Slack's format (escape: nothing is stored).
        await pilot.press(*"https://hooks.slack.com/services/T0/B0/x")
        assert dialog.query_one("#format", Select).value == "slack"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is hooks, "cancelled")
        assert _endpoints(seeded) == []

        # A private address is refused until the founder allows it; the dialog stays.
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewWebhook), "the dialog again")
        dialog = app.screen
        await pilot.press(*"http://127.0.0.1:9/hook", "enter")
        error = dialog.query_one("#error", Label)
        await until(pilot, lambda: "Not saved" in str(error.content), "the refusal")
        assert "private" in str(error.content)
        assert app.screen is dialog
        assert _endpoints(seeded) == []
        await pilot.press("tab", "tab", *"deal.value_changed", "tab", "tab", "space", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, WebhookMade), "the secret")
        [endpoint] = _endpoints(seeded)
        assert (endpoint.url, endpoint.events, endpoint.allow_private) == (
            "http://127.0.0.1:9/hook",
            ["deal.value_changed"],
            True,
        )
        assert endpoint.secret in str(app.screen.query_one("#secret", Label).content)
        await pilot.press("c")
        assert app.clipboard == endpoint.secret
        await pilot.press("enter")
        rows = hooks.query_one(OptionList)
        await until(pilot, lambda: app.screen is hooks and rows.option_count == 1, "listed")


async def test_t_tests_space_turns_off_and_on_d_deletes_after_a_yes(
    app: HalcrmApp, seeded: Services
) -> None:
    await seeded.webhooks.create(WebhookCreate(url="http://127.0.0.1:9/hook", allow_private=True))
    async with app.run_test(size=(80, 24)) as pilot:
        hooks = await open_webhooks(pilot)
        rows = hooks.query_one(OptionList)
        await until(pilot, lambda: rows.option_count == 1, "the endpoint")
        # t sends a test, whatever it subscribes to; space turns it off and on.
        await pilot.press("t")
        await until(pilot, lambda: _deliveries(seeded) == ["webhook.test"], "the test queued")
        await pilot.press("space")
        await until(pilot, lambda: not _endpoints(seeded)[0].enabled, "turned off")
        await until(pilot, lambda: "off:" in str(rows.get_option_at_index(0).prompt), "said")
        await pilot.press("space")
        await until(pilot, lambda: _endpoints(seeded)[0].enabled, "on again")

        # d asks first: no keeps it, yes deletes it with its deliveries.
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "asked")
        await pilot.press("n")
        await until(pilot, lambda: app.screen is hooks, "kept")
        assert len(_endpoints(seeded)) == 1
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "asked again")
        await pilot.press("y")
        await until(pilot, lambda: _endpoints(seeded) == [], "deleted")
        assert _deliveries(seeded) == []
        empty = hooks.query_one("#empty")
        await until(pilot, lambda: "No webhook yet" in str(empty.render()), "empty")


def test_the_events_field_reads_names_and_all() -> None:
    assert events_of("") == ["*"]
    assert events_of("all") == ["*"]
    assert events_of(" company.created,deal.value_changed  contact.created") == [
        "company.created",
        "deal.value_changed",
        "contact.created",
    ]
