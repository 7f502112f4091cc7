"""A fast typist's keys land in order: what follows Tab goes to the next field, as a terminal
sends them in one burst (no pause between the keys for the app to catch up)."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from halcrm.services.container import Services
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.edit_company import EditCompany
from tests.tui.helpers import ready, until


def burst(app: HalcrmApp, keys: list[str]) -> None:
    """Sends ``keys`` to the app at once, as a terminal read of a fast typist delivers them."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        char = "\t" if key == "tab" else key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        driver.send_message(event)


async def test_text_typed_right_after_tab_goes_to_the_next_field(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "new dialog")
        dialog = app.screen
        burst(app, [*"Delta", "tab", *"7000", "tab", *"delta.io"])
        await until(
            pilot, lambda: dialog.query_one("#domain", Input).value == "delta.io", "the domain"
        )
        assert dialog.query_one("#name", Input).value == "Delta"
        assert dialog.query_one("#deal", Input).value == "7000"
