"""Next steps, the agenda, the forecast and the webhooks over the account API."""

from __future__ import annotations

from halcrm.domain.stages import Source
from halcrm.domain.wire import AGENDA, BOARD, TASKS, WEBHOOKS
from halcrm.services.board.records import ForecastRecord
from halcrm.services.crm.records import Deleted
from halcrm.services.page import Page
from halcrm.services.tasks.inputs import TaskCreate, TaskPatch
from halcrm.services.tasks.records import AGENDA_LIMIT, AgendaDay, TaskRecord
from halcrm.services.webhooks.inputs import WebhookCreate, WebhookPatch
from halcrm.services.webhooks.records import (
    LAST_DELIVERIES,
    DeliveryRecord,
    EndpointOverview,
    WebhookRecord,
    WebhookWithSecret,
)
from halcrm.tui.client.area import RemoteArea
from halcrm.tui.client.http import path_id


def _task(task_id: str) -> str:
    return f"{TASKS}/{path_id(task_id)}"


def _webhook(webhook_id: str) -> str:
    return f"{WEBHOOKS}/{path_id(webhook_id)}"


class RemoteTasks(RemoteArea):
    """``services.tasks`` (``Tasks``) over ``/api/tasks``: the same methods, records, refusals."""

    async def create(self, body: TaskCreate, source: Source = Source.ACCOUNT_API) -> TaskRecord:
        return await self._write("POST", TASKS, TaskRecord, body, source)

    async def get(self, task_id: str) -> TaskRecord:
        return await self._get(_task(task_id), TaskRecord)

    async def update(
        self, task_id: str, patch: TaskPatch, source: Source = Source.ACCOUNT_API
    ) -> TaskRecord:
        return await self._write("PATCH", _task(task_id), TaskRecord, patch, source)

    async def complete(self, task_id: str, source: Source = Source.ACCOUNT_API) -> TaskRecord:
        return await self.update(task_id, TaskPatch(status="done"), source)

    async def reopen(self, task_id: str, source: Source = Source.ACCOUNT_API) -> TaskRecord:
        return await self.update(task_id, TaskPatch(status="open"), source)

    async def delete(self, task_id: str, source: Source = Source.ACCOUNT_API) -> Deleted:
        return await self._write("DELETE", _task(task_id), Deleted, None, source)

    async def restore(self, task: TaskRecord, source: Source = Source.BOARD) -> TaskRecord:
        return await self._write("POST", f"{TASKS}/restores", TaskRecord, task, source)


class RemoteAgenda(RemoteArea):
    """``services.agenda``: today's and the week's next steps, and the deals with none."""

    async def day(self, limit: int = AGENDA_LIMIT) -> AgendaDay:
        return await self._get(AGENDA, AgendaDay, limit=limit)


class RemoteForecast(RemoteArea):
    """``services.forecast``: the expected closes per month."""

    async def months(self, months: int = 3) -> ForecastRecord:
        return await self._get(f"{BOARD}/forecast", ForecastRecord, months=months)


class RemoteWebhooks(RemoteArea):
    """``services.webhooks``: the endpoints with their last deliveries, a retry, and an
    endpoint added, tested, turned off or on, deleted."""

    async def overview(self) -> list[EndpointOverview]:
        endpoints = await self._get(WEBHOOKS, Page[WebhookRecord])
        found = []
        for endpoint in endpoints.items:
            path = f"{WEBHOOKS}/{path_id(endpoint.id)}/deliveries"
            last = await self._get(path, Page[DeliveryRecord], limit=LAST_DELIVERIES)
            found.append(EndpointOverview(endpoint=endpoint, deliveries=last.items))
        return found

    async def retry(self, webhook_id: str, delivery_id: str) -> DeliveryRecord:
        path = f"{WEBHOOKS}/{path_id(webhook_id)}/deliveries/{path_id(delivery_id)}/retry"
        return await self._write("POST", path, DeliveryRecord)

    async def create(self, body: WebhookCreate) -> WebhookWithSecret:
        return await self._write("POST", WEBHOOKS, WebhookWithSecret, body)

    async def update(self, webhook_id: str, patch: WebhookPatch) -> WebhookRecord:
        return await self._write("PATCH", _webhook(webhook_id), WebhookRecord, patch)

    async def delete(self, webhook_id: str) -> None:
        await self._write("DELETE", _webhook(webhook_id), type(None))

    async def test(self, webhook_id: str) -> DeliveryRecord:
        return await self._write("POST", f"{_webhook(webhook_id)}/test", DeliveryRecord)
