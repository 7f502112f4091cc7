"""Fixtures of the server tests: a live public API key."""

from __future__ import annotations

import pytest

from halcrm.services.container import Services


@pytest.fixture
async def api_key(services: Services) -> dict[str, str]:
    """The ``X-API-Key`` header of a fresh live key of the default project."""
    made = await services.api_keys.create("tests")
    return {"X-API-Key": made.key}
