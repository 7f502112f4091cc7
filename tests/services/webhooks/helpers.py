"""Small steps the webhook tests share."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tests.services.webhooks.receiver import Receiver


async def endpoint(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    receiver: Receiver,
    path: str = "/hook",
    **fields: Any,
) -> dict[str, Any]:
    """A new endpoint to the receiver (a loopback address, so ``allow_private``)."""
    body = {"url": receiver.url(path), "allow_private": True, **fields}
    made = await client.post("/api/webhooks", json=body, headers=auth)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def deliveries(
    client: httpx.AsyncClient, auth: dict[str, str], webhook_id: str
) -> list[dict[str, Any]]:
    page = await client.get(f"/api/webhooks/{webhook_id}/deliveries", headers=auth)
    assert page.status_code == 200, page.text
    return list(page.json()["items"])


async def settled(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    webhook_id: str,
    status: str,
    count: int = 1,
    within: float = 20.0,
) -> list[dict[str, Any]]:
    """The endpoint's deliveries once ``count`` of them have ``status``."""
    async with asyncio.timeout(within):
        while True:
            found = await deliveries(client, auth, webhook_id)
            if sum(d["status"] == status for d in found) >= count:
                return found
            await asyncio.sleep(0.05)


async def until(check: Callable[[], Awaitable[bool]], within: float = 20.0) -> None:
    """Waits until ``check`` answers true (fails after ``within`` seconds)."""
    async with asyncio.timeout(within):
        while True:
            if await check():
                return
            await asyncio.sleep(0.05)
