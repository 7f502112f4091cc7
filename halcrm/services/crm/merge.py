"""Merging a (placeholder) company into a real one, in one transaction, and undoing it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update

from halcrm.db.models import Company, ContactCompany, Event, Project, StageChange, Task, Visitor
from halcrm.db.tx import Tx
from halcrm.domain import metadata as meta_rules
from halcrm.domain.errors import Conflict, InvalidRequest
from halcrm.domain.events import EventKind
from halcrm.domain.stages import Source
from halcrm.services.crm.deal_history import record_deal_value
from halcrm.services.crm.queries import company_id_taken, company_record, get_company
from halcrm.services.crm.records import CompanyRecord, MergeResult, MergeUndo

SNAPSHOT_FIELDS = (
    "id",
    "name",
    "domain",
    "industry",
    "notes",
    "meta",
    "deal_value_cents",
    "stage_pk",
    "is_placeholder",
    "placeholder_key",
    "stage_set_by_hand",
    "last_stage_source",
    "last_stage_at",
    "created_at",
    "updated_at",
    "last_activity_at",
    "expected_close",
)


def _snapshot(company: Company, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(company, name) for name in fields}


def merge_in(
    tx: Tx, project: Project, source_id: str, into_id: str, source: Source = Source.BOARD
) -> MergeResult:
    """Moves contacts, events, notes, metadata (the target wins) and history from ``source_id``
    into ``into_id``, then deletes ``source_id``, in the caller's transaction."""
    if source_id == into_id:
        raise InvalidRequest("a company cannot be merged into itself")
    gone = get_company(tx, project, source_id, lock=True)
    into = get_company(tx, project, into_id, lock=True)
    into_before = _snapshot(
        into, ("notes", "meta", "deal_value_cents", "stage_pk", "expected_close")
    )
    moved, shared = _move_links(tx, gone, into)
    event_pks, change_pks, visitor_pks = _move_history(tx, gone, into)
    task_pks = list(tx.session.scalars(select(Task.pk).where(Task.company_pk == gone.pk)))
    tx.session.execute(update(Task).where(Task.company_pk == gone.pk).values(company_pk=into.pk))
    _fold_fields(tx, gone, into)
    # The placeholder's value, taken when the company had none, is a change of its value.
    record_deal_value(
        tx, project, into, into_before["deal_value_cents"], into.deal_value_cents, source
    )
    snapshot = _snapshot(gone, SNAPSHOT_FIELDS)
    tx.session.delete(gone)
    tx.session.flush()
    tx.record(
        project,
        EventKind.COMPANY_MERGED,
        source,
        f"{gone.name} merged into {into.name}",
        into,
        data={"merged_company_id": gone.id},
        deleted_company_ids=[gone.id],
    )
    undo = MergeUndo(
        source=_encode(snapshot),
        into_id=into.id,
        into_before=_encode(into_before),
        moved_links=moved,
        shared_links=sorted(shared),
        events=event_pks,
        stage_changes=change_pks,
        visitors=visitor_pks,
        tasks=task_pks,
    )
    return MergeResult(company=company_record(tx, project, into), undo=undo)


def _move_links(tx: Tx, gone: Company, into: Company) -> tuple[list[int], set[int]]:
    """Relinks ``gone``'s contacts to ``into``; answers the contacts moved and those ``into``
    already had (the undo gives both back to the restored company, but unlinks only the moved)."""
    links = list(
        tx.session.scalars(
            select(ContactCompany.contact_pk).where(ContactCompany.company_pk == gone.pk)
        )
    )
    shared = set(
        tx.session.scalars(
            select(ContactCompany.contact_pk).where(
                ContactCompany.company_pk == into.pk, ContactCompany.contact_pk.in_(links)
            )
        )
    )
    moved = [pk for pk in links if pk not in shared]
    tx.session.execute(delete(ContactCompany).where(ContactCompany.company_pk == gone.pk))
    for contact_pk in moved:
        tx.session.add(ContactCompany(contact_pk=contact_pk, company_pk=into.pk, created_at=tx.now))
    return moved, shared


def _move_history(tx: Tx, gone: Company, into: Company) -> tuple[list[int], list[int], list[int]]:
    """Points ``gone``'s events, stage changes and active visitors at ``into``; answers their
    pks (read first, so the undo can point exactly those back)."""
    event_pks = list(tx.session.scalars(select(Event.pk).where(Event.company_pk == gone.pk)))
    change_pks = list(
        tx.session.scalars(select(StageChange.pk).where(StageChange.company_pk == gone.pk))
    )
    visitor_pks = list(
        tx.session.scalars(select(Visitor.pk).where(Visitor.active_company_pk == gone.pk))
    )
    tx.session.execute(update(Event).where(Event.company_pk == gone.pk).values(company_pk=into.pk))
    tx.session.execute(
        update(StageChange).where(StageChange.company_pk == gone.pk).values(company_pk=into.pk)
    )
    tx.session.execute(
        update(Visitor)
        .where(Visitor.active_company_pk == gone.pk)
        .values(active_company_pk=into.pk)
    )
    return event_pks, change_pks, visitor_pks


def _fold_fields(tx: Tx, gone: Company, into: Company) -> None:
    """``gone``'s notes appended, its metadata under ``into``'s, its deal and stage where
    ``into`` has none."""
    if gone.notes and gone.notes.strip():
        into.notes = f"{into.notes}\n\n{gone.notes}" if into.notes else gone.notes
    into.meta = meta_rules.merge(gone.meta, into.meta or {})
    if into.deal_value_cents is None:
        into.deal_value_cents = gone.deal_value_cents
    if into.stage_pk is None:
        into.stage_pk = gone.stage_pk
    if into.expected_close is None:
        into.expected_close = gone.expected_close
    into.updated_at = tx.now
    into.last_activity_at = max(into.last_activity_at, gone.last_activity_at)


def undo_merge_in(
    tx: Tx, project: Project, undo: MergeUndo, source: Source = Source.BOARD
) -> CompanyRecord:
    """Restores the merged-away company with its id, links, events and history, in the
    caller's transaction."""
    into = get_company(tx, project, undo.into_id, lock=True)
    fields = _decode(undo.source)
    if company_id_taken(tx, project, fields["id"]):
        raise Conflict(f"a company with id {fields['id']!r} exists again", code="already_exists")
    restored = Company(project_pk=project.pk, **fields)
    tx.session.add(restored)
    tx.session.flush()
    _give_links_back(tx, undo, into, restored)
    _give_history_back(tx, undo, restored)
    before = _decode(undo.into_before)
    into.notes, into.meta = before["notes"], before["meta"]
    value = into.deal_value_cents
    into.deal_value_cents, into.stage_pk = before["deal_value_cents"], before["stage_pk"]
    record_deal_value(tx, project, into, value, into.deal_value_cents, source)
    if "expected_close" in before:
        into.expected_close = before["expected_close"]
    into.updated_at = tx.now
    tx.session.flush()
    tx.record(
        project,
        EventKind.COMPANY_CREATED,
        source,
        f"{restored.name} restored (merge undone)",
        restored,
        company_ids=[restored.id, into.id],
    )
    return company_record(tx, project, restored)


def _give_links_back(tx: Tx, undo: MergeUndo, into: Company, restored: Company) -> None:
    # Contacts ``into`` had before the merge stay linked to it as well.
    for contact_pk in undo.moved_links:
        tx.session.execute(
            delete(ContactCompany).where(
                ContactCompany.contact_pk == contact_pk, ContactCompany.company_pk == into.pk
            )
        )
    for contact_pk in undo.moved_links + undo.shared_links:
        tx.session.add(
            ContactCompany(contact_pk=contact_pk, company_pk=restored.pk, created_at=tx.now)
        )


def _give_history_back(tx: Tx, undo: MergeUndo, restored: Company) -> None:
    # Only the rows the merge moved: those ``into`` had of its own, or got since, stay with it.
    if undo.events:
        tx.session.execute(
            update(Event).where(Event.pk.in_(undo.events)).values(company_pk=restored.pk)
        )
    if undo.stage_changes:
        tx.session.execute(
            update(StageChange)
            .where(StageChange.pk.in_(undo.stage_changes))
            .values(company_pk=restored.pk)
        )
    if undo.tasks:
        tx.session.execute(
            update(Task).where(Task.pk.in_(undo.tasks)).values(company_pk=restored.pk)
        )
    if undo.visitors:
        tx.session.execute(
            update(Visitor)
            .where(Visitor.pk.in_(undo.visitors))
            .values(active_company_pk=restored.pk)
        )


def _encode(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime | date) else v for k, v in values.items()}


def _decode(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for key in ("last_stage_at", "created_at", "updated_at", "last_activity_at"):
        if isinstance(out.get(key), str):
            out[key] = datetime.fromisoformat(out[key])
    if isinstance(out.get("expected_close"), str):
        out["expected_close"] = date.fromisoformat(out["expected_close"])
    return out
