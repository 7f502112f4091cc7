"""``Webhooks``: a project's endpoints and their deliveries, the rules written once.

The routes, the CLI and the board call these; the delivery loop (``delivery.py``) sends what
they and the outbox queue.
"""

from __future__ import annotations

from functools import partial

from msgspec import UNSET, UnsetType
from sqlalchemy import select

from halcrm.db.models import WebhookDelivery, WebhookEndpoint
from halcrm.db.tx import Tx
from halcrm.db.writer import Database
from halcrm.domain.errors import InvalidRequest, NotFound
from halcrm.services.area import Area, reads, writes
from halcrm.services.ids import new_id
from halcrm.services.page import Page
from halcrm.services.paging import fetch_page, page_params
from halcrm.services.webhooks import fanout, outbox, ssrf
from halcrm.services.webhooks import types as hook_types
from halcrm.services.webhooks.inputs import WebhookCreate, WebhookPatch
from halcrm.services.webhooks.outbox import installed
from halcrm.services.webhooks.records import (
    LAST_DELIVERIES,
    DeliveryRecord,
    EndpointOverview,
    WebhookRecord,
    WebhookWithSecret,
)
from halcrm.services.webhooks.rows import delivery_record, endpoint_record, with_secret
from halcrm.services.webhooks.signing import new_secret


def check_events(names: list[str]) -> list[str]:
    if not names:
        raise InvalidRequest("events must name an event type, or be ['*']", field="events")
    unknown = [n for n in names if n != "*" and n not in hook_types.TYPES]
    if unknown:
        valid = ", ".join(("*", *hook_types.TYPES))
        raise InvalidRequest(
            f"unknown event type {unknown[0]!r}; valid: {valid}", field="events", valid=valid
        )
    return list(dict.fromkeys(names))


class Webhooks(Area):
    """Endpoints (``wh_…``) and deliveries (``msg_…``) of one project."""

    def __init__(self, db: Database, project_id: str) -> None:
        super().__init__(db, project_id)
        self.outbox = installed(db)

    async def create(self, body: WebhookCreate) -> WebhookWithSecret:
        """Checks the URL (a name is resolved, off the database threads), then stores it."""
        check_events(body.events)
        await ssrf.check_url(body.url, body.allow_private)
        return await self.insert(body)

    async def update(self, webhook_id: str, patch: WebhookPatch) -> WebhookRecord:
        """Edits an endpoint; a new URL (or a change of ``allow_private``) is checked first."""
        if not isinstance(patch.events, UnsetType):
            check_events(patch.events)
        if not isinstance(patch.url, UnsetType) or not isinstance(patch.allow_private, UnsetType):
            current = await self.get(webhook_id)
            url = current.url if isinstance(patch.url, UnsetType) else patch.url
            allowed = patch.allow_private
            await ssrf.check_url(url, current.allow_private if allowed is UNSET else bool(allowed))
        return await self.edit(webhook_id, patch)

    @writes
    def insert(self, tx: Tx, body: WebhookCreate) -> WebhookWithSecret:
        project = self.project(tx)
        row = WebhookEndpoint(
            id=new_id("wh"),
            project_pk=project.pk,
            url=body.url,
            events=check_events(body.events),
            description=body.description,
            format=body.format,
            allow_private=body.allow_private,
            secret=new_secret(),
            enabled=True,
            created_at=tx.now,
            updated_at=tx.now,
        )
        tx.session.add(row)
        tx.session.flush()
        return with_secret(row)

    @reads
    def endpoints(self, tx: Tx) -> Page[WebhookRecord]:
        rows = tx.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.project_pk == self.project(tx).pk)
            .order_by(WebhookEndpoint.pk)
        )
        return Page([endpoint_record(r) for r in rows])

    @reads
    def get(self, tx: Tx, webhook_id: str) -> WebhookWithSecret:
        return with_secret(self._endpoint(tx, webhook_id))

    @writes
    def edit(self, tx: Tx, webhook_id: str, patch: WebhookPatch) -> WebhookRecord:
        row = self._endpoint(tx, webhook_id, lock=True)
        for field in ("url", "events", "description", "format", "allow_private", "enabled"):
            value = getattr(patch, field)
            if value is not UNSET:
                setattr(row, field, value)
        if patch.enabled is True:
            row.disabled_reason = None
            row.failing_since = None
        elif patch.enabled is False and row.disabled_reason is None:
            row.disabled_reason = "disabled by hand"
        row.updated_at = tx.now
        return endpoint_record(row)

    @writes
    def delete(self, tx: Tx, webhook_id: str) -> None:
        tx.session.delete(self._endpoint(tx, webhook_id, lock=True))

    async def test(self, webhook_id: str) -> DeliveryRecord:
        """Queues a ``webhook.test`` delivery, whatever the endpoint subscribes to, and wakes
        this process's delivery loop once it is committed (no domain event carries it)."""
        queued = await self.queue_test(webhook_id)
        self.outbox.committed()
        return queued

    async def retry(self, webhook_id: str, delivery_id: str) -> DeliveryRecord:
        """Sends a delivery again now, with the same id (``requeue``), waking the loop."""
        queued = await self.requeue(webhook_id, delivery_id)
        self.outbox.committed()
        return queued

    @writes
    def queue_test(self, tx: Tx, webhook_id: str) -> DeliveryRecord:
        row = self._endpoint(tx, webhook_id)
        data = {"webhook_id": row.id, "project_id": self.project_id}
        msg_id = outbox.queue(
            tx, row.pk, hook_types.TEST, outbox.payload(hook_types.TEST, tx.now, data)
        )
        return self._delivery_record(tx, row, msg_id)

    async def deliveries(
        self, webhook_id: str, limit: int | None = None, cursor: str | None = None
    ) -> Page[DeliveryRecord]:
        """Newest first, paginated; the deliveries of every change committed before are made
        first, so a change shows at once (``made_now``)."""
        await self.made_now()
        return await self.delivery_page(webhook_id, limit, cursor)

    async def made_now(self) -> None:
        """Makes the deliveries committed events named that the delivery loop has not made yet
        (it defers them while the process serves a burst), waiting for another process that
        is making them (PostgreSQL). Nothing to make costs one read."""
        while await self.db.read(fanout.waiting):
            made = await self.db.write(partial(fanout.fan_out, wait=True))
            if made.events < fanout.BATCH:
                return

    @reads
    def delivery_page(
        self, tx: Tx, webhook_id: str, limit: int | None = None, cursor: str | None = None
    ) -> Page[DeliveryRecord]:
        """``deliveries`` once they are made."""
        size, after = page_params(limit, cursor)
        row = self._endpoint(tx, webhook_id)
        stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_pk == row.pk)
        rows, next_cursor = fetch_page(tx, stmt, WebhookDelivery.pk, size, after, newest_first=True)
        return Page([delivery_record(d, row.id) for d in rows], next_cursor)

    @writes
    def requeue(self, tx: Tx, webhook_id: str, delivery_id: str) -> DeliveryRecord:
        """Makes a delivery due now, whatever its status; its attempts keep counting."""
        row = self._endpoint(tx, webhook_id)
        delivery = tx.session.scalar(
            tx.locking(
                select(WebhookDelivery).where(
                    WebhookDelivery.endpoint_pk == row.pk, WebhookDelivery.id == delivery_id
                )
            )
        )
        if delivery is None:
            raise NotFound(f"no delivery {delivery_id!r} for webhook {webhook_id!r}")
        delivery.status = outbox.PENDING
        delivery.next_attempt_at = tx.now
        return delivery_record(delivery, row.id)

    async def overview(self) -> list[EndpointOverview]:
        """Every endpoint with its last deliveries (the board's webhooks screen), the
        deliveries of every change committed before made first (``made_now``)."""
        await self.made_now()
        return await self.endpoint_overview()

    @reads
    def endpoint_overview(self, tx: Tx) -> list[EndpointOverview]:
        """``overview`` once the deliveries are made."""
        project = self.project(tx)
        found = []
        for row in tx.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.project_pk == project.pk)
            .order_by(WebhookEndpoint.pk)
        ):
            last = tx.session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.endpoint_pk == row.pk)
                .order_by(WebhookDelivery.pk.desc())
                .limit(LAST_DELIVERIES)
            )
            records = [delivery_record(d, row.id) for d in last]
            found.append(EndpointOverview(endpoint=endpoint_record(row), deliveries=records))
        return found

    def _endpoint(self, tx: Tx, webhook_id: str, *, lock: bool = False) -> WebhookEndpoint:
        stmt = select(WebhookEndpoint).where(
            WebhookEndpoint.project_pk == self.project(tx).pk, WebhookEndpoint.id == webhook_id
        )
        row = tx.session.scalar(tx.locking(stmt) if lock else stmt)
        if row is None:
            raise NotFound(f"no webhook with id {webhook_id!r}")
        return row

    def _delivery_record(self, tx: Tx, row: WebhookEndpoint, msg_id: str) -> DeliveryRecord:
        delivery = tx.session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == msg_id))
        assert delivery is not None
        return delivery_record(delivery, row.id)
