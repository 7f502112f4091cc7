"""Lost metadata updates: concurrent set-properties on one contact, each adding its own key."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx

from bench.procs import TOKEN, halcrm_serve
from bench.stats import median
from bench.table import Bar, Row, judged

KEYS = 90
"""Keys per contact: below the 100-key metadata limit, so every write must be kept."""
ROUNDS = 4
CONNECTIONS = 32
LOST = Bar(0, 0, higher_is_better=False)


async def one_round(client: httpx.AsyncClient, visitor: str) -> tuple[int, int]:
    """Adds KEYS keys concurrently to ``visitor``'s contact; returns (missing keys, failures)."""
    answer = await client.post(
        "/api/widget/identify",
        json={
            "project_id": "local",
            "visitor_id": visitor,
            "email": f"{visitor}@merge.example.org",
        },
    )
    answer.raise_for_status()
    contact_id = answer.json()["contact_id"]
    limit = asyncio.Semaphore(CONNECTIONS)

    async def add(key: int) -> int:
        async with limit:
            sent = await client.post(
                "/api/widget/set-properties",
                json={"project_id": "local", "visitor_id": visitor, "properties": {f"k{key}": key}},
            )
            return sent.status_code

    statuses = await asyncio.gather(*(add(key) for key in range(KEYS)))
    failures = sum(1 for status in statuses if status != 200)
    contact = await client.get(
        f"/api/contacts/{contact_id}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    contact.raise_for_status()
    kept = contact.json().get("metadata") or {}
    missing = sum(
        1
        for key, status in zip(range(KEYS), statuses, strict=True)
        if status == 200 and kept.get(f"k{key}") != key
    )
    return missing, failures


async def one_run(url: str, run: int) -> tuple[int, int]:
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        lost = failed = 0
        for index in range(ROUNDS):
            missing, failures = await one_round(client, f"merge-{run}-{index}")
            lost += missing
            failed += failures
        return lost, failed


def measure(work: Path, runs: int) -> list[Row]:
    """``runs`` runs of ROUNDS contacts x KEYS concurrent merges each, on one fresh server."""
    per_run: list[int] = []
    failed = 0
    with halcrm_serve(work / "lost") as halcrm:
        for run in range(runs):
            print(f"  lost updates run {run + 1}", file=sys.stderr)
            lost, failures = asyncio.run(one_run(halcrm.url, run))
            per_run.append(lost)
            failed += failures
    total = sum(per_run)
    writes = runs * ROUNDS * KEYS
    figure = f"lost metadata updates, {CONNECTIONS} conn, {writes} merges"
    if failed:
        figure += f" ({failed} refused)"
    row = Row(figure, f"{median(per_run):g} per run", ratio=f"{total} in all")
    return [judged(row, LOST, float(total))]
