"""``Activity``: the activity feed (recent committed events, newest first) and the replay of
event streams."""

from __future__ import annotations

from sqlalchemy import select

from halcrm.db.event_log import SETTLED, position_column, to_domain_event
from halcrm.db.models import Activity as ActivityRow
from halcrm.db.tx import Tx
from halcrm.domain.events import DomainEvent
from halcrm.services.area import Area, reads
from halcrm.services.crm.records import ActivityItem
from halcrm.services.page import Page
from halcrm.services.paging import fetch_page, page_params

# An event stream resumed from Last-Event-ID replays at most this many events.
REPLAY = 1000


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


class Activity(Area):
    """The project's committed events: the feed, and the replay of an event stream."""

    @reads
    def recent(
        self, tx: Tx, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[ActivityItem]:
        """The project's signals and changes, newest first."""
        size, before = page_params(limit, cursor)
        project = self.project(tx)
        position = position_column(tx.is_sqlite)
        stmt = select(ActivityRow).where(ActivityRow.project_pk == project.pk)
        rows, next_cursor = fetch_page(tx, stmt, position, size, before, newest_first=True)
        return Page(
            items=[activity_item(to_domain_event(r, self.project_id)) for r in rows],
            next_cursor=next_cursor,
        )

    @reads
    def events_after(self, tx: Tx, after_id: int) -> list[DomainEvent]:
        """Events newer than ``after_id``, oldest first (SSE resumption from Last-Event-ID),
        ``REPLAY`` at most."""
        project = self.project(tx)
        position = position_column(tx.is_sqlite)
        stmt = select(ActivityRow).where(ActivityRow.project_pk == project.pk, position > after_id)
        if not tx.is_sqlite:
            # Only settled rows: one that commits later may still take a lower position.
            stmt = stmt.where(SETTLED)
        rows = tx.session.scalars(stmt.order_by(position).limit(REPLAY))
        return [to_domain_event(r, self.project_id) for r in rows]
