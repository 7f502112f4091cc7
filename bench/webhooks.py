"""Webhook figures: deliveries a second to a local receiver, and widget write throughput with
three subscribed endpoints against none (issue 24: at least 0.9x, measured in one run)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.load import Load, run_load
from bench.procs import TOKEN, Served, clean_env, free_port, halcrm_serve, spawned
from bench.stats import median
from bench.table import Bar, Row, judged, per_second, times
from bench.throughput import POOL, prepare

AUTH = {"Authorization": f"Bearer {TOKEN}"}
SET_DEAL = Load(
    "set-deal",
    "/api/widget/set-deal",
    '{"project_id":"local","visitor_id":"r-{p}","deal_value":{n}}',
    POOL,
)
CONNECTIONS = 32
ENDPOINTS = 3
BURST = 2000
WITH_ENDPOINTS = Bar(0.9, 0.95, higher_is_better=True, unit="x")


@contextmanager
def hook_receiver(work: Path) -> Iterator[Served]:
    port = free_port()
    env = clean_env(BENCH_PORT=str(port))
    command = [sys.executable, "-m", "bench.hook_receiver", "--port", str(port)]
    with spawned(command, env, work / "hook-receiver.log", "/stats") as served:
        yield served


async def _endpoints(base: str, receiver: str) -> list[str]:
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=30) as http:
        ids = []
        for n in range(ENDPOINTS):
            made = await http.post(
                "/api/webhooks",
                json={"url": f"{receiver}/hook{n}", "allow_private": True},
            )
            made.raise_for_status()
            ids.append(made.json()["id"])
        return ids


async def _enable(base: str, ids: list[str], enabled: bool) -> None:
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=30) as http:
        for webhook_id in ids:
            answer = await http.patch(f"/api/webhooks/{webhook_id}", json={"enabled": enabled})
            answer.raise_for_status()


async def _burst(base: str, webhook_id: str, receiver: str) -> float:
    """Queues ``BURST`` test deliveries to a disabled endpoint, enables it, and answers
    deliveries a second from the first arrival to the last."""
    await _enable(base, [webhook_id], False)
    async with (
        httpx.AsyncClient(base_url=base, headers=AUTH, timeout=30) as http,
        httpx.AsyncClient(base_url=receiver, timeout=30) as stats,
    ):
        limit = asyncio.Semaphore(16)

        async def queue() -> None:
            async with limit:
                (await http.post(f"/api/webhooks/{webhook_id}/test")).raise_for_status()

        await asyncio.gather(*(queue() for _ in range(BURST)))
        await stats.post("/reset")
        await _enable(base, [webhook_id], True)
        deadline = time.perf_counter() + 300
        while time.perf_counter() < deadline:
            found = (await stats.get("/stats")).json()
            if found["count"] >= BURST:
                return float(found["count"] / max(1e-6, found["last"] - found["first"]))
            await asyncio.sleep(0.2)
    raise TimeoutError("the burst was not delivered in 300 s")


def measure(work: Path, runs: int, seconds: float, use_wrk: bool) -> list[Row]:
    """Interleaved rounds (no endpoint, then three) on one server, then a delivery burst."""
    none: list[float] = []
    three: list[float] = []
    ratios: list[float] = []
    with halcrm_serve(work / "webhooks") as halcrm, hook_receiver(work) as receiver:
        asyncio.run(prepare(halcrm.url))
        ids = asyncio.run(_endpoints(halcrm.url, receiver.url))
        run_load(halcrm.url, SET_DEAL, 8, 1, "warm", use_wrk)
        for run in range(runs):
            print(f"  webhooks set-deal run {run + 1}", file=sys.stderr)
            asyncio.run(_enable(halcrm.url, ids, False))
            off = run_load(halcrm.url, SET_DEAL, CONNECTIONS, seconds, f"off{run}", use_wrk)
            asyncio.run(_enable(halcrm.url, ids, True))
            on = run_load(halcrm.url, SET_DEAL, CONNECTIONS, seconds, f"on{run}", use_wrk)
            none.append(off.rps)
            three.append(on.rps)
            ratios.append(on.rps / off.rps if off.rps else 0.0)
        asyncio.run(_enable(halcrm.url, ids, False))
        print("  webhooks delivery burst", file=sys.stderr)
        rate = asyncio.run(_burst(halcrm.url, ids[0], receiver.url))
    label = f"HTTP set-deal, {CONNECTIONS} conn"
    return [
        Row(f"{label}, no webhook endpoint", per_second(median(none))),
        judged(
            Row(
                f"{label}, {ENDPOINTS} endpoints subscribed (vs none)",
                per_second(median(three)),
                ratio=times(median(ratios)),
            ),
            WITH_ENDPOINTS,
            median(ratios),
        ),
        Row("webhook deliveries to a local receiver", f"{rate:,.0f} /s"),
    ]
