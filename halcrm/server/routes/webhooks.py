"""Webhook endpoints and their deliveries (account token; API.md, "Webhooks")."""

from litestar import Controller, delete, get, patch, post

from halcrm.domain.wire import WEBHOOKS
from halcrm.server.params import Limit
from halcrm.services.container import Services
from halcrm.services.page import Page
from halcrm.services.webhooks.inputs import WebhookCreate, WebhookPatch
from halcrm.services.webhooks.records import DeliveryRecord, WebhookRecord, WebhookWithSecret


class WebhookController(Controller):
    path = WEBHOOKS
    tags = ["webhooks"]

    @get("/")
    async def index(self, services: Services) -> Page[WebhookRecord]:
        """The project's endpoints (without their secrets)."""
        return await services.webhooks.endpoints()

    @post("/", status_code=201)
    async def create(self, data: WebhookCreate, services: Services) -> WebhookWithSecret:
        """Adds an endpoint; the answer carries its signing secret."""
        return await services.webhooks.create(data)

    @get("/{webhook_id:str}")
    async def show(self, webhook_id: str, services: Services) -> WebhookWithSecret:
        return await services.webhooks.get(webhook_id)

    @patch("/{webhook_id:str}", status_code=200)
    async def edit(self, webhook_id: str, data: WebhookPatch, services: Services) -> WebhookRecord:
        """Changes the create fields or ``enabled`` (enabling clears the failure record)."""
        return await services.webhooks.update(webhook_id, data)

    @delete("/{webhook_id:str}", status_code=204)
    async def remove(self, webhook_id: str, services: Services) -> None:
        await services.webhooks.delete(webhook_id)

    @post("/{webhook_id:str}/test", status_code=202)
    async def test(self, webhook_id: str, services: Services) -> DeliveryRecord:
        """Queues a ``webhook.test`` delivery, whatever the endpoint subscribes to."""
        return await services.webhooks.test(webhook_id)

    @get("/{webhook_id:str}/deliveries")
    async def deliveries(
        self, webhook_id: str, services: Services, limit: Limit = None, cursor: str | None = None
    ) -> Page[DeliveryRecord]:
        """Newest first, paginated."""
        return await services.webhooks.deliveries(webhook_id, limit, cursor)

    @post("/{webhook_id:str}/deliveries/{delivery_id:str}/retry", status_code=202)
    async def retry(self, webhook_id: str, delivery_id: str, services: Services) -> DeliveryRecord:
        """Sends the delivery again now, with the same id."""
        return await services.webhooks.retry(webhook_id, delivery_id)
