"""Shared fixtures: a real database (SQLite file, or PostgreSQL when asked), services, clients."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
import pytest

from halcrm.db.engine import create_engine, database_url
from halcrm.db.migrate import migrate
from halcrm.domain.clock import Clock, utc_now
from halcrm.runtime import Runtime, open_runtime
from halcrm.server.app import ServerConfig, create_app
from halcrm.services.container import Services
from halcrm.settings import Settings
from tests.asgi import asgi

PG_URL = os.environ.get("HALCRM_TEST_PG_URL")
TOKEN = "test-token-" + "x" * 20
FIXED_NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

BACKENDS = [
    "sqlite",
    pytest.param(
        "pg",
        marks=[
            pytest.mark.pg,
            pytest.mark.skipif(not PG_URL, reason="HALCRM_TEST_PG_URL is not set"),
        ],
    ),
]


def _libpq_dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


async def _admin(sql: str) -> None:
    assert PG_URL
    async with await psycopg.AsyncConnection.connect(_libpq_dsn(PG_URL), autocommit=True) as admin:
        await admin.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def pg_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """One migrated PostgreSQL database per test run; each test copies it (much faster than
    migrating a new database every time)."""
    if not PG_URL:
        yield None
        return
    name = f"halcrm_tmpl_{secrets.token_hex(6)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base, _, _ = PG_URL.rpartition("/")

    async def migrate() -> None:
        data = tmp_path_factory.mktemp("pg-template")
        runtime = await open_runtime(Settings(data_dir=data, db=f"{base}/{name}"))
        await runtime.close()

    asyncio.run(migrate())
    yield name
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to the newest revision per test process; each test copies it
    (a copy costs a fraction of running every migration on a new file)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "halcrm.db"
    engine = create_engine(database_url(str(path)))
    try:
        migrate(engine)
    finally:
        engine.dispose()
    # The last connection closed checkpointed the WAL: the one file holds everything.
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(params=BACKENDS)
async def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    pg_template: str | None,
) -> AsyncIterator[str]:
    """A fresh database: a SQLite file in tmp_path, or a new PostgreSQL database per test."""
    if request.param == "sqlite":
        path = tmp_path / "halcrm.db"
        shutil.copyfile(sqlite_template, path)
        yield str(path)
        return
    assert PG_URL
    assert pg_template
    name = f"halcrm_test_{secrets.token_hex(6)}"
    await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    base, _, _ = PG_URL.rpartition("/")
    yield f"{base}/{name}"
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", db=db_url, account_token_override=TOKEN)


@pytest.fixture
def clock() -> Clock:
    return utc_now


@pytest.fixture
async def runtime(settings: Settings, clock: Clock) -> AsyncIterator[Runtime]:
    rt = await open_runtime(settings, clock)
    yield rt
    await rt.close()


@pytest.fixture
def services(runtime: Runtime) -> Services:
    return runtime.services


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """A real ASGI client in the test's own loop (Litestar's test client runs the app in a
    thread with another loop, where a database engine from this loop cannot be used)."""
    app = create_app(services, ServerConfig(account_token=TOKEN))
    transport = asgi(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def widget() -> Callable[..., dict[str, object]]:
    """Builds a widget body for the default project."""

    def body(visitor_id: str = "v1", **fields: object) -> dict[str, object]:
        return {"app_id": "local", "visitor_id": visitor_id, **fields}

    return body


@pytest.fixture
def env_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("HALCRM_") and key != "HALCRM_TEST_PG_URL":
            monkeypatch.delenv(key)
