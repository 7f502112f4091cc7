"""The board's webhooks: `W` lists endpoints and deliveries, `r` sends one again, and an
endpoint that keeps failing is named in the status line until it delivers again."""

from __future__ import annotations

from functools import partial

from sqlalchemy import select
from textual.widgets import OptionList, Static

from halcrm.db.models import WebhookDelivery
from halcrm.services.container import Services
from halcrm.services.webhooks import claims
from halcrm.services.webhooks.inputs import WebhookCreate
from halcrm.tui.app import HalcrmApp
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
