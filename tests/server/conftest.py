"""Fixtures of the server tests: a live public API key."""

from __future__ import annotations

import pytest

from halcrm.services.facade import Services


@pytest.fixture
async def api_key(services: Services) -> dict[str, str]:
    """The ``X-API-Key`` header of a fresh live key of the default project."""
    made = await services.create_api_key("tests")
    return {"X-API-Key": made.key}
