"""SVG snapshots of the main screens over the demo data, with a fixed clock and fixed ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from halcrm.config import BoardConfig
from halcrm.tui.modals.edit_company import EditCompany
from halcrm.tui.modals.webhook_form import NewWebhook
from halcrm.tui.screens.board import BoardScreen
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.focus import FocusScreen
from halcrm.tui.screens.help import HelpScreen
from halcrm.tui.screens.webhooks import WebhooksScreen
from tests.tui.demo_app import demo_app
from tests.tui.helpers import board, ready, steady_cursors, until

SIZE = (120, 36)


async def figures(pilot: Pilot[None]) -> None:
    """Waits for the board and its first summary and focus-lane figures."""
    await ready(pilot)
    app = pilot.app
    await until(pilot, lambda: board(app).figures.loaded > 0, "figures")  # type: ignore[arg-type]
    await pilot.pause()


BOTH = pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])


@BOTH
def test_board(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """The board: status line "● serving http://127.0.0.1:8765 … · 25 companies" (at 80
    columns the playground path gives way and "3 ▶" says how many columns are off-screen);
    the summary "Open $501k · weighted $255k · won in Nov $178k · ◷ stalled $249k (4)"; the
    focus strip; the columns, each header on two lines that never wrap ("Proposal  4" over
    "$224k · w $112k"), card names cut with an ellipsis where narrow; thin quiet scrollbars;
    no activity panel (it opens from 170 columns); the footer with `?` at the end."""

    async def run_before(pilot: Pilot[None]) -> None:
        await figures(pilot)

    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=run_before)


@BOTH
def test_edit_dialog(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """`e` on Ironwood Capital: one line per field (name, deal value "56,000", domain,
    industry), the notes below, and "ctrl+s save · tab next field · esc cancel" in sight,
    even at 80x24."""

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await figures_then(pilot)
        screen.jump_to("ironwood")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(pilot.app.screen, EditCompany), "edit dialog")
        steady_cursors(pilot.app)  # type: ignore[arg-type]
        # The board behind the dialog finishes its reads first (a busy machine is slower).
        await pilot.pause(0.3)

    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=run_before)


@BOTH
def test_filtered(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """`/capital` and enter: "1 company · filter “capital”" in the status line, only
    Ironwood Capital shown (in Proposal), and the focus on it, not on an empty column."""

    async def run_before(pilot: Pilot[None]) -> None:
        await figures(pilot)
        await pilot.press("slash", *"capital", "enter")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=run_before)


async def figures_then(pilot: Pilot[None]) -> BoardScreen:
    await figures(pilot)
    return board(pilot.app)  # type: ignore[arg-type]


def test_company_screen(snap_compare: Any, tmp_path: Path) -> None:
    """Ironwood Capital opened with enter: Proposal, deal value $56,000, notes, two contacts,
    "Conversations (1, 1 waiting)": "✉ open  Ines Duarte  Security review  1 msg  waiting 3h"
    over her last message; and the history: the widget's "Qualified skipped (already_later)"
    write, the viewed_pricing event, the conversation and its message, the board move
    Unstaged → Proposal."""

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await ready(pilot)
        screen.jump_to("ironwood")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, CompanyScreen), "company")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare: Any, tmp_path: Path) -> None:
    """`?` over the board: every key grouped (Board, Everywhere, Company screen) with its
    description, e.g. "H, shift+left  ◀ Move" and "m  Move to…"."""

    async def run_before(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_board_at_80x24_with_activity(snap_compare: Any, tmp_path: Path) -> None:
    """The smallest size: 80x24, the activity panel shown with `a` (newest first: the
    widget's skipped Qualified write for Ironwood); the summary line and the focus strip cut
    to the room left (one line per item, names shortened, no wrapping); columns scrolled so
    the focused card (globex.io, in Unstaged) stays in view."""

    async def run_before(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("a")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_focus_lane(snap_compare: Any, tmp_path: Path) -> None:
    """`F`: the focus lane in full, title "Focus: what needs you now · enter does the →
    action, o opens the company", the lane's order of API.md (an overdue step and a waiting
    visitor first, then by value at risk); each row: reason mark, the company in bold, its
    deal value, the recommended action ("→ Reply to Ines Duarte") and the reason in words,
    dimmed ("· waiting 3h"; a label does not repeat the company's name or the step's lateness);
    the first item highlighted, its evidence under the list ("Why Kestrel Aerospace · $120k",
    then each fact with its figures: the overdue step, the passed close date, 12 idle days
    against the stage's 10, the momentum); the footer's Back, Open, Move to…, Snooze…, Done,
    Dismiss keys."""

    async def run_before(pilot: Pilot[None]) -> None:
        await figures(pilot)
        await pilot.press("F")
        await until(pilot, lambda: isinstance(pilot.app.screen, FocusScreen), "focus lane")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_focus_lane_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    """`F` at 80 columns: each row's mark, company and deal value on its first line, the
    action and its evidence on the lines below, starting under the company's name and wrapping
    there ("→ Plan the next step · a widget signal moved it to" over "Negotiation 1d ago"),
    never back at the margin."""

    async def run_before(pilot: Pilot[None]) -> None:
        await figures(pilot)
        await pilot.press("F")
        await until(pilot, lambda: isinstance(pilot.app.screen, FocusScreen), "focus lane")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_new_webhook_dialog(snap_compare: Any, tmp_path: Path) -> None:
    """`W` then `n` at 80x24: "New webhook endpoint", the URL line (a Slack URL as its hint),
    what it sends (a select: signed JSON), the events ("all" as the hint), a note, the
    private-address checkbox, and "enter save · tab next field · esc cancel" in sight."""

    async def run_before(pilot: Pilot[None]) -> None:
        await figures(pilot)
        await pilot.press("W")
        await until(pilot, lambda: isinstance(pilot.app.screen, WebhooksScreen), "webhooks")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, NewWebhook), "the dialog")
        steady_cursors(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_stalled_first_and_summary(snap_compare: Any, tmp_path: Path) -> None:
    """`s` sorts stalled cards first: the status line says "stalled first"; the summary line
    reads "◷ stalled $249k (4)" in red; Brightpath Learning (focused, top of Lead) and
    Gridline Energy (top of Qualified) carry their "◷ 20 d" / "◷ 18 d" red badges, Kestrel
    Aerospace tops Proposal ("◷ 12 d") and Meridian Hotels Negotiation ("◷ 9 d")."""

    async def run_before(pilot: Pilot[None]) -> None:
        await figures(pilot)
        await pilot.press("s", "l")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_compact_cards_with_won_and_lost_collapsed(snap_compare: Any, tmp_path: Path) -> None:
    """A config with compact cards and Won and Lost collapsed: one line per card (stalled
    badge, name, short value such as "$12k"), Won and Lost narrow columns showing only their
    header ("Won  3" over "$178k"), the open columns sharing the rest of the width."""
    config = BoardConfig(compact_cards=True, collapsed_columns=("won", "Lost"))

    async def run_before(pilot: Pilot[None]) -> None:
        await figures(pilot)

    app = demo_app(tmp_path, config)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_conversation(snap_compare: Any, tmp_path: Path) -> None:
    """Ironwood's open conversation, opened from its company screen: the title "Security
    review · Ines Duarte · open · 1 message", Ines's question of 09:00 ("Can you send your
    SOC 2 report before Friday's committee?"), the reply box at the bottom and the footer's
    Reply, Resolve, Reopen and Snooze… keys."""

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await ready(pilot)
        screen.jump_to("ironwood")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, CompanyScreen), "company")
        pilot.app.screen.query_one("#conversations").focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen), "talk")
        steady_cursors(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)
