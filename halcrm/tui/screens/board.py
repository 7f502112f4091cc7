"""The board screen: status and summary lines, focus strip, columns, activity feed, filter;
keys and live signals."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from textual import signal
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from halcrm.tui.board_model import BoardModel
from halcrm.tui.client import BoardServices
from halcrm.tui.commands import BoardCommands
from halcrm.tui.errors import board_action, every
from halcrm.tui.live import Batch
from halcrm.tui.messages import BoardLoaded, Changed, SignalsApplied
from halcrm.tui.screens.board_act import FocusActs
from halcrm.tui.screens.board_actions import Moves
from halcrm.tui.screens.board_chats import Chats
from halcrm.tui.screens.board_deals import Deals
from halcrm.tui.screens.board_edits import Edits
from halcrm.tui.screens.board_focus import Figures, FocusAnswers, open_lane
from halcrm.tui.screens.board_nav import Navigator
from halcrm.tui.screens.board_status import empty_hint, status_line
from halcrm.tui.screens.board_tasks import NextSteps
from halcrm.tui.screens.board_undo import Undoing
from halcrm.tui.screens.board_views import Views
from halcrm.tui.screens.board_webhooks import Webhooks
from halcrm.tui.screens.desk import Desk
from halcrm.tui.undo import UndoStack
from halcrm.tui.view_state import ViewState
from halcrm.tui.widgets.activity import ActivityFeed, Signal
from halcrm.tui.widgets.board import BoardView
from halcrm.tui.widgets.summary import FocusStrip, SummaryLine

ACTIVITY_WIDTH = 170  # the activity panel opens by itself from this width, and closes below it
TICK = 15.0  # seconds between repaints of the ages ("5m") on cards and in the focus strip


class BoardScreen(Screen[None]):
    """The pipeline: one column per stage, the focused card always in view."""

    COMMANDS = {BoardCommands}
    # Nothing takes the focus by itself: the keys belong to the board until `/` is pressed.
    AUTO_FOCUS = ""

    BINDINGS = [
        Binding("R", "refresh", "Refresh", show=False, id="board.refresh"),
        Binding("left,h", "focus_move(-1, 0)", "Left", show=False, id="board.left"),
        Binding("right,l", "focus_move(1, 0)", "Right", show=False, id="board.right"),
        Binding("up,k", "focus_move(0, -1)", "Up", show=False, id="board.up"),
        Binding("down,j", "focus_move(0, 1)", "Down", show=False, id="board.down"),
        Binding("home,g", "focus_edge(-1)", "First card", show=False, id="board.first"),
        Binding("end,G", "focus_edge(1)", "Last card", show=False, id="board.last"),
        Binding("pageup", "focus_page(-1)", "Page up", show=False, id="board.page_up"),
        Binding("pagedown", "focus_page(1)", "Page down", show=False, id="board.page_down"),
        Binding("H,shift+left", "step(-1)", "◀ Move", key_display="H", id="board.move_back"),
        Binding("L,shift+right", "step(1)", "Move ▶", key_display="L", id="board.move_forward"),
        Binding("m", "pick_stage", "Move to…", show=False, id="board.move_to"),
        Binding("u", "undo", "Undo", id="board.undo"),
        Binding("U,ctrl+r", "redo", "Redo", show=False, id="board.redo"),
        Binding("enter", "open_company", "Open", id="board.open"),
        Binding("e", "edit_company", "Edit", id="board.edit"),
        Binding("n", "new_company", "New", id="board.new"),
        # Not in the footer: with it the footer passed 80 columns and cut off `?` (keys).
        Binding("d", "delete_company", "Delete", show=False, id="board.delete"),
        Binding("slash", "filter", "Filter", key_display="/", id="board.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="board.clear_filter"),
        Binding("a", "toggle_activity", "Activity", show=False, id="board.activity"),
        Binding("F", "focus_lane", "Focus", show=False, id="board.focus_lane"),
        Binding("f", "toggle_focus_strip", "Focus strip", show=False, id="board.focus_strip"),
        Binding("s", "stalled_first", "Stalled first", show=False, id="board.stalled_first"),
        Binding("S", "stalled_only", "Stalled only", show=False, id="board.stalled_only"),
        Binding("M", "merge", "Merge placeholder…", show=False, id="board.merge"),
        Binding("r", "reopen", "Reopen won/lost", show=False, id="board.reopen"),
        Binding("c", "toggle_collapsed", "Collapse won/lost", show=False, id="board.collapse"),
        Binding("p", "edit_stage", "Edit stage…", show=False, id="board.edit_stage"),
        Binding(
            "plus", "add_stage", "Add stage…", key_display="+", show=False, id="board.add_stage"
        ),
        Binding("C", "contacts", "Contacts…", show=False, id="board.contacts"),
        Binding("i", "inbox", "Inbox", show=False, id="board.inbox"),
        Binding("P", "switch_project", "Switch project…", show=False, id="board.project"),
        Binding("W", "webhooks", "Webhooks…", show=False, id="board.webhooks"),
        Binding("t", "add_step", "Next step", id="board.add_step"),
        Binding("A", "agenda", "Agenda", show=False, id="board.agenda"),
        Binding("V", "forecast", "Forecast", show=False, id="board.forecast"),
    ]

    DEFAULT_CSS = """
    BoardScreen #status {
        height: 1; background: $boost; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    BoardScreen #status.-down { color: $error; }
    BoardScreen #filter { dock: bottom; display: none; margin: 0 1; }
    BoardScreen #filter.-shown { display: block; }
    BoardScreen ActivityFeed { display: none; }
    BoardScreen.-activity ActivityFeed { display: block; }
    BoardScreen #hint { display: none; padding: 1 3; color: $text-muted; }
    BoardScreen.-empty #hint { display: block; }
    BoardScreen FocusStrip { display: none; }
    BoardScreen.-focus-strip FocusStrip { display: block; }
    """

    def __init__(
        self,
        services: BoardServices,
        *,
        clock: Callable[[], datetime],
        server_url: str | None,
        server_state: Callable[[], str] | None = None,
        compact: bool = False,
        collapsed: Iterable[str] = (),
        view: ViewState | None = None,
        project_label: str | None = None,
    ) -> None:
        self.view = view or ViewState()
        # Shown in the status line once the board shows another project than the server's.
        self.project_label = project_label
        super().__init__(classes="-focus-strip" if self.view.focus_strip else "")
        self.services = services
        self.clock = clock
        self.server_url = server_url
        self.server_state = server_state
        shut = self.view.collapsed if self.view.collapsed is not None else collapsed
        self.board = BoardView(clock, compact=compact, collapsed=shut)
        self.feed = ActivityFeed(clock)
        self.summary_line = SummaryLine(id="summary")
        self.strip = FocusStrip(id="focus-strip")
        self.strip.clock = clock
        self.undo_stack = UndoStack()
        # The collaborators: each holds the desk, none knows this screen.
        self.figures = Figures(self, services, self.board, self.summary_line, self.strip, clock)
        self.changed: signal.Signal[Changed] = signal.Signal(self, "changed")
        self.desk = Desk(
            self, services, self.board, clock, self.undo_stack, self.figures.request, self.changed
        )
        self.moves = Moves(self.desk)
        self.edits = Edits(self.desk)
        self.deals = Deals(self.desk)
        self.steps = NextSteps(self.desk)
        self.undoing = Undoing(self.desk, self.moves, self.edits, self.deals, self.steps)
        self.nav = Navigator(self.desk, self.edits.edit_company, self.steps, self.undoing)
        self.acts = FocusActs(self.desk, self.moves, self.nav, self.steps)
        self.answers = FocusAnswers(self.desk, self.moves, self.nav.open_company, self.acts.act)
        self.chats = Chats(self.desk)
        self.views = Views(self.desk, self.view, self.show_status)
        self.webhooks = Webhooks(self.desk, self.show_status)
        self.last_event_id = 0
        self.events_applied = 0
        self.batches_applied = 0
        self.loaded = False
        self._width = 0  # the terminal's width at the last resize

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield self.summary_line
        yield self.feed
        yield self.strip
        yield self.board
        yield Static(id="hint")
        yield Input(id="filter", placeholder="filter companies (enter: keep, escape: clear)")
        yield Footer(compact=True, show_command_palette=False)

    async def on_mount(self) -> None:
        self.strip.lane_key = self.desk.key("board.focus_lane", "F")
        self._width = self.app.size.width
        self.fit_activity(self.app.size.width)
        self.board.model.set_view(
            stalled_first=self.view.stalled_first, stalled_only=self.view.stalled_only
        )
        await self.reload()
        await self.chats.load()
        recent = await self.services.activity.recent(limit=100)
        # Oldest first, by time: stored activity comes by id, and imports or demo data write
        # events with times of their own.
        signals = [Signal.of(item) for item in reversed(recent.items)]
        self.feed.add(sorted(signals, key=lambda s: s.at))
        self.figures.request()  # read after the first frame (``Figures.request``)
        self.call_after_refresh(self.show_status)  # laid out: the columns off-screen are known
        self.loaded = True
        every(self, 1.0, self.show_status)
        every(self, TICK, self.tick)
        self.webhooks.watch()
        self.post_message(BoardLoaded(len(self.board.model.cards)))

    async def reload(self) -> None:
        """Loads every card and stage again (start, a bulk import, the stages changed, `R`)."""
        data = await self.services.board.load()
        old = self.board.model
        model = BoardModel(data.stages, data.cards, data.time_zone)
        model.stalled_first, model.stalled_only = old.stalled_first, old.stalled_only
        model.set_filter(old.filter_text)
        await self.board.load(model)
        self.show_status()

    def action_switch_project(self) -> None:
        self.nav.switch_project()

    @board_action
    async def action_refresh(self) -> None:
        await self.reload()
        self.figures.request()
        self.notify("Board refreshed.", timeout=2)

    def tick(self) -> None:
        """Keeps every age current: cards ("↯ widget 5m"), the focus strip and lane."""
        self.board.repaint_ages()
        self.strip.redraw()
        self.figures.repaint_lane()

    def fit_activity(self, width: int) -> None:
        """Opens the activity panel where it leaves the board room, closes it below that."""
        wanted = self.view.activity
        shown = width >= ACTIVITY_WIDTH and wanted is not False
        if shown != self.has_class("-activity"):
            self.set_class(shown, "-activity")
            self.call_after_refresh(self.board.show_focus)

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_status)
        width = self.app.size.width
        grew, self._width = self._width < ACTIVITY_WIDTH <= width, width
        if grew and self.view.activity is False:
            # Closed by hand, then the terminal grew past the width that opens it: the room
            # is new, and the panel takes it again (`a` closes it again).
            self.view.activity = None
            self.view.save()
        if width < ACTIVITY_WIDTH or self.view.activity is not False:
            self.fit_activity(width)

    def won(self, stage_name: str) -> bool:
        """Whether a stage (by name) is a won one (the terminal notifications)."""
        return any(s.name == stage_name and s.kind == "won" for s in self.board.model.stages)

    def show_status(self) -> None:
        """Server, companies shown, view, filter and columns off-screen: one line that fits."""
        state = self.server_state() if self.server_state else ""
        status = self.query_one("#status", Static)
        up = state in ("", "serving", "connected")
        status.set_class(self.server_url is not None and not up, "-down")
        width = max(20, self.size.width - 2)
        notes = (self.webhooks.warning(), self.chats.status())
        line = status_line(self.board, state, self.server_url, self.project_label, notes, width)
        if line != status.content:  # it is redrawn every second and on every batch
            status.update(line, layout=False)
        empty = not self.board.model.cards and not self.board.model.filter_text
        if empty != self.has_class("-empty"):
            self.query_one("#hint", Static).update(empty_hint(self.desk.key, self.server_url))
            self.set_class(empty, "-empty")

    async def apply_batch(self, batch: Batch) -> None:
        """Applies a batch of bus events: changed cards in place, the feed, the status line."""
        batch = batch.of_project(self.services.project_id)
        if not batch.events:
            return
        if batch.reload:
            await self.reload()
        elif batch.company_ids:
            cards = await self.services.board.cards(sorted(batch.company_ids))
            found = {card.id for card in cards}
            self.board.apply(cards, batch.company_ids - found, batch.flash)
        self.feed.add([Signal.of(event) for event in batch.events])
        self.last_event_id = max(self.last_event_id, batch.events[-1].id)
        self.events_applied += len(batch.events)
        self.batches_applied += 1
        await self.chats.apply(batch)
        self.show_status()
        if batch.reload or batch.company_ids:  # refusals alone change no figure
            self.figures.request()
        if batch.company_ids or batch.conversation_ids:
            ids, talks = frozenset(batch.company_ids), frozenset(batch.conversation_ids)
            self.changed.publish(Changed(ids, talks))
        self.post_message(
            SignalsApplied(self.last_event_id, len(batch.events), len(batch.company_ids))
        )

    # The keys: each hands over to the collaborator that does it.
    def action_step(self, delta: int) -> None:
        self.moves.step(delta)

    def action_pick_stage(self) -> None:
        self.moves.pick_stage()

    def action_open_company(self) -> None:
        self.nav.open_focused()

    def action_contacts(self) -> None:
        self.nav.contacts()

    def action_inbox(self) -> None:
        self.nav.inbox()

    def action_webhooks(self) -> None:
        self.webhooks.open()

    def action_edit_company(self) -> None:
        self.edits.edit_focused()

    def action_new_company(self) -> None:
        self.edits.new_company()

    def action_delete_company(self) -> None:
        self.edits.delete_focused()

    def action_merge(self) -> None:
        self.deals.merge_focused()

    def action_reopen(self) -> None:
        self.deals.reopen()

    def action_edit_stage(self) -> None:
        self.deals.edit_stage()

    def action_add_stage(self) -> None:
        self.deals.add_stage()

    def action_focus_lane(self) -> None:
        open_lane(self.figures, self.answers)

    def action_undo(self) -> None:
        self.undoing.undo()

    def action_redo(self) -> None:
        self.undoing.redo()

    # Next steps, the agenda and the forecast.
    def action_add_step(self) -> None:
        self.steps.add_focused()

    def action_forecast(self) -> None:
        self.steps.forecast()

    def action_agenda(self) -> None:
        self.steps.agenda(self.nav.open_company, self.undoing.undo, self.undoing.redo)

    # Focus and views.
    def jump_to(self, company_id: str) -> None:
        """Focuses a company, clearing a filter that hides it."""
        if not self.board.focus_card(company_id):
            self.action_clear_filter()
            self.board.focus_card(company_id)

    def action_focus_move(self, dx: int, dy: int) -> None:
        self.board.move_focus(dx, dy)
        if dx:
            self.call_after_refresh(self.show_status)  # the columns off-screen changed

    def action_focus_edge(self, end: int) -> None:
        self.board.move_focus(0, end * len(self.board.ids(self.board.focus_key)))

    def action_focus_page(self, pages: int) -> None:
        column = self.board.column(self.board.focus_key)
        per_page = max(1, column.cards.size.height // column.cards.card_height)
        self.board.move_focus(0, pages * per_page)

    def action_toggle_focus_strip(self) -> None:
        self.views.toggle_focus_strip()

    def action_toggle_collapsed(self) -> None:
        self.views.toggle_collapsed()

    def action_stalled_first(self) -> None:
        self.views.stalled(first=True)

    def action_stalled_only(self) -> None:
        self.views.stalled(only=True)

    def action_toggle_activity(self) -> None:
        self.views.toggle_activity()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-shown")
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""
            self.board.refilter("")
            self.show_status()
        box.remove_class("-shown")
        self.set_focus(None)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.board.refilter(event.value)
        self.show_status()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.remove_class("-shown")
        self.set_focus(None)
        # The keys act on a match at once: the focus is on the first one (or kept on its card).
        self.board.focus_first_match()
