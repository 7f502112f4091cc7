"""`u` takes back exactly the last write, or says which write it cannot take back and does
nothing; `U` (or ctrl+r) puts an undo forward again."""

from __future__ import annotations

from halcrm.domain.errors import NotFound
from halcrm.services.container import Services
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.edit_company import EditCompany
from halcrm.tui.modals.edit_stage import EditStage
from tests.tui.helpers import board, column_of, ready, until
from tests.tui.test_errors import toasts


async def exists(services: Services, company_id: str) -> bool:
    try:
        await services.companies.get(company_id)
    except NotFound:
        return False
    return True


async def test_u_takes_back_the_new_card_not_an_older_move(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("L")  # Acme: Lead -> Qualified, the older write
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "acme moved")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, EditCompany), "new dialog")
        await pilot.press(*"Delta GmbH", "ctrl+s")
        await until(pilot, lambda: any("Created Delta GmbH" in t for t in toasts(app)), "made")
        delta = (await seeded.companies.all(q="delta")).items[0].id
        assert column_of(app, delta) == "qualified"
        await pilot.press("u")
        await until(pilot, lambda: column_of(app, delta) is None, "the new card gone")
        assert not await exists(seeded, delta)
        assert (await seeded.companies.get("acme")).stage == "Qualified"  # the move stays
        await pilot.press("U")  # redo: Delta is back
        await until(pilot, lambda: column_of(app, delta) == "qualified", "the card back")
        assert await exists(seeded, delta)
        await pilot.press("u")  # and the undo of the redo deletes it again
        await until(pilot, lambda: column_of(app, delta) is None, "gone again")
        assert not await exists(seeded, delta)


async def test_u_says_which_write_it_cannot_undo_and_does_nothing(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("L")
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "acme moved")
        await pilot.press("p")  # the focused column's stage: Qualified
        await until(pilot, lambda: isinstance(app.screen, EditStage), "stage dialog")
        await pilot.press("ctrl+u", *"35", "enter")
        await until(pilot, lambda: any("Stage Qualified saved" in t for t in toasts(app)), "saved")
        await pilot.press("u")
        await until(pilot, lambda: any("cannot be undone" in t for t in toasts(app)), "refusal")
        said = next(t for t in toasts(app) if "cannot be undone" in t)
        assert "stage Qualified edited" in said
        assert "nothing changed" in said
        await pilot.pause(0.2)
        assert column_of(app, "acme") == "qualified"  # the older move is not taken back
        assert (await seeded.companies.get("acme")).stage == "Qualified"


async def test_redo_puts_an_undone_move_forward_and_a_new_write_ends_redo(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("L")
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "acme moved")
        await pilot.press("u")
        await until(pilot, lambda: column_of(app, "acme") == "lead", "undone")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "redone")
        assert (await seeded.companies.get("acme")).stage == "Qualified"
        await pilot.press("u")
        await until(pilot, lambda: column_of(app, "acme") == "lead", "undone again")
        await pilot.press("j", "L")  # a new write (Birch moves): the redo is gone
        await until(pilot, lambda: column_of(app, "birch") == "qualified", "birch moved")
        await pilot.press("U")
        await until(pilot, lambda: any("Nothing to redo" in t for t in toasts(app)), "no redo")
        assert column_of(app, "acme") == "lead"
        assert len(board(app).undo_stack.redos) == 0
