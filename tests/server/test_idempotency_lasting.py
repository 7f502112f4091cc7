"""Idempotency keys are kept in the database (API.md, Idempotency): 24 hours, expired rows
deleted, and a key holds across a restart and in another server process, both backends."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from halcrm.db import idempotency
from halcrm.db.models import Activity, IdempotencyKey
from halcrm.domain.clock import MutableClock
from halcrm.runtime import open_runtime
from halcrm.server.app import ServerConfig, create_app
from halcrm.services.container import Services
from halcrm.settings import Settings
from tests.asgi import asgi
from tests.conftest import FIXED_NOW, TOKEN
from tests.processes import free_port, halcrm_serve, wait_until_up

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(FIXED_NOW)


def _count(services: Services, what: type) -> int:
    with services.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(what)) or 0)


def _tracks(services: Services) -> int:
    with services.db.session() as session:
        return int(session.scalar(select(func.count()).where(Activity.kind == "track")) or 0)


def _oldest_key(services: Services) -> datetime | None:
    with services.db.session() as session:
        return session.scalar(select(func.min(IdempotencyKey.created_at)))


async def test_a_key_is_kept_24_hours_and_expired_keys_are_deleted(
    client: httpx.AsyncClient,
    services: Services,
    clock: MutableClock,
    widget,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The clean-up runs every 500th claim; every 25th here, the same rule in fewer calls.
    every = 25
    monkeypatch.setattr(idempotency, "CLEAN_EVERY", every)
    body = widget("v1", name="signed-up")
    headers = {"Idempotency-Key": "once-a-day"}
    assert (await client.post("/api/widget/track", json=body, headers=headers)).status_code == 201
    clock.now += timedelta(hours=23, minutes=59)
    again = await client.post("/api/widget/track", json=body, headers=headers)
    assert again.headers.get("idempotent-replayed") == "true"
    assert _tracks(services) == 1

    # After 24 hours the key is forgotten: the same call is a new write.
    clock.now += timedelta(minutes=2)
    later = await client.post("/api/widget/track", json=body, headers=headers)
    assert (later.status_code, later.headers.get("idempotent-replayed")) == (201, None)
    assert _tracks(services) == 2

    # Keys of a day ago are deleted as claimed writes go on (every CLEAN_EVERY-th of them).
    for n in range(3):
        headers = {**AUTH, "Idempotency-Key": f"old-{n}"}
        made = await client.post("/api/companies", json={"name": f"Old {n}"}, headers=headers)
        assert made.status_code == 201
    clock.now += timedelta(hours=25)
    assert _oldest_key(services) is not None
    assert _oldest_key(services) < clock.now - timedelta(hours=24)  # type: ignore[operator]
    for n in range(every):
        headers = {**AUTH, "Idempotency-Key": f"new-{n}"}
        edit = await client.patch("/api/project", json={"name": f"n{n}"}, headers=headers)
        assert edit.status_code == 200
    oldest = _oldest_key(services)
    assert oldest is not None
    assert oldest >= clock.now - timedelta(hours=24)
    assert _count(services, IdempotencyKey) <= every


async def test_a_key_holds_across_a_restart_and_in_another_process(db_url: str, tmp_path) -> None:
    settings = Settings(data_dir=tmp_path / "data", db=db_url, account_token_override=TOKEN)
    key = {**AUTH, "Idempotency-Key": "create-acme"}

    async def in_process(body: dict[str, str]) -> httpx.Response:
        """A request to a runtime opened for it, then closed (a restart between calls)."""
        runtime = await open_runtime(settings)
        try:
            app = create_app(runtime.services, ServerConfig(account_token=TOKEN))
            transport = asgi(app)
            async with httpx.AsyncClient(transport=transport, base_url="http://halcrm") as http:
                return await http.post("/api/companies", json=body, headers=key)
        finally:
            await runtime.close()

    first = await in_process({"name": "Acme"})
    assert first.status_code == 201, first.text
    assert (await in_process({"name": "Acme"})).headers.get("idempotent-replayed") == "true"

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with halcrm_serve(tmp_path / "serve-data", port, TOKEN, db_url) as proc:
        await wait_until_up(base, proc)
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            again = await http.post("/api/companies", json={"name": "Acme"}, headers=key)
            assert (again.status_code, again.content) == (201, first.content)
            assert again.headers.get("idempotent-replayed") == "true"
            other = await http.post("/api/companies", json={"name": "Globex"}, headers=key)
            assert (other.status_code, other.json()["error"]) == (409, "idempotency_key_reused")
            there = await http.post(
                "/api/companies", json={"name": "Initech"}, headers={**key, "Idempotency-Key": "b"}
            )
            assert there.status_code == 201
            assert "idempotent-replayed" not in there.headers
    # What the other process wrote under its key is replayed here, after it stopped.
    key = {**key, "Idempotency-Key": "b"}
    back = await in_process({"name": "Initech"})
    assert (back.content, back.headers.get("idempotent-replayed")) == (there.content, "true")

    runtime = await open_runtime(settings)
    try:
        names = sorted(c.name for c in (await runtime.services.companies.all()).items)
    finally:
        await runtime.close()
    assert names == ["Acme", "Initech"]
