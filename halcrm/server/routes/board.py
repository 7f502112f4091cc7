"""The board's read models and undo writes over the account API (``halcrm board --connect``).

Thin handlers over the same service calls the in-process board makes.
"""

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import Parameter

from halcrm.domain.stages import Source
from halcrm.domain.wire import API, BOARD
from halcrm.services.board.records import (
    Answered,
    BoardData,
    Card,
    FocusItem,
    ForecastRecord,
    PipelineSummary,
)
from halcrm.services.container import Services
from halcrm.services.crm.records import CompanyRecord, CompanySnapshot, MergeUndo
from halcrm.services.fields import RecordId
from halcrm.services.support.schemas import CompanyConversation

Months = Annotated[int, Parameter(ge=1, le=12, description="how many months, from this one")]
LaneLimit = Annotated[int, Parameter(ge=1, le=100, description="how many items")]


class CardsWanted(msgspec.Struct, kw_only=True):
    """Company ids (a live batch may name hundreds: a body, not a URL)."""

    ids: Annotated[list[RecordId], msgspec.Meta(max_length=1_000)]


class FocusAnswer(msgspec.Struct, kw_only=True):
    """The founder's answer to a focus item: ``snoozed`` (until a date), ``done``, ``dismissed``."""

    company_id: RecordId
    reason: str
    state: str
    until: Annotated[datetime, msgspec.Meta(tz=True)] | None = None


class BoardController(Controller):
    path = BOARD
    tags = ["board"]

    @get("/")
    async def show(self, services: Services) -> BoardData:
        """Every company of the project as a card, with the stages in order."""
        return await services.board.load()

    @post("/cards", status_code=200)
    async def cards(self, data: CardsWanted, services: Services) -> list[Card]:
        """The cards of the companies named in ``ids`` (a read: it writes nothing); a deleted
        company is left out."""
        return await services.board.cards(data.ids)

    @get("/summary")
    async def summary(self, services: Services) -> PipelineSummary:
        """Open pipeline, weighted, won this month, stalled value, per-stage totals."""
        return await services.board.summary()

    @get("/forecast")
    async def forecast(self, services: Services, months: Months = 3) -> ForecastRecord:
        """Open deals by expected close month (project zone), overdue and undated; count,
        total and weighted value, exact to the cent."""
        return await services.forecast.months(months)

    @get("/focus")
    async def focus(self, services: Services, limit: LaneLimit = 8) -> list[FocusItem]:
        """What needs the founder now, each with its reason, best first."""
        return await services.board.focus_lane(limit)

    @get("/inbox")
    async def inbox(self, services: Services) -> list[CompanyConversation]:
        """Every open conversation (website chats of anonymous visitors too), those waiting
        for a reply first, longest wait first."""
        return await services.support.inbox()

    @post("/focus", status_code=200)
    async def answer(self, data: FocusAnswer, services: Services) -> Answered:
        """Stores an answer to a focus item (it stays away until something new happens)."""
        return await services.board.answer_focus(
            data.company_id, data.reason, data.state, data.until
        )


class UndoController(Controller):
    path = API
    tags = ["board"]

    @post("/merges/undo", status_code=200)
    async def undo_merge(
        self, data: MergeUndo, services: Services, audit_source: Source
    ) -> CompanyRecord:
        """Puts a merged-away company back, as the merge's ``undo`` describes it."""
        return await services.companies.undo_merge(data, audit_source)

    @post("/restores", status_code=201)
    async def restore(
        self, data: CompanySnapshot, services: Services, audit_source: Source
    ) -> CompanyRecord:
        """Puts a deleted company back from its ``snapshot`` (same id, links and history)."""
        return await services.companies.restore(data, audit_source)
