"""Live signals from the bus: bursts are coalesced and never move the focus."""

from __future__ import annotations

from halcrm.domain.events import DomainEvent, EventKind
from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.tui.app import HalcrmApp
from tests.conftest import FIXED_NOW
from tests.tui.helpers import board, column_of, focused, ready, until


async def test_a_thousand_signals_are_coalesced_and_the_board_answers(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        events = [
            DomainEvent(
                id=10_000 + n,
                project_id="local",
                kind=EventKind.DEAL_VALUE,
                at=FIXED_NOW,
                source="widget",
                summary="deal value",
                company_id=("acme", "birch", "cobalt")[n % 3],
                company_name="x",
                data={"deal_value": n},
            )
            for n in range(1000)
        ]
        seeded.bus.publish(events)
        await until(pilot, lambda: screen.events_applied == 1000, "all signals applied")
        assert screen.batches_applied <= 5
        assert len(screen.feed.signals) == 500  # the feed keeps the newest 500
        assert screen.feed.lines()[0] == "widget x deal value $999"
        await pilot.press("down")
        assert focused(app) == "birch"


async def test_a_signal_moving_the_focused_card_keeps_the_focus_in_place(
    app: HalcrmApp, seeded: Services
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        assert focused(app) == "acme"
        await seeded.companies.move("acme", "won", source=Source.ACCOUNT_API)
        await until(pilot, lambda: column_of(app, "acme") == "won", "acme in Won")
        # The focus stays on the Lead column, now on the card that took Acme's place.
        assert board(app).board.focus_key == "lead"
        assert focused(app) == "birch"
        assert screen.feed.lines()[0] == "account_api Acme Inc → Won applied · $1k"


async def test_deleting_elsewhere_removes_the_card(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await seeded.companies.delete("cobalt")
        await until(pilot, lambda: column_of(app, "cobalt") is None, "cobalt gone")
        assert "cobalt" not in board(app).board.model.cards


async def test_the_feed_opens_with_recent_activity(app: HalcrmApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        # Preloaded activity: the seeded creations are in the feed, newest first.
        assert screen.feed.lines()[0].startswith("board Cobalt Co")


def refused(n: int, visitor: str = "v-9", code: str = "unknown_stage") -> DomainEvent:
    return DomainEvent(
        id=0,
        project_id="local",
        kind=EventKind.REFUSED,
        at=FIXED_NOW,
        source="widget",
        summary="refused",
        data={
            "route": "set-stage",
            "visitor_id": visitor,
            "code": code,
            "detail": "unknown stage 'Qualifed'",
            "count": n,
        },
    )


async def test_refused_calls_show_as_one_coalesced_line(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(170, 40)) as pilot:
        screen = await ready(pilot)
        before = len(screen.feed.signals)
        seeded.bus.publish([refused(1)])
        await until(pilot, lambda: len(screen.feed.signals) == before + 1, "refusal shown")
        seeded.bus.publish([refused(3), refused(2)])  # a burst: the same refusal again
        await until(pilot, lambda: screen.events_applied >= 3, "burst applied")
        assert len(screen.feed.signals) == before + 1
        line = screen.feed.lines()[0]
        assert (
            line
            == "widget ✖ v-9 refused set-stage unknown_stage (6 times): unknown stage 'Qualifed'"
        )
        seeded.bus.publish([refused(1, visitor="v-10")])
        await until(pilot, lambda: len(screen.feed.signals) == before + 2, "another visitor")
        assert (await seeded.companies.get("acme")).stage == "Lead"  # a refusal writes nothing


async def test_a_bulk_import_reloads_the_board_once(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        screen.board.model.cards["acme"].name = "stale"
        seeded.bus.publish(
            [
                DomainEvent(
                    id=99_999,
                    project_id="local",
                    kind=EventKind.IMPORTED,
                    at=FIXED_NOW,
                    source="account_api",
                    summary="import",
                    data={"created": 0, "updated": 1, "unchanged": 2, "rejected": 0},
                )
            ]
        )
        await until(pilot, lambda: screen.board.model.cards["acme"].name == "Acme Inc", "reload")
