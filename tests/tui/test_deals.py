"""Placeholder merge with undo, lost with a reason, reopen, and collapsed won/lost columns."""

from __future__ import annotations

import pytest

from halcrm.domain.errors import NotFound
from halcrm.services.container import Services
from halcrm.services.widget.inputs import Identify
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.company_picker import CompanyPicker
from halcrm.tui.modals.lost_reason import LostReason
from halcrm.tui.modals.stage_picker import StagePicker
from tests.tui.helpers import board, column_of, focused, ready, until


async def placeholder_id(services: Services) -> str:
    """Kim (a free-mail address, no company) gets a placeholder company of her own."""
    answer = await services.widget.identify(
        Identify(app_id="local", visitor_id="v-kim", email="kim@gmail.com", name="Kim Lee")
    )
    assert len(answer.company_ids) == 1
    pid = answer.company_ids[0]
    assert (await services.companies.get(pid)).is_placeholder
    return pid


async def test_merge_a_placeholder_and_undo(app: HalcrmApp, seeded: Services) -> None:
    pid = await placeholder_id(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert focused(app) == pid  # Unstaged comes first
        await pilot.press("l", "M")  # Acme: not a placeholder, nothing to merge
        await pilot.pause()
        assert not isinstance(app.screen, CompanyPicker)
        await pilot.press("h", "M")
        await until(pilot, lambda: isinstance(app.screen, CompanyPicker), "company picker")
        await pilot.press(*"co balt", "enter")  # each word, in any order
        await until(pilot, lambda: column_of(app, pid) is None, "placeholder gone")
        assert focused(app) == "cobalt"
        assert board(app).board.model.cards["cobalt"].contacts == 1
        with pytest.raises(NotFound):
            await seeded.companies.get(pid)
        assert len((await seeded.companies.get("cobalt")).contact_ids) == 1
        await pilot.press("u")
        await until(pilot, lambda: column_of(app, pid) == "", "placeholder back")
        assert focused(app) == pid
        assert (await seeded.companies.get(pid)).is_placeholder
        assert (await seeded.companies.get("cobalt")).contact_ids == []


async def test_lost_asks_for_a_reason_and_reopen_brings_it_back(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("l", "l")  # Cobalt, in Proposal
        assert focused(app) == "cobalt"
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, StagePicker), "picker")
        await pilot.press("down", "down", "down", "enter")  # Proposal -> Lost
        await until(pilot, lambda: isinstance(app.screen, LostReason), "reason dialog")
        await pilot.press("escape")  # cancels the move
        await pilot.pause()
        assert (await seeded.companies.get("cobalt")).stage == "Proposal"
        await pilot.press("m", "down", "down", "down", "enter")
        await until(pilot, lambda: isinstance(app.screen, LostReason), "reason dialog")
        await pilot.press(*"went with a competitor", "enter")
        await until(pilot, lambda: column_of(app, "cobalt") == "lost", "cobalt lost")
        assert (await seeded.companies.get("cobalt")).stage == "Lost"
        history = await seeded.companies.history("cobalt")
        move = next(i for i in history.items if i.type == "stage_change")
        assert (move.stage, move.note, move.source) == ("Lost", "went with a competitor", "board")
        await pilot.press("r")
        await until(pilot, lambda: column_of(app, "cobalt") == "proposal", "reopened")
        assert (await seeded.companies.get("cobalt")).stage == "Proposal"
        assert focused(app) == "cobalt"
        await pilot.press("r")  # an open deal cannot be reopened: a warning, nothing written
        await pilot.pause()
        assert (await seeded.companies.get("cobalt")).stage == "Proposal"


async def test_empty_reason_moves_without_a_note(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("m", "end", "enter")  # Acme -> Lost (the last stage)
        await until(pilot, lambda: isinstance(app.screen, LostReason), "reason dialog")
        await pilot.press("enter")
        await until(pilot, lambda: column_of(app, "acme") == "lost", "acme lost")
        history = await seeded.companies.history("acme")
        move = next(i for i in history.items if i.type == "stage_change")
        assert (move.stage, move.note) == ("Lost", None)


async def test_collapse_won_and_lost(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await seeded.companies.move("acme", "Won")
        await until(pilot, lambda: column_of(app, "acme") == "won", "acme won")
        await pilot.press("c")
        won, lost = screen.board.column("won"), screen.board.column("lost")
        assert won.has_class("-collapsed")
        assert lost.has_class("-collapsed")
        assert not won.cards.display
        assert "Won  1" in str(won.header.render())
        assert "$1k" in str(won.header.render())
        assert not screen.board.column("lead").has_class("-collapsed")
        await pilot.press("c")
        assert not won.has_class("-collapsed")
        assert won.cards.display
