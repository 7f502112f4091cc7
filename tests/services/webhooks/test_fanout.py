"""A change names its deliveries in its event row; the fan-out makes them after the commit.

No delivery loop runs here (``runtime`` below), so what the change's transaction wrote is seen
alone, and each fan-out is the test's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import partial

import httpx
import pytest
from sqlalchemy import func, select

from halcrm.db.models import Activity, WebhookDelivery, WebhookEndpoint, WebhookFanout
from halcrm.domain.clock import Clock
from halcrm.runtime import Runtime, open_runtime
from halcrm.services.container import Services
from halcrm.services.webhooks import fanout
from halcrm.settings import Settings
from tests.services.webhooks.helpers import deliveries, until
from tests.services.webhooks.receiver import Receiver

HOOK = "http://127.0.0.1:9/hook"


@pytest.fixture
async def runtime(settings: Settings, clock: Clock) -> AsyncIterator[Runtime]:
    """The shared runtime without its delivery loop."""
    rt = await open_runtime(settings, clock)
    yield rt
    await rt.close()


async def _endpoint(client: httpx.AsyncClient, auth: dict[str, str], *events: str) -> str:
    body = {"url": HOOK, "allow_private": True, "events": list(events or ["*"])}
    made = await client.post("/api/webhooks", json=body, headers=auth)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _pk(services: Services, webhook_id: str) -> int:
    with services.db.session() as session:
        pk = session.scalar(select(WebhookEndpoint.pk).where(WebhookEndpoint.id == webhook_id))
        assert pk is not None
        return pk


def _count(services: Services) -> int:
    with services.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0)


def _hooks(services: Services) -> list[str | None]:
    with services.db.session() as session:
        return list(session.scalars(select(Activity.hooks).order_by(Activity.pk)))


async def test_a_change_names_its_endpoints_and_the_listing_makes_them(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    created = await _endpoint(client, auth, "company.created")
    deals = await _endpoint(client, auth, "deal.value_changed")
    company = await client.post("/api/companies", json={"name": "Acme"}, headers=auth)
    assert company.status_code == 201
    # The change's transaction wrote no delivery: its event names who wants it.
    assert _hooks(services) == [f"company.created={_pk(services, created)}"]
    assert _count(services) == 0
    [made] = await deliveries(client, auth, created)
    assert made["type"] == "company.created"
    assert made["status"] == "pending"
    assert made["attempts"] == 0
    assert await deliveries(client, auth, deals) == []
    # Made once: listed again, the same delivery and id.
    assert [d["id"] for d in await deliveries(client, auth, created)] == [made["id"]]
    assert _count(services) == 1
    with services.db.session() as session:
        body = session.scalar(select(WebhookDelivery.payload))
    assert body is not None
    assert company.json()["id"] in body


async def test_who_wanted_the_event_when_it_happened_gets_it(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    before = await _endpoint(client, auth)
    removed = await _endpoint(client, auth)
    await client.post("/api/companies", json={"name": "Acme"}, headers=auth)
    after = await _endpoint(client, auth)
    # Disabled after the event: its delivery waits for it (made, not sent, not lost).
    changed = await client.patch(f"/api/webhooks/{before}", json={"enabled": False}, headers=auth)
    assert changed.status_code == 200
    assert (await client.delete(f"/api/webhooks/{removed}", headers=auth)).status_code == 204
    [waiting] = await deliveries(client, auth, before)
    assert waiting["status"] == "pending"
    assert await deliveries(client, auth, after) == []
    assert _count(services) == 1


async def test_each_event_is_fanned_out_once_even_by_concurrent_writers(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    await _endpoint(client, auth, "company.created")
    await _endpoint(client, auth, "company.created", "deal.value_changed")
    for n in range(30):
        await client.post("/api/companies", json={"name": f"Co {n}"}, headers=auth)
    # PostgreSQL shows an event once no older transaction runs on the server, another
    # database's included (the suite's other workers write there): waited for, not assumed.
    await until(lambda: services.db.read(fanout.waiting))
    # Small batches from several writes at once (PostgreSQL runs them in parallel: those
    # that find the cursor locked make nothing), then the rest.
    made = list(
        await asyncio.gather(
            *(services.db.write(partial(fanout.fan_out, limit=4)) for _ in range(6))
        )
    )

    async def all_made() -> bool:
        made.append(await services.db.write(partial(fanout.fan_out, limit=4)))
        return sum(m.events for m in made) >= 30

    await until(all_made)
    assert sum(m.events for m in made) == 30
    assert sum(m.deliveries for m in made) == 60
    assert (await services.db.write(fanout.fan_out)).events == 0
    assert _count(services) == 60
    is_sqlite = services.db.engine.dialect.name == "sqlite"
    with services.db.session() as session:
        ids = session.scalars(select(WebhookDelivery.id)).all()
        position = session.scalar(select(WebhookFanout.position))
        last = session.scalar(select(func.max(Activity.pk if is_sqlite else Activity.seq)))
    assert len(set(ids)) == 60
    assert position == last


async def test_a_write_without_endpoints_names_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    await client.post("/api/companies", json={"name": "Quiet"}, headers=auth)
    assert _hooks(services) == [None]
    assert not await services.db.read(fanout.waiting)


async def test_what_a_stopped_process_left_unmade_is_made_and_sent_by_the_next(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    settings: Settings,
    clock: Clock,
    receiver: Receiver,
) -> None:
    body = {"url": receiver.url(), "allow_private": True, "events": ["company.created"]}
    made = (await client.post("/api/webhooks", json=body, headers=auth)).json()
    company = (await client.post("/api/companies", json={"name": "Acme"}, headers=auth)).json()
    assert _count(services) == 0  # committed, named, not made (no loop ran here)
    # Another process starts on the database (as after a kill -9 of this one).
    later = await open_runtime(settings, clock)
    try:
        later.deliver()
        [got] = await receiver.wait_for(1)
    finally:
        await later.close()
    assert got.verified(made["secret"])["data"]["company_id"] == company["id"]
    assert _count(services) == 1
