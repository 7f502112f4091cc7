"""Money and stalling on the board: the summary line, weighted headers, stalled views."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from textual.widgets import Label

from halcrm.domain.clock import MutableClock
from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate
from halcrm.services.crm.records import StageRecord
from halcrm.services.tasks.inputs import TaskCreate
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.edit_stage import EditStage
from halcrm.tui.widgets.summary import STRIP_ITEMS
from tests.conftest import FIXED_NOW
from tests.tui.helpers import board, column_of, focused, ready, text_of, until


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(FIXED_NOW)


async def test_summary_and_headers_follow_a_move(app: HalcrmApp, seeded: Services) -> None:
    # Acme $1,000 in Lead (10 %), Cobalt $5,000 in Proposal (50 %). Wide enough for the
    # headers' full figures (narrow columns shorten them to "$5k · w $2.5k").
    async with app.run_test(size=(170, 36)) as pilot:
        screen = await ready(pilot)
        await pilot.press("a")  # hides the activity panel: the columns get its room
        await until(pilot, lambda: screen.figures.loaded > 0, "figures")
        summary = text_of(app, "#summary")
        assert "Open $6k" in summary
        assert "weighted $2.6k" in summary
        assert "◷ stalled $0" in summary
        proposal_header = screen.board.column("proposal").header
        # Laid out at the new width (the activity panel just left), the full figures show.
        await until(pilot, lambda: "w $2.5k" in str(proposal_header.render()), "header")
        await pilot.press("L")  # Acme: Lead -> Qualified (25 %)
        await until(pilot, lambda: "weighted $2.8k" in text_of(app, "#summary"), "new weighted")
        qualified_header = screen.board.column("qualified").header
        await until(pilot, lambda: "w $250" in str(qualified_header.render()), "header")
        assert (await seeded.board.summary()).weighted_total_cents == 275_000
        await pilot.press("m", "down", "down", "down", "enter")  # Qualified -> Won
        await until(pilot, lambda: "won in Nov $1k" in text_of(app, "#summary"), "won")
        assert "Open $5k" in text_of(app, "#summary")
        assert (await seeded.companies.get("acme")).stage == "Won"


async def test_a_signal_refreshes_the_summary(
    app: HalcrmApp, seeded: Services, clock: MutableClock
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: screen.figures.loaded > 0, "figures")
        body = CompanyCreate(
            id="delta", name="Delta", stage="negotiation", deal_value=Decimal(8000)
        )
        await seeded.companies.create(body, source=Source.ACCOUNT_API)
        await until(pilot, lambda: "Open $14k" in text_of(app, "#summary"), "signal counted")
        assert column_of(app, "delta") == "negotiation"


@pytest.fixture
async def stalling(services: Services, clock: MutableClock) -> Services:
    """Zeta (Lead, $700) goes quiet for 15 days; Alpha joins Lead just now."""
    await services.companies.create(
        CompanyCreate(id="zeta", name="Zeta", stage="lead", deal_value=Decimal(700))
    )
    clock.advance(days=15)
    await services.companies.create(CompanyCreate(id="alpha", name="Alpha", stage="lead"))
    return services


async def test_stalled_first_and_stalled_only(stalling: Services, clock: MutableClock) -> None:
    app = HalcrmApp(stalling, stalling.bus, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        model = screen.board.model
        assert model.columns["lead"] == ["alpha", "zeta"]
        assert model.cards["zeta"].stalled_days == 15  # days without activity
        await until(pilot, lambda: "◷ stalled $700 (1)" in text_of(app, "#summary"), "stalled")
        await pilot.press("s")
        assert model.columns["lead"] == ["zeta", "alpha"]
        assert focused(app) == "alpha"  # the focus stays on the card it was on
        assert "stalled first" in text_of(app, "#status")
        await pilot.press("S")
        assert model.columns["lead"] == ["zeta"]
        assert column_of(app, "alpha") is None
        assert focused(app) == "zeta"
        assert "stalled only" in text_of(app, "#status")
        await pilot.press("S", "s")
        assert model.columns["lead"] == ["alpha", "zeta"]
        assert board(app).board.model.visible() == 2


async def test_edit_a_stage_probability_and_stall_limit(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: "weighted $2.6k" in text_of(app, "#summary"), "figures")
        await pilot.press("l", "l", "p")  # the Proposal column: 50 %, stalls after 10 days
        await until(pilot, lambda: isinstance(app.screen, EditStage), "stage dialog")
        await pilot.press("backspace", "backspace", *"150", "enter")
        await pilot.pause()
        error = str(app.screen.query_one("#error", Label).render())
        assert error == "Win probability must be at most 100."  # plain words, not msgspec's
        assert (await proposal(seeded)).probability == 50  # nothing stored
        await pilot.press(*["backspace"] * 3, *"80", "tab", "backspace", "backspace", "3")
        await pilot.press("enter")
        await until(pilot, lambda: "weighted $4.1k" in text_of(app, "#summary"), "reweighted")
        stored = await proposal(seeded)
        assert (stored.probability, stored.stall_after_days) == (80, 3)
        assert screen.board.model.stage("proposal").stall_after_days == 3
        latest = (await seeded.activity.recent(limit=1)).items[0]
        assert (latest.kind, latest.source) == ("stages_changed", "board")  # not account_api


async def proposal(services: Services) -> StageRecord:
    return next(s for s in (await services.stages.all()).items if s.id == "proposal")


async def test_figure_requests_are_coalesced(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: not screen.figures._running, "first figures")
        before = screen.figures.loaded
        for _ in range(50):  # fifty signals landing while one read runs
            screen.figures.request()
        await until(pilot, lambda: not screen.figures._running, "figures")
        assert screen.figures.loaded - before <= 2
        assert "Open $6k" in text_of(app, "#summary")


async def test_the_focus_strip_holds_its_place_until_the_lane_is_read(
    seeded: Services, clock: MutableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the lane's first read the strip does not claim that nothing needs you, and it is
    already as tall as a full strip, so the columns do not move down when items arrive."""
    for company_id in ("acme", "cobalt"):  # deals with money planned: nothing needs you
        await seeded.tasks.create(TaskCreate(company_id=company_id, title="Call", due="2030-01-01"))
    gate = asyncio.Event()
    read = seeded.board.focus_lane

    async def held(limit: int) -> Any:
        await gate.wait()
        return await read(limit)

    monkeypatch.setattr(seeded.board, "focus_lane", held)
    app = HalcrmApp(seeded, seeded.bus, server_url="http://127.0.0.1:0", clock=clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.pause()
        strip = screen.strip
        assert "Reading what needs you" in str(strip.content)
        assert strip.size.height == STRIP_ITEMS
        gate.set()
        await until(pilot, lambda: screen.figures.loaded > 0, "the lane read")
        await pilot.pause()
        assert "Nothing needs you right now" in str(strip.content)  # three calm companies
