"""A second, empty database beside the test's own (SQLite file or PostgreSQL database)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from halcrm.runtime import Runtime, open_runtime
from halcrm.settings import Settings
from tests.conftest import TOKEN, _admin


@pytest.fixture
async def fresh(db_url: str, tmp_path: Path, pg_template: str | None) -> AsyncIterator[Runtime]:
    """Another database of the same backend, migrated and empty."""
    name = None
    if "://" in db_url:
        assert pg_template
        name = f"halcrm_fresh_{secrets.token_hex(6)}"
        await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
        url = f"{db_url.rpartition('/')[0]}/{name}"
    else:
        url = str(tmp_path / "fresh.db")
    settings = Settings(data_dir=tmp_path / "fresh", db=url, account_token_override=TOKEN)
    runtime = await open_runtime(settings)
    yield runtime
    await runtime.close()
    if name:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
