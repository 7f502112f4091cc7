"""`enter` on a focus item does its recommended action (API.md, "The focus lane"): each opens
the screen or dialog where the founder decides; nothing is written by itself.

- ``reply``: the conversation, its reply box holding the keys;
- ``do_next_step``: the step, to complete or reschedule (or edit);
- ``schedule_next_step``: the new-step dialog, prefilled;
- ``re_engage``: the new-step dialog prefilled "Check in with NAME" for the contact named;
- ``update_close_date``: the close-date editor;
- ``advance_stage``: the stage picker at the suggested stage.
"""

from __future__ import annotations

from collections.abc import Callable

from halcrm.services.board.records import FocusItem
from halcrm.tui.errors import board_action
from halcrm.tui.modals.next_step import StepChoices, StepForm
from halcrm.tui.screens.board_actions import Moves
from halcrm.tui.screens.board_nav import Navigator
from halcrm.tui.screens.board_tasks import NextSteps
from halcrm.tui.screens.desk import Desk, Part


class FocusActs(Part):
    """Does a focus item's action through the board's other collaborators."""

    def __init__(self, desk: Desk, moves: Moves, nav: Navigator, steps: NextSteps) -> None:
        super().__init__(desk)
        self.moves, self.nav, self.steps = moves, nav, steps

    def act(self, item: FocusItem) -> None:
        kind = item.action.kind
        handlers: dict[str, Callable[[FocusItem], object]] = {
            "reply": self.reply,
            "do_next_step": self.do_step,
            "schedule_next_step": self.schedule,
            "re_engage": self.re_engage,
            "update_close_date": self.close_date,
            "advance_stage": self.advance,
        }
        handler = handlers.get(kind)
        if handler is None:
            if item.company_id is not None:
                self.nav.open_company(item.company_id)
            return
        handler(item)

    @board_action
    async def reply(self, item: FocusItem) -> None:
        wanted = item.action.conversation_id
        services = self.desk.services
        talks = (
            await services.support.company_conversations(item.company_id)
            if item.company_id is not None
            else await services.support.inbox()
        )
        talk = next((t for t in talks if t.id == wanted), None)
        if talk is None:
            talk = next((t for t in await services.support.inbox() if t.id == wanted), None)
        if talk is None:
            self.desk.notify("That conversation is no longer open.", timeout=3)
            return
        self.nav.open_conversation(talk, True)  # runs once this action ends

    @board_action
    async def do_step(self, item: FocusItem) -> None:
        if item.action.task_id is None:
            return
        task = await self.desk.services.tasks.get(item.action.task_id)

        def chosen(what: str | None) -> None:
            if what == "complete":
                self.steps.complete(task)
            elif what == "reschedule":
                self.steps.reschedule(task)

        await self.app.push_screen(StepChoices(task), chosen)

    def schedule(self, item: FocusItem) -> None:
        if item.company_id is not None:
            form = StepForm(f"Follow up with {item.company_name}", "tomorrow", "task")
            self.steps.add(item.company_id, form)

    @board_action
    async def re_engage(self, item: FocusItem) -> None:
        if item.company_id is None:
            return
        detail = await self.desk.services.board.company_detail(item.company_id)
        wanted = item.action.contact_id
        person = next((c for c in detail.contacts if c.id == wanted), None)
        name = (person.name or person.email or person.id) if person else item.company_name
        form = StepForm(f"Check in with {name}", "today", "email", person.id if person else None)
        await self.steps.ask(item.company_id, form)

    def close_date(self, item: FocusItem) -> None:
        if item.company_id is not None:
            self.steps.edit_close(item.company_id)

    def advance(self, item: FocusItem) -> None:
        if item.company_id is None:
            return
        model = self.desk.board.model
        wanted = item.action.stage
        suggested = next((s.id for s in model.stages if wanted in (s.id, s.name)), None)
        self.moves.pick_stage_for(item.company_id, suggested)
