"""A save that fails keeps the edit dialog open with what was typed, and says why."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from halcrm.domain.errors import DomainError
from halcrm.services.container import Services
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.edit_company import EditCompany
from tests.tui.helpers import board, ready, until
from tests.tui.test_errors import unwritable


def said(app: HalcrmApp) -> str:
    return str(app.screen.query_one("#error", Static).render())


async def test_an_edit_refused_by_the_disk_stays_open_and_saves_once_it_can(
    app: HalcrmApp, seeded: Services, db_url: str
) -> None:
    if "://" in db_url:
        pytest.skip("a file made unwritable is a SQLite case")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "edit dialog")
        dialog = app.screen
        with unwritable(Path(db_url).parent):
            await pilot.press("ctrl+u", *"Acme Robotics", "ctrl+s")
            await until(pilot, lambda: "Not saved" in said(app), "the reason")
            assert app.screen is dialog  # open, with what was typed
            assert dialog.query_one("#name", Input).value == "Acme Robotics"
            assert "database" in said(app)
        assert (await seeded.companies.get("acme")).name == "Acme Inc"  # nothing written
        await pilot.press("ctrl+s")  # the disk is back: the same dialog saves
        await until(pilot, lambda: app.screen is board(app), "the dialog closed")
        assert (await seeded.companies.get("acme")).name == "Acme Robotics"
        await until(
            pilot, lambda: board(app).board.model.cards["acme"].name == "Acme Robotics", "card"
        )


async def test_a_refused_new_company_keeps_the_dialog_and_says_why(
    app: HalcrmApp, seeded: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unavailable(*args: object, **kwargs: object) -> object:
        raise DomainError("The server is unavailable: try again.", code="unavailable")

    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        monkeypatch.setattr(seeded.companies, "create", unavailable)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "new dialog")
        dialog = app.screen
        await pilot.press(*"Delta GmbH", "tab", *"7000", "ctrl+s")
        await until(pilot, lambda: "unavailable" in said(app), "the reason")
        assert app.screen is dialog
        assert dialog.query_one("#name", Input).value == "Delta GmbH"
        assert dialog.query_one("#deal", Input).value == "7000"
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is board(app), "the dialog closed")
        page = await seeded.companies.all(q="delta")
        assert [c.name for c in page.items] == ["Delta GmbH"]
