"""Moving cards with real key presses: the column, the stored stage and the audit row."""

from __future__ import annotations

from halcrm.services.container import Services
from halcrm.tui.app import HalcrmApp
from tests.tui.helpers import column_of, focused, ready, until


async def last_stage_write(services: Services, company_id: str) -> dict[str, object]:
    history = await services.companies.history(company_id)
    item = next(i for i in history.items if i.type == "stage_change")
    return {
        "source": item.source,
        "mode": item.mode,
        "applied": item.applied,
        "stage": item.stage,
        "previous_stage": item.previous_stage,
    }


async def test_shift_l_moves_forward_and_h_downgrades(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert focused(app) == "acme"  # Lead is the first column with cards; Acme sorts first
        await pilot.press("L")
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "acme in Qualified")
        assert focused(app) == "acme"  # the focus follows the card
        assert (await seeded.companies.get("acme")).stage == "Qualified"
        assert await last_stage_write(seeded, "acme") == {
            "source": "board",
            "mode": "exact",
            "applied": True,
            "stage": "Qualified",
            "previous_stage": "Lead",
        }
        await pilot.press("H", "H")
        await until(pilot, lambda: column_of(app, "acme") == "", "acme Unstaged")
        assert (await seeded.companies.get("acme")).stage is None
        write = await last_stage_write(seeded, "acme")
        assert write["source"] == "board"
        assert write["previous_stage"] == "Lead"


async def test_downgrade_with_the_stage_picker_and_undo(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("l", "l")  # Lead -> Qualified -> Proposal (Cobalt)
        assert focused(app) == "cobalt"
        await pilot.press("m")
        await pilot.pause()
        # The picker lists Unstaged, Lead, ...: the highlight starts on Proposal.
        await pilot.press("up", "up", "enter")
        await until(pilot, lambda: column_of(app, "cobalt") == "lead", "cobalt in Lead")
        assert (await seeded.companies.get("cobalt")).stage == "Lead"
        write = await last_stage_write(seeded, "cobalt")
        assert write == {
            "source": "board",
            "mode": "exact",
            "applied": True,
            "stage": "Lead",
            "previous_stage": "Proposal",
        }
        await pilot.press("u")
        await until(pilot, lambda: column_of(app, "cobalt") == "proposal", "cobalt back")
        assert (await seeded.companies.get("cobalt")).stage == "Proposal"
        assert (await last_stage_write(seeded, "cobalt"))["source"] == "board"


async def test_arrow_keys_move_focus_without_writing(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("down")
        assert focused(app) == "birch"
        await pilot.press("k", "right", "right", "j")
        assert focused(app) == "cobalt"
        history = await seeded.companies.history("cobalt")
        assert len([i for i in history.items if i.type == "stage_change"]) == 1
