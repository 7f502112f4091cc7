"""Fixtures of the webhook tests: a short retry schedule (the setting for tests), a receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from halcrm.domain.clock import Clock
from halcrm.runtime import Runtime, open_runtime
from halcrm.services.webhooks.schedule import TEST_SCHEDULE_ENV
from halcrm.settings import Settings
from tests.services.webhooks.receiver import Receiver, receiving


@pytest.fixture(autouse=True)
def short_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two quick retries, set before the runtime (and its delivery loop) starts."""
    monkeypatch.setenv(TEST_SCHEDULE_ENV, "0.2,0.2")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving() as found:
        yield found


@pytest.fixture
async def runtime(settings: Settings, clock: Clock) -> AsyncIterator[Runtime]:
    """The shared runtime, sending deliveries as a serving process does."""
    rt = await open_runtime(settings, clock)
    rt.deliver()
    yield rt
    await rt.close()
