"""The log view, and `q` closing a dialog instead of quitting the board."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Label, Log

from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.edit_company import EditCompany
from halcrm.tui.modals.stage_picker import StagePicker
from halcrm.tui.screens.logs import LogScreen
from tests.tui.helpers import ready, until


async def test_ctrl_l_shows_the_recent_log_lines(services: Services, tmp_path: Path):
    log_file = tmp_path / "halcrm.log"
    log_file.write_text("2026-11-27 INFO halcrm: started\n2026-11-27 WARNING halcrm: slow\n")
    app = HalcrmApp(services, log_file=log_file)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LogScreen)
        lines = app.screen.query_one(Log).lines
        assert any("WARNING halcrm: slow" in line for line in lines)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, LogScreen)


async def test_q_in_the_stage_picker_cancels_it(services: Services):
    await services.companies.create(CompanyCreate(name="Acme", stage="Lead"))
    app = HalcrmApp(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, StagePicker), "the stage picker")
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running
        assert not isinstance(app.screen, StagePicker)


async def test_the_stage_picker_and_the_edit_dialog_show_a_name_as_written(services: Services):
    """A name that looks like console markup (a visitor can send any) is shown as typed."""
    await services.companies.create(CompanyCreate(name="[b]Bold[/b] Co", stage="Lead"))
    app = HalcrmApp(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, StagePicker), "the stage picker")
        heading = str(app.screen.query_one(Label).render())
        assert heading == "Move [b]Bold[/b] Co to…"
        await pilot.press("escape", "e")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "the edit dialog")
        assert "[b]Bold[/b] Co" in str(app.screen.query_one(".title", Label).render())
