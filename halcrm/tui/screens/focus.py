"""The focus lane in full: what needs the founder now, each item acted on from the keyboard."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.signal import Signal
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from halcrm.services.board.records import FocusItem
from halcrm.tui.errors import guarded
from halcrm.tui.format import short_money
from halcrm.tui.screens.listing import ListScreen, fit_width, hanging
from halcrm.tui.widgets.summary import MARK_CELLS, NAME_WIDTH, action_text, lead

VALUE_WIDTH = 9
# The evidence's padding (two cells each side).
EVIDENCE_GUTTER = 4


class LaneOwner(Protocol):
    """What the focus screen asks of the board: the actions, done the board's way."""

    def open_company(self, company_id: str) -> None: ...

    def act(self, item: FocusItem) -> None: ...

    def pick_stage_for(self, company_id: str) -> None: ...

    def snooze_focus(self, item: FocusItem) -> None: ...

    def answer_focus(self, item: FocusItem, state: str) -> None: ...


def item_prompt(item: FocusItem, now: datetime, width: int) -> Content:
    """One row: reason mark, company, deal value, then the action and its reason in words
    (its age as the focus strip says it), wrapped beside them or, on a narrow screen, below
    the company's name."""
    value = (short_money(item.deal_value_cents) if item.deal_value_cents else "").rjust(VALUE_WIDTH)
    head = Content.from_markup(f"{lead(item, NAME_WIDTH)} [dim]{value}[/dim]  ")
    return hanging(head, Content.from_markup(action_text(item, now)), width, under=MARK_CELLS)


def evidence_text(item: FocusItem | None, width: int) -> Content:
    """Why the highlighted item is in the lane, with its figures: the company and its deal,
    then each fact the services weighed (a wait, a lateness, an idle spell against the stage's
    limit, the momentum of the last two weeks), each wrapped under its own first word."""
    if item is None:
        return Content("")
    deal = short_money(item.deal_value_cents) if item.deal_value_cents else "no deal"
    head = Content.assemble(("Why ", "bold $accent"), (item.company_name, "bold"), f" · {deal}")
    facts = [hanging(Content(" • "), Content(fact), width, under=3) for fact in item.evidence]
    return Content("\n").join([head, *facts])


class FocusScreen(ListScreen):
    """Every focus item with its reason in words, and the evidence of the highlighted one
    under the list; answers go through the services."""

    DEFAULT_CSS = """
    FocusScreen #evidence {
        height: auto; max-height: 9; padding: 0 2; border-top: hkey $panel;
    }
    FocusScreen.-empty #evidence { display: none; }
    """

    BINDINGS = [
        Binding("escape,F", "back", "Back", id="focus.back"),
        Binding("enter", "act", "Do it", id="focus.act"),
        Binding("o", "open", "Open", id="focus.open"),
        Binding("m", "move", "Move to…", id="focus.move"),
        Binding("s", "snooze", "Snooze…", id="focus.snooze"),
        Binding("d", "answer('done')", "Done", id="focus.done"),
        Binding("x", "answer('dismissed')", "Dismiss", id="focus.dismiss"),
    ]

    TITLE_TEXT = "Focus: what needs you now · enter does the → action, o opens the company"
    EMPTY = "Nothing needs you right now. Escape goes back to the board."

    def __init__(
        self,
        owner: LaneOwner,
        items: Sequence[FocusItem],
        clock: Callable[[], datetime],
        updates: Signal[list[FocusItem]] | None = None,
    ) -> None:
        super().__init__()
        self.owner = owner
        self.items = list(items)
        self.clock = clock
        self.updates = updates
        self._at = 0  # the highlighted row, kept when the answered item leaves the list

    def below(self) -> ComposeResult:
        yield Static(id="evidence")

    def show_evidence(self) -> None:
        """The highlighted item's evidence (none while the list is empty)."""
        width = fit_width(self.app.size.width, EVIDENCE_GUTTER)
        self.query_one("#evidence", Static).update(evidence_text(self.current, width))

    def on_option_list_option_highlighted(self) -> None:
        self.show_evidence()

    def on_mount(self) -> None:
        self.draw(list(self.items))
        if self.updates is not None:  # from now on: composed, so a redraw finds its list
            self.updates.subscribe(self, guarded(self, self.show))

    def show(self, items: Sequence[FocusItem]) -> None:
        """Lists the items again, keeping the highlight on the same item when it is still there.

        The board calls it from its ticker and its figures: a lane pushed but not yet composed
        keeps the items, and its mount draws them."""
        if not self.is_mounted:
            self.items = list(items)
            return
        self.draw(items)

    def redraw(self) -> None:
        self.draw(self.items)

    def draw(self, items: Sequence[FocusItem]) -> None:
        options = self.query_one(OptionList)
        keep = self.current
        self.items = list(items)
        now = self.clock()
        self.fill(
            Option(item_prompt(item, now, self.row_width), id=f"{item.company_id}\x00{item.reason}")
            for item in self.items
        )
        if self.items:
            keys = [(i.company_id, i.reason) for i in self.items]
            wanted = (keep.company_id, keep.reason) if keep else None
            at = keys.index(wanted) if wanted in keys else min(self._at, len(keys) - 1)
            options.highlighted = at
            options.focus()
        self.show_evidence()

    @property
    def current(self) -> FocusItem | None:
        options = self.query_one(OptionList)
        at = options.highlighted
        if at is None or at >= len(self.items):
            return None
        self._at = at
        return self.items[at]

    def _item(self) -> FocusItem | None:
        item = self.current
        if item is None:
            self.notify("Nothing to act on.", severity="warning", timeout=2)
        return item

    def _company(self) -> str | None:
        """The focused item's company; an anonymous visitor's chat has none (the inbox has it)."""
        item = self._item()
        if item is not None and item.company_id is None:
            self.notify("An anonymous visitor's chat: reply from the inbox.", timeout=3)
        return item.company_id if item is not None else None

    def on_option_list_option_selected(self) -> None:
        self.action_act()

    def action_act(self) -> None:
        """Does the item's recommended action (nothing moves by itself: each opens a screen
        or a dialog where the founder decides)."""
        if item := self._item():
            self.owner.act(item)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_open(self) -> None:
        if company_id := self._company():
            self.owner.open_company(company_id)

    def action_move(self) -> None:
        if company_id := self._company():
            self.owner.pick_stage_for(company_id)

    def action_snooze(self) -> None:
        if item := self._item():
            self.owner.snooze_focus(item)

    def action_answer(self, state: str) -> None:
        if item := self._item():
            self.owner.answer_focus(item, state)
