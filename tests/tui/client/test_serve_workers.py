"""``halcrm serve --workers N``: uvicorn's worker processes on one address over PostgreSQL,
each with its own runtime; refused in one line on a SQLite file or without a shared store for
rate limits."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.processes import free_port

TOKEN = "workers-token-" + "w" * 20
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PG_URL = os.environ.get("HALCRM_TEST_PG_URL")
REDIS_URL = os.environ.get("HALCRM_REDIS_URL") or "redis://127.0.0.1:6379/0"


def _dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


async def _admin(sql: str) -> None:
    assert PG_URL
    async with await psycopg.AsyncConnection.connect(
        _dsn(PG_URL), autocommit=True, connect_timeout=3
    ) as admin:
        await admin.execute(sql)  # type: ignore[arg-type]


@pytest.fixture
async def pg_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database (``serve`` migrates it), dropped afterwards."""
    if not PG_URL:
        pytest.skip("HALCRM_TEST_PG_URL is not set")
    name = f"halcrm_workers_{secrets.token_hex(5)}"
    try:
        await _admin(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at {PG_URL} does not answer: {exc}")
    base, _, _ = PG_URL.rpartition("/")
    yield f"{base}/{name}"
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(data_dir: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCRM_")}
    env.update(HALCRM_DATA_DIR=str(data_dir), HALCRM_ACCOUNT_TOKEN=TOKEN, **more)
    return env


def _serve(data_dir: Path, *args: str, **env: str) -> subprocess.Popen[bytes]:
    log = (data_dir.parent / "workers.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "halcrm", "serve", *args],
        env=_env(data_dir, **env),
        stdout=log,
        stderr=log,
    )


async def _pinned(base: str, wanted: int) -> dict[str, httpx.AsyncClient]:
    """One kept-alive client per worker: a connection stays with the worker that accepted
    it, and ``/health`` says which one that is (bounded: 60 s)."""
    pinned: dict[str, httpx.AsyncClient] = {}
    spare: list[httpx.AsyncClient] = []
    for _ in range(600):
        http = httpx.AsyncClient(
            base_url=base, headers=AUTH, timeout=5, limits=httpx.Limits(max_connections=1)
        )
        try:
            answer = await http.get("/health")
        except httpx.TransportError:
            await http.aclose()
            await asyncio.sleep(0.1)
            continue
        instance = str(answer.json()["instance"])
        if instance in pinned:
            spare.append(http)  # keeps the worker's backlog busy so the next goes elsewhere
        else:
            pinned[instance] = http
        if len(pinned) >= wanted:
            break
    for http in spare:
        await http.aclose()
    return pinned


async def test_two_workers_answer_and_see_each_others_writes(
    tmp_path: Path, pg_database: str
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(
        tmp_path / "data",
        "--workers",
        "2",
        "--port",
        str(port),
        "--db",
        pg_database,
        HALCRM_REDIS_URL=REDIS_URL,
    )
    pinned: dict[str, httpx.AsyncClient] = {}
    try:
        pinned = await _pinned(base, 2)
        assert len(pinned) == 2, f"workers seen: {set(pinned)} ({tmp_path / 'workers.log'})"
        (name_a, a), (name_b, b) = sorted(pinned.items())
        body = {"id": "acme", "name": "Acme", "stage": "Lead"}
        assert (await a.post("/api/companies", json=body)).status_code == 201
        for writer, reader in ((a, b), (b, a), (a, b)):
            before = (await reader.get("/api/companies/acme")).json()["stage"]
            stage = "Proposal" if before != "Proposal" else "Qualified"
            moved = await writer.post("/api/companies/acme/move", json={"stage": stage})
            assert moved.status_code == 200, moved.text
            assert (await reader.get("/api/companies/acme")).json()["stage"] == stage
        for http in (a, b):  # still the same two processes
            assert (await http.get("/health")).json()["instance"] in (name_a, name_b)
    finally:
        for http in pinned.values():
            await http.aclose()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    output = (tmp_path / "workers.log").read_text()
    assert proc.returncode == 0, output[-2000:]
    assert f"attach a board: halcrm board --connect {base} (its token: halcrm token)" in output
    assert "alembic" not in output


def test_workers_on_a_sqlite_file_are_refused_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "halcrm", "serve", "--workers", "2", "--port", str(free_port())],
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "--workers needs PostgreSQL" in lines[0]
    assert not (tmp_path / "data" / "halcrm.db").exists()  # nothing opened


def test_workers_without_a_shared_rate_store_are_refused(tmp_path: Path) -> None:
    db = "postgresql://postgres@127.0.0.1:1/none"  # never reached: refused before
    proc = subprocess.run(
        [sys.executable, "-m", "halcrm", "serve", "--workers", "2", "--db", db],
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "--workers needs HALCRM_REDIS_URL" in proc.stderr
