"""Closing a runtime ends its event follower at once: a command or a stopping server on
PostgreSQL does not sit out the listener's wait for a notification."""

from __future__ import annotations

import asyncio
import time

import pytest

from halcrm.db import events
from halcrm.domain.clock import Clock
from halcrm.runtime import open_runtime
from halcrm.settings import Settings


async def test_close_wakes_the_listener_instead_of_waiting_for_a_notification(
    settings: Settings, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wait far longer than any close may take: only a wake ends it in time.
    monkeypatch.setattr(events, "PG_IDLE_SECONDS", 60.0)
    runtime = await open_runtime(settings, clock)
    follower = runtime.services.db.follower
    assert follower is not None
    await asyncio.sleep(0.2)  # the listener is in its wait now
    began = time.monotonic()
    await runtime.close()
    assert time.monotonic() - began < 10
    assert not follower._thread.is_alive()
