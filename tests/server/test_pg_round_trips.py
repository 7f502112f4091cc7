"""PostgreSQL round trips: every widget write, counting all it causes on every connection of
the process (its transaction, the event reads that publish it), after warm-up; and the round
trips the process makes while idle. Counted by a TCP proxy between halcrm and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from halcrm.runtime import open_runtime
from halcrm.server.app import ServerConfig, create_app
from halcrm.settings import Settings
from tests.asgi import asgi
from tests.conftest import PG_URL, TOKEN, _admin
from tests.pgproxy import PgProxy

pytestmark = [
    pytest.mark.pg,
    pytest.mark.skipif(not PG_URL, reason="HALCRM_TEST_PG_URL is not set"),
]

# Issue 25: at most 8 round trips per widget write (aim 4), at most 1 a second idle (aim 0).
# Every widget write makes 2-4 now (reads sent ahead, the event read in the COMMIT's flight):
# the bar is the worst of them plus one, so a lost round trip shows here.
MOST_PER_CALL = 5
MOST_IDLE_PER_SECOND = 1.0
CALLS = 5


@pytest.fixture
async def proxied(
    tmp_path: Path, pg_template: str | None
) -> AsyncIterator[tuple[PgProxy, httpx.AsyncClient]]:
    assert PG_URL
    assert pg_template
    name = f"halcrm_test_{secrets.token_hex(6)}"
    await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    base, _, _ = PG_URL.rpartition("/")
    port = make_url(PG_URL).port or 5432
    try:
        with PgProxy(port, delay=0.001) as proxy:
            proxy.trace = bool(os.environ.get("HALCRM_TRACE_ROUND_TRIPS"))
            settings = Settings(
                data_dir=tmp_path / "data",
                db=proxy.url(f"{base}/{name}"),
                account_token_override=TOKEN,
            )
            runtime = await open_runtime(settings)
            app = create_app(runtime.services, ServerConfig(account_token=TOKEN))
            transport = asgi(app)
            try:
                async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                    yield proxy, http
            finally:
                await runtime.close()
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _per_call(proxy: PgProxy, call: Callable[[int], Awaitable[httpx.Response]]) -> float:
    """The median round trips of one call, counted until the database falls quiet after it."""
    for n in range(2):  # warm-up: prepared statements, caches, pooled connections
        assert (await call(-1 - n)).is_success
    await asyncio.to_thread(proxy.wait_quiet)
    counts = []
    for n in range(CALLS):
        with proxy.counting() as counted:
            answer = await call(n)
            assert answer.is_success, answer.text
            await asyncio.to_thread(proxy.wait_quiet)
        counts.append(counted.flights)
        if os.environ.get("HALCRM_TRACE_ROUND_TRIPS"):
            print(counted.flights, *proxy.counts.statements[-counted.flights :], sep="\n  ")
    return statistics.median(counts)


async def test_each_widget_write_makes_few_round_trips(
    proxied: tuple[PgProxy, httpx.AsyncClient],
) -> None:
    proxy, http = proxied

    def post(path: str, **body: object) -> Awaitable[httpx.Response]:
        return http.post(f"/api/widget/{path}", json={"app_id": "local", **body})

    run = secrets.token_hex(3)
    await post("identify", visitor_id="known", email="k@known.io", company={"id": "known"})
    routes: dict[str, Callable[[int], Awaitable[httpx.Response]]] = {
        "identify new visitor": lambda n: post(
            "identify",
            visitor_id=f"new{run}{n}",
            email=f"p{n}@new{run}{n}.io",
            company={"id": f"c{run}{n}", "name": f"C{n}"},
        ),
        "identify returning": lambda n: post(
            "identify", visitor_id="known", email="k@known.io", name=f"K {n}"
        ),
        "set-properties": lambda n: post("set-properties", visitor_id="known", properties={"n": n}),
        "track": lambda n: post("track", visitor_id="known", name="opened", value=n),
        "set-stage": lambda n: post(
            "set-stage",
            visitor_id="known",
            stage=("Lead", "Qualified")[n % 2],
            stage_update_mode="exact",
        ),
        "set-deal": lambda n: post("set-deal", visitor_id="known", deal_value=100 + n),
    }
    found = {name: await _per_call(proxy, call) for name, call in routes.items()}
    print("round trips per call:", found)
    over = {name: count for name, count in found.items() if count > MOST_PER_CALL}
    assert not over, f"more than {MOST_PER_CALL} round trips a call: {over}"


async def test_idle_makes_at_most_one_round_trip_a_second(
    proxied: tuple[PgProxy, httpx.AsyncClient],
) -> None:
    proxy, http = proxied
    body = {"app_id": "local", "visitor_id": "v", "email": "a@idle.io"}
    assert (await http.post("/api/widget/identify", json=body)).is_success
    await asyncio.to_thread(proxy.wait_quiet)
    seconds = 3.0
    with proxy.counting() as counted:
        await asyncio.sleep(seconds)
    per_second = counted.flights / seconds
    print("idle round trips a second:", per_second)
    assert per_second <= MOST_IDLE_PER_SECOND
