"""``Companies``: the account API's and the board's reads and edits of companies (manual, exact
stage writes), their merge and the board's undo of a delete."""

from __future__ import annotations

from msgspec import UNSET
from sqlalchemy import delete, select
from sqlalchemy import update as sql_update

from halcrm.db.models import (
    Company,
    Contact,
    ContactCompany,
    Event,
    Project,
    StageChange,
    Task,
    Visitor,
)
from halcrm.db.tx import Tx
from halcrm.domain import metadata as meta_rules
from halcrm.domain.errors import Conflict, InvalidRequest
from halcrm.domain.events import EventKind
from halcrm.domain.money import to_cents
from halcrm.domain.stages import Source, StageMode, resolve_stage
from halcrm.services.area import Area, reads, writes
from halcrm.services.crm.deal_history import deal_value_items, record_deal_value
from halcrm.services.crm.inputs import CompanyCreate, CompanyPatch
from halcrm.services.crm.merge import merge_in, undo_merge_in
from halcrm.services.crm.pipeline import apply_stage, apply_stage_to
from halcrm.services.crm.queries import (
    company_id_taken,
    company_record,
    company_records,
    get_company,
    load_company,
)
from halcrm.services.crm.records import (
    CompanyRecord,
    CompanySnapshot,
    Deleted,
    HistoryItem,
    MergeResult,
    MergeUndo,
    StageResult,
)
from halcrm.services.crm.restore import capture_in, restore_in
from halcrm.services.ids import new_id
from halcrm.services.page import Page
from halcrm.services.paging import fetch_page, page_params, text_matches
from halcrm.services.support.history import conversation_items

# A company's history answers its latest lines, this many.
HISTORY = 200


class Companies(Area):
    """The companies of one project."""

    @reads
    def all(
        self,
        tx: Tx,
        *,
        stage: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[CompanyRecord]:
        """Companies oldest first, filtered by stage (name or id) and text, paginated by cursor."""
        size, after = page_params(limit, cursor)
        project = self.project(tx)
        stmt = select(Company).where(Company.project_pk == project.pk)
        if stage is not None:
            info = resolve_stage(tx.stages(project), stage)
            pk = next(s.pk for s in tx.stage_rows(project) if s.id == info.id)
            stmt = stmt.where(Company.stage_pk == pk)
        if q:
            stmt = stmt.where(text_matches(q, Company.name, Company.domain, Company.id))
        rows, next_cursor = fetch_page(tx, stmt, Company.pk, size, after)
        return Page(items=company_records(tx, project, rows), next_cursor=next_cursor)

    @reads
    def get(self, tx: Tx, company_id: str) -> CompanyRecord:
        project = self.project(tx)
        return company_record(tx, project, get_company(tx, project, company_id))

    @writes
    def create(
        self, tx: Tx, body: CompanyCreate, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord:
        """Creates only the company (no contact, no link); a stage given is an exact write."""
        cents = to_cents(body.deal_value) if body.deal_value is not None else None
        if body.metadata:
            meta_rules.check(body.metadata, field="metadata")
        project = self.project(tx)
        company_id = body.id or new_id("co")
        if company_id_taken(tx, project, company_id):
            raise Conflict(
                f"a company with id {company_id!r} exists already", code="already_exists"
            )
        company = Company(
            id=company_id,
            project_pk=project.pk,
            name=body.name,
            domain=body.domain,
            industry=body.industry,
            notes=body.notes,
            meta=dict(body.metadata or {}),
            deal_value_cents=cents,
            expected_close=body.expected_close,
            created_at=tx.now,
            updated_at=tx.now,
            last_activity_at=tx.now,
        )
        tx.session.add(company)
        tx.session.flush()
        tx.record(project, EventKind.COMPANY_CREATED, source, f"{company.name} created", company)
        if body.stage is not None:
            apply_stage_to(tx, project, company, body.stage, StageMode.EXACT, source)
        return company_record(tx, project, company)

    @writes
    def update(
        self, tx: Tx, company_id: str, patch: CompanyPatch, source: Source = Source.ACCOUNT_API
    ) -> CompanyRecord:
        """Edits a company: fields given replace, ``metadata`` merges, ``stage`` is an exact
        write."""
        cents = to_cents(patch.deal_value) if patch.deal_value not in (UNSET, None) else None
        if patch.metadata is not UNSET:
            meta_rules.check(patch.metadata, field="metadata")
        project = self.project(tx)
        company = get_company(tx, project, company_id, lock=True)
        changed: dict[str, object] = {}
        for field in ("name", "domain", "industry", "notes", "expected_close"):
            value = getattr(patch, field)
            if value is not UNSET and getattr(company, field) != value:
                setattr(company, field, value)
                changed[field] = value
        if patch.metadata is not UNSET:
            company.meta = meta_rules.merge_checked(company.meta, patch.metadata, field="metadata")
            changed["metadata"] = sorted(patch.metadata)
        if patch.deal_value is not UNSET and company.deal_value_cents != cents:
            previous = company.deal_value_cents
            company.deal_value_cents = cents
            record_deal_value(tx, project, company, previous, cents, source)
        if changed:
            company.updated_at = company.last_activity_at = tx.now
            tx.record(
                project,
                EventKind.COMPANY_UPDATED,
                source,
                f"{company.name} edited ({', '.join(changed)})",
                company,
                data={"fields": sorted(changed)},
            )
        if patch.stage is not UNSET:
            apply_stage_to(tx, project, company, patch.stage, StageMode.EXACT, source)
        return company_record(tx, project, company)

    @writes
    def delete(self, tx: Tx, company_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        project = self.project(tx)
        company = get_company(tx, project, company_id, lock=True)
        # Explicit rather than trusting ON DELETE: PostgreSQL and SQLite agree this way.
        tx.session.execute(
            sql_update(Visitor)
            .where(Visitor.active_company_pk == company.pk)
            .values(active_company_pk=None)
        )
        tx.session.execute(delete(ContactCompany).where(ContactCompany.company_pk == company.pk))
        tx.session.execute(delete(Event).where(Event.company_pk == company.pk))
        tx.session.execute(delete(StageChange).where(StageChange.company_pk == company.pk))
        tx.session.execute(delete(Task).where(Task.company_pk == company.pk))
        tx.record(project, EventKind.COMPANY_DELETED, source, f"{company.name} deleted", company)
        tx.session.delete(company)
        return Deleted(id=company_id)

    @writes
    def move(
        self,
        tx: Tx,
        company_id: str,
        stage: str | None,
        *,
        source: Source = Source.BOARD,
        note: str | None = None,
    ) -> StageResult:
        """A manual stage write: exact, downgrades included, audited with its source."""
        # The kept snapshot, not the ORM project: a move is the board's hot write.
        project = tx.snapshot(self.project_id).project
        company = load_company(tx, project, company_id, lock=True)
        return apply_stage(tx, project, company, stage, StageMode.EXACT, source, note)

    @reads
    def history(self, tx: Tx, company_id: str) -> Page[HistoryItem]:
        """Stage writes (applied and skipped), deal value changes, tracked events,
        conversations and messages of a company, newest first."""
        project = self.project(tx)
        company = get_company(tx, project, company_id)
        return Page(items=company_history(tx, project, company, HISTORY))

    @writes
    def reopen(self, tx: Tx, company_id: str) -> StageResult:
        """Moves a won or lost company back to the open stage it was closed from (else the
        first)."""
        project = self.project(tx)
        company = get_company(tx, project, company_id, lock=True)
        rows = tx.stage_rows(project)
        current = next((s for s in rows if s.pk == company.stage_pk), None)
        if current is None or current.kind == "open":
            raise InvalidRequest(f"{company.name} is not in a won or lost stage")
        open_ids = {s.id for s in rows if s.kind == "open"}
        closed_from = tx.session.scalar(
            select(StageChange.from_stage_id)
            .where(
                StageChange.company_pk == company.pk,
                StageChange.applied.is_(True),
                StageChange.to_stage_id == current.id,
            )
            .order_by(StageChange.pk.desc())
            .limit(1)
        )
        target = closed_from if closed_from in open_ids else None
        if target is None:
            target = next(s.id for s in rows if s.kind == "open")
        return apply_stage_to(
            tx, project, company, target, StageMode.EXACT, Source.BOARD, note="reopened"
        )

    @writes
    def merge(
        self, tx: Tx, source_id: str, into_id: str, source: Source = Source.BOARD
    ) -> MergeResult:
        """Merges ``source_id`` (typically a placeholder) into ``into_id``; undoable."""
        return merge_in(tx, self.project(tx), source_id, into_id, source)

    @writes
    def undo_merge(self, tx: Tx, undo: MergeUndo, source: Source = Source.BOARD) -> CompanyRecord:
        """Restores the merged-away company with its id, links, events and history."""
        return undo_merge_in(tx, self.project(tx), undo, source)

    @reads
    def capture(self, tx: Tx, company_id: str) -> CompanySnapshot:
        """Everything a delete of ``company_id`` would remove (read it before deleting)."""
        return capture_in(tx, self.project(tx), company_id)

    @writes
    def restore(
        self, tx: Tx, snapshot: CompanySnapshot, source: Source = Source.BOARD
    ) -> CompanyRecord:
        """Puts a deleted company back with the same id, as ``capture`` read it."""
        return restore_in(tx, self.project(tx), snapshot, source)


def company_history(tx: Tx, project: Project, company: Company, limit: int) -> list[HistoryItem]:
    changes = tx.session.scalars(
        select(StageChange)
        .where(StageChange.company_pk == company.pk)
        .order_by(StageChange.pk.desc())
        .limit(limit)
    )
    items = [
        HistoryItem(
            type="stage_change",
            id=c.id,
            at=c.created_at,
            previous_stage=c.from_stage_name,
            requested_stage=c.requested_stage_name,
            stage=c.to_stage_name,
            mode=c.mode,
            source=c.source,
            applied=c.applied,
            reason=c.reason,
            note=c.note,
        )
        for c in changes
    ]
    events = tx.session.execute(
        select(Event, Contact.id)
        .outerjoin(Contact, Contact.pk == Event.contact_pk)
        .where(Event.company_pk == company.pk)
        .order_by(Event.pk.desc())
        .limit(limit)
    )
    items += [
        HistoryItem(
            type="event", id=e.id, at=e.created_at, name=e.name, value=e.value, contact_id=cid
        )
        for e, cid in events
    ]
    items += deal_value_items(tx, project, company, company.created_at, limit)
    items += conversation_items(tx, company, limit)
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
