"""Fixtures of the webhook tests: a short retry schedule (the setting for tests), a receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from halcrm.services.webhooks.schedule import TEST_SCHEDULE_ENV
from tests.webhooks.receiver import Receiver, receiving


@pytest.fixture(autouse=True)
def short_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two quick retries, set before the runtime (and its delivery loop) starts."""
    monkeypatch.setenv(TEST_SCHEDULE_ENV, "0.2,0.2")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving() as found:
        yield found
