"""``Board``: what the board reads (its cards, a company in full, the pipeline summary, the
focus lane) and the founder's answers to the focus lane."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from halcrm.db.models import Contact, ContactCompany, FocusAnswer
from halcrm.db.tx import Tx
from halcrm.domain.errors import InvalidRequest
from halcrm.domain.events import EventKind
from halcrm.domain.stages import Source
from halcrm.services.area import Area, reads, writes
from halcrm.services.board.cards import cards_of, company_tasks
from halcrm.services.board.focus import compute_focus
from halcrm.services.board.records import (
    Answered,
    BoardData,
    Card,
    CompanyDetail,
    FocusItem,
    FocusReason,
    FocusState,
    PipelineSummary,
)
from halcrm.services.board.summary import compute_summary
from halcrm.services.crm.companies import HISTORY, company_history
from halcrm.services.crm.queries import company_record, contact_records, get_company
from halcrm.services.crm.visitors import company_visitors


class Board(Area):
    """The board's reads of one project, and its focus-lane answers."""

    @reads
    def load(self, tx: Tx) -> BoardData:
        """Every company of the project as a card, with the stages in order."""
        project = self.project(tx)
        return BoardData(
            project_id=self.project_id,
            stages=list(tx.stages(project)),
            cards=cards_of(tx, project, None),
            now=tx.now,
            time_zone=project.time_zone,
        )

    @reads
    def cards(self, tx: Tx, company_ids: list[str]) -> list[Card]:
        """The cards of some companies (missing ids are simply absent: they were deleted)."""
        return cards_of(tx, self.project(tx), company_ids)

    @reads
    def company_detail(self, tx: Tx, company_id: str) -> CompanyDetail:
        """A company with its contacts, history, visitors and next steps (the company screen)."""
        project = self.project(tx)
        company = get_company(tx, project, company_id)
        contacts = tx.session.scalars(
            select(Contact)
            .join(ContactCompany, ContactCompany.contact_pk == Contact.pk)
            .where(ContactCompany.company_pk == company.pk)
            .order_by(ContactCompany.created_at)
        )
        return CompanyDetail(
            company=company_record(tx, project, company),
            contacts=contact_records(tx, list(contacts)),
            history=company_history(tx, project, company, HISTORY),
            visitors=company_visitors(tx, company.pk),
            tasks=company_tasks(tx, project, company.pk),
        )

    @reads
    def summary(self, tx: Tx) -> PipelineSummary:
        """Per-stage counts and values, and the summary line's figures."""
        return compute_summary(tx, self.project(tx))

    @reads
    def focus_lane(self, tx: Tx, limit: int = 8) -> list[FocusItem]:
        """Ranks what needs the founder now, leaving out what they snoozed, did or dismissed."""
        return compute_focus(tx, self.project(tx), limit)

    @writes
    def answer_focus(
        self, tx: Tx, company_id: str, reason: str, state: str, until: datetime | None = None
    ) -> Answered:
        """Stores the founder's answer to a focus item: snoozed until a date, done, or
        dismissed."""
        try:
            reason_value, state_value = FocusReason(reason), FocusState(state)
        except ValueError as exc:
            raise InvalidRequest(f"unknown focus reason or state: {exc}") from exc
        if state_value is FocusState.SNOOZED and until is None:
            raise InvalidRequest("snoozing needs a date to snooze until", field="until")
        project = self.project(tx)
        company = get_company(tx, project, company_id)
        row = tx.session.scalar(
            select(FocusAnswer).where(
                FocusAnswer.company_pk == company.pk, FocusAnswer.reason == reason_value
            )
        )
        if row is None:
            row = FocusAnswer(company_pk=company.pk, reason=reason_value, created_at=tx.now)
            tx.session.add(row)
        row.state = state_value
        row.until = until
        row.activity_mark = company.last_activity_at
        row.created_at = tx.now
        tx.record(
            project,
            EventKind.FOCUS_ANSWERED,
            Source.BOARD,
            f"{company.name}: {reason_value.value.replace('_', ' ')} {state_value.value}",
            company,
            data={"reason": reason_value.value, "state": state_value.value},
        )
        return Answered(company_id=company.id, reason=reason_value.value, state=state_value.value)
