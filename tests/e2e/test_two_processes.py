"""Two ``halcrm serve`` processes on one database agree on the project: a change committed by
one is in force on the other's very next call (SQLite file and PostgreSQL)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

from tests.processes import free_port, halcrm_serve, wait_until_up

TOKEN = "two-token-" + "y" * 20
AUTH = {"Authorization": f"Bearer {TOKEN}"}
W = {"app_id": "local", "visitor_id": "v1"}


async def _stage(http: httpx.AsyncClient, stage: str, **extra: Any) -> httpx.Response:
    return await http.post("/api/widget/set-stage", json={**W, "stage": stage, **extra})


async def test_a_change_on_one_process_holds_on_the_other_at_once(
    tmp_path: Path, db_url: str
) -> None:
    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        procs = [
            stack.enter_context(halcrm_serve(tmp_path / f"data{n}", port, TOKEN, db_url))
            for n, port in enumerate(ports)
        ]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, proc in zip(bases, procs, strict=True):
            await wait_until_up(base, proc)
        async with (
            httpx.AsyncClient(base_url=bases[0], headers=AUTH, timeout=10) as a,
            httpx.AsyncClient(base_url=bases[1], timeout=10) as b,
        ):
            body = {**W, "email": "a@acme.com", "company": {"id": "acme", "stage": "Lead"}}
            assert (await b.post("/api/widget/identify", json=body)).status_code == 200

            # A rename.
            assert (await a.patch("/api/stages/qualified", json={"name": "Discovery"})).is_success
            answer = await _stage(b, "Discovery")
            assert (answer.status_code, answer.json()["applied"]) == (200, True)
            assert (await _stage(b, "Qualified")).json()["error"] == "unknown_stage"

            # A new stage.
            created = await a.post("/api/stages", json={"name": "Demo", "kind": "open"})
            assert created.status_code == 201, created.text
            answer = await _stage(b, "Demo", stage_update_mode="exact")
            assert (answer.status_code, answer.json()["stage"]) == (200, "Demo")

            # A reorder: Proposal first, so advancing to it from Demo is a step back now.
            moved = await a.patch("/api/stages/proposal", json={"position": 0})
            assert moved.status_code == 200, moved.text
            answer = await _stage(b, "Proposal")
            assert (answer.json()["applied"], answer.json()["reason"]) == (False, "already_later")

            # A deletion.
            assert (await a.delete("/api/stages/negotiation")).status_code == 200
            assert (await _stage(b, "Negotiation")).json()["error"] == "unknown_stage"

            # Identity verification turned on.
            patch = {"identity_verification": "required"}
            assert (await a.patch("/api/project", json=patch)).status_code == 200
            answer = await b.post("/api/widget/set-properties", json={**W, "properties": {}})
            assert (answer.status_code, answer.json()["error"]) == (
                401,
                "identity_verification_failed",
            )
