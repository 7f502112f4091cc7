"""The activity feed: recent committed events, newest first, and replay for event streams."""

from __future__ import annotations

from sqlalchemy import select

from halcrm.db.events import SETTLED, position_column, to_domain_event
from halcrm.db.models import Activity
from halcrm.db.tx import Tx
from halcrm.db.writer import Database
from halcrm.domain.events import DomainEvent
from halcrm.services.crm.records import ActivityItem
from halcrm.services.page import Page
from halcrm.services.paging import fetch_page, page_params


def activity_item(event: DomainEvent) -> ActivityItem:
    return ActivityItem(
        id=str(event.id),
        kind=event.kind.value,
        at=event.at,
        source=event.source,
        summary=event.summary,
        company_id=event.company_id,
        company_name=event.company_name,
        data=event.wire_data(),
    )


async def recent(
    db: Database, project_id: str, *, limit: int | None = None, cursor: str | None = None
) -> Page[ActivityItem]:
    """The project's signals and changes, newest first."""
    limit, before = page_params(limit, cursor)

    def work(tx: Tx) -> Page[ActivityItem]:
        project = tx.project(project_id)
        position = position_column(tx.is_sqlite)
        stmt = select(Activity).where(Activity.project_pk == project.pk)
        rows, next_cursor = fetch_page(tx, stmt, position, limit, before, newest_first=True)
        return Page(
            items=[activity_item(to_domain_event(r, project_id)) for r in rows],
            next_cursor=next_cursor,
        )

    return await db.read(work)


async def events_after(
    db: Database, project_id: str, after_id: int, limit: int = 1000
) -> list[DomainEvent]:
    """Events newer than ``after_id``, oldest first (SSE resumption from Last-Event-ID)."""

    def work(tx: Tx) -> list[DomainEvent]:
        project = tx.project(project_id)
        position = position_column(tx.is_sqlite)
        stmt = select(Activity).where(Activity.project_pk == project.pk, position > after_id)
        if not tx.is_sqlite:
            # Only settled rows: one that commits later may still take a lower position.
            stmt = stmt.where(SETTLED)
        rows = tx.session.scalars(stmt.order_by(position).limit(limit))
        return [to_domain_event(r, project_id) for r in rows]

    return await db.read(work)
