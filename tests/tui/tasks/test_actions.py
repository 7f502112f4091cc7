"""enter on a focus item does its recommended action, ending where API.md says (nothing moves
by itself); the lane and the strip show each action's label. Real keys, both stores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList

from halcrm.domain.clock import MutableClock
from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate, CompanyPatch, ContactCreate, ProjectPatch
from halcrm.services.support.schemas import ConversationCreate, MessageCreate
from halcrm.services.tasks.inputs import TaskCreate
from halcrm.services.widget.inputs import Identify, IdentifyCompany, Track
from halcrm.tui.app import HalcrmApp
from halcrm.tui.modals.next_step import AskDay, StepChoices, StepDialog
from halcrm.tui.modals.stage_picker import StagePicker
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.focus import FocusScreen
from tests.conftest import FIXED_NOW
from tests.tui.helpers import ready, until


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(FIXED_NOW)


async def company(services: Services, cid: str, name: str, stage: str, deal: int) -> None:
    body = CompanyCreate(id=cid, name=name, stage=stage, deal_value=Decimal(deal))
    await services.companies.create(body, source=Source.BOARD)


@pytest.fixture
async def lane(services: Services, clock: MutableClock) -> Services:
    """One item of each action: Dune stalled (re_engage Jane), Acme's step overdue
    (do_next_step), Cobalt's close passed (update_close_date), Fable with no step
    (schedule_next_step), Gale's milestone (advance_stage), Hale's visitor waiting (reply)."""
    await company(services, "dune", "Dune Ltd", "negotiation", 9000)
    jane = await services.contacts.create(ContactCreate(id="jane", name="Jane Doe"))
    await services.contacts.link(jane.id, "dune")
    clock.advance(days=11)
    await company(services, "acme", "Acme Inc", "lead", 1000)
    body = TaskCreate(company_id="acme", title="Call Acme", due="2026-12-06")
    await services.tasks.create(body, Source.BOARD)
    await company(services, "cobalt", "Cobalt Co", "proposal", 5000)
    patch = CompanyPatch(expected_close=date(2026, 12, 1))
    await services.companies.update("cobalt", patch, source=Source.BOARD)
    await company(services, "fable", "Fable Co", "qualified", 3000)
    await services.projects.update(ProjectPatch(stage_hints={"trial_started": "Proposal"}))
    who = Identify(
        app_id=services.project_id,
        visitor_id="v-gale",
        email="gus@gale.example",
        company=IdentifyCompany(id="gale", name="Gale Corp"),
    )
    await services.widget.identify(who)
    await services.companies.move("gale", "lead", source=Source.BOARD)
    milestone = Track(
        app_id=services.project_id, visitor_id="v-gale", name="trial_started", company_id="gale"
    )
    await services.widget.track(milestone)
    hal = await services.contacts.create(ContactCreate(id="hal", name="Hal Smith"))
    await company(services, "hale", "Hale Ltd", "lead", 100)
    await services.contacts.link(hal.id, "hale")
    words = MessageCreate(author="contact", body="Any news?")
    await services.support.create(ConversationCreate(contact_id="hal", message=words))
    return services


async def open_on(pilot: Pilot[None], services: Services, company_id: str) -> FocusScreen:
    """The lane, its highlight on ``company_id``'s item."""
    screen = await ready(pilot)
    await until(pilot, lambda: screen.figures.loaded > 0, "figures")
    await pilot.press("F")
    await until(pilot, lambda: isinstance(pilot.app.screen, FocusScreen), "focus screen")
    focus = pilot.app.screen
    assert isinstance(focus, FocusScreen)
    ids = [item.company_id for item in focus.items]
    assert company_id in ids, ids
    focus.query_one(OptionList).highlighted = ids.index(company_id)
    return focus


async def test_each_item_shows_its_action_label(lane: Services) -> None:
    kinds = {item.company_id: item.action.kind for item in await lane.board.focus_lane(limit=20)}
    wanted = {
        "dune": "re_engage",
        "acme": "do_next_step",
        "cobalt": "update_close_date",
        "fable": "schedule_next_step",
        "gale": "advance_stage",
        "hale": "reply",
    }
    assert {k: kinds.get(k) for k in wanted} == wanted


@pytest.mark.parametrize(
    ("company_id", "lands_on"),
    [
        ("acme", StepChoices),
        ("cobalt", AskDay),
        ("fable", StepDialog),
        ("dune", StepDialog),
        ("gale", StagePicker),
        ("hale", ConversationScreen),
    ],
)
async def test_enter_does_the_action(
    lane: Services, clock: MutableClock, company_id: str, lands_on: type
) -> None:
    app = HalcrmApp(lane, lane.bus, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, lane, company_id)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, lands_on), lands_on.__name__)
        screen = app.screen
        if isinstance(screen, StepDialog) and company_id == "dune":
            assert screen.form.title == "Check in with Jane Doe"
            assert screen.form.contact_id == "jane"
        if isinstance(screen, StagePicker):  # at the suggested stage, the current one marked
            picker = screen.query_one(OptionList)
            assert picker.highlighted is not None
            assert str(picker.get_option_at_index(picker.highlighted).prompt) == "Proposal"
            await pilot.press("escape")
            assert (await lane.companies.get("gale")).stage == "Lead"  # nothing moved by itself
        if isinstance(screen, ConversationScreen):
            await until(pilot, lambda: isinstance(app.focused, Input), "the reply box")
        if isinstance(screen, StepChoices):
            await until(pilot, lambda: isinstance(app.focused, OptionList), "the choices")
            await pilot.press("enter")  # done, then the next step is asked for
            await until(pilot, lambda: isinstance(app.screen, StepDialog), "the next one")
            [task] = (await lane.tasks.list_tasks(company_id="acme", status="done")).items
            assert task.title == "Call Acme"


async def test_each_row_says_its_reason_once_and_names_as_written(
    lane: Services, clock: MutableClock
) -> None:
    # A title is the founder's (or their backend's) words, brackets included: never markup.
    await company(lane, "ivy", "Ivy Co", "lead", 2000)
    body = TaskCreate(company_id="ivy", title="Send [/] deck [b]v2", due="2026-12-01")
    await lane.tasks.create(body, Source.ACCOUNT_API)
    # Moved by the website just now, a step planned: the lane says to prepare it (not late).
    jet = IdentifyCompany(id="jet", name="Jet Co", stage="Qualified")
    who = Identify(app_id=lane.project_id, visitor_id="v-jet", email="jo@jet.example", company=jet)
    await lane.widget.identify(who)
    body = TaskCreate(company_id="jet", title="Demo", due="2026-12-20")
    await lane.tasks.create(body, Source.BOARD)
    clock.advance(hours=3)
    app = HalcrmApp(lane, lane.bus, clock=clock)
    async with app.run_test(size=(200, 36)) as pilot:
        focus = await open_on(pilot, lane, "ivy")
        options = focus.query_one(OptionList)
        rows = {item.company_id: str(options.get_option_at_index(n).prompt)
                for n, item in enumerate(focus.items)}  # fmt: skip
        # The label names the step or the person, the row says how late once, in the board's
        # style; a label does not name the company its row names.
        assert rows["ivy"].endswith("→ Do “Send [/] deck [b]v2” · 6d overdue"), rows["ivy"]
        assert rows["hale"].endswith("→ Reply to Hal Smith · waiting 3h"), rows["hale"]
        assert rows["fable"].endswith("→ Plan the next step · $3k in Qualified, no next step")
        assert rows["gale"].endswith("→ Move it to Proposal · trial_started suggests Proposal")
        assert rows["cobalt"].endswith(
            "→ Update its expected close · expected close passed 7 d ago"
        )
        assert rows["jet"].endswith(
            "→ Prepare “Demo” · a widget signal moved it to Qualified 3h ago"
        )
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, StepChoices), "the step's choices")
        heading = str(app.screen.query_one(Label).render())
        assert heading == "Send [/] deck [b]v2 (Ivy Co, due 2026-12-01)"
        await pilot.press("escape")  # as its keys line says: nothing done
        await until(pilot, lambda: app.screen is focus, "back on the lane")
        [step] = (await lane.tasks.list_tasks(company_id="ivy", status="open")).items
        assert step.title == "Send [/] deck [b]v2"
