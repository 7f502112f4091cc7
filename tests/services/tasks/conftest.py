"""Next-step tests run on a clock they move themselves (FIXED_NOW: 2026-11-27 12:00 UTC)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from halcrm.domain.clock import MutableClock
from tests.conftest import FIXED_NOW


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(FIXED_NOW)


class Api:
    """The account API as a test calls it: each call checks its status."""

    def __init__(self, client: httpx.AsyncClient, auth: dict[str, str]) -> None:
        self.client = client
        self.auth = auth

    async def __call__(
        self, method: str, path: str, body: Any = None, expect: int = 200, **params: Any
    ) -> Any:
        answer = await self.client.request(
            method, path, json=body, headers=self.auth, params=params or None
        )
        assert answer.status_code == expect, answer.text
        return answer.json()


@pytest.fixture
def api(client: httpx.AsyncClient, auth: dict[str, str]) -> Api:
    return Api(client, auth)


async def company(api: Api, company_id: str, stage: str | None = "Qualified", **more: Any) -> Any:
    body = {"id": company_id, "name": company_id.title(), "stage": stage, **more}
    return await api("POST", "/api/companies", body, 201)


async def task(api: Api, company_id: str, due: str, title: str = "Call", **more: Any) -> Any:
    body = {"company_id": company_id, "title": title, "due": due, **more}
    return await api("POST", "/api/tasks", body, 201)
