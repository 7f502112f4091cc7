"""Webhooks across real ``halcrm serve`` processes: a kill -9 after the commit loses no
delivery, and two processes on one database send each delivery once (both stores)."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import httpx

from halcrm.services.webhooks.schedule import TEST_SCHEDULE_ENV
from tests.processes import free_port, halcrm_serve, wait_until_up
from tests.services.webhooks.helpers import until
from tests.services.webhooks.receiver import Reply, receiving

TOKEN = "hook-token-" + "h" * 20
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WRITES = 40
# Every refused attempt is tried again 2 s later (the contract's schedule goes 5 s, then 5 min):
# however long the 40 writes take on a loaded machine, what the killed process left is due
# again within seconds of the restart, and no delivery runs out of attempts before it.
QUICK_RETRIES = {TEST_SCHEDULE_ENV: ",".join(["2"] * 60)}


async def _subscribe(http: httpx.AsyncClient, url: str) -> tuple[str, str]:
    """A new endpoint's id and secret."""
    made = await http.post(
        "/api/webhooks", json={"url": url, "allow_private": True, "events": ["company.created"]}
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"]), str(made.json()["secret"])


def assert_not_logged(folder: Path, secret: str) -> None:
    """No log the processes wrote (their output, halcrm.log) holds the secret."""
    logs = [p for p in folder.rglob("*.log") if p.is_file()]
    assert logs
    for log in logs:
        text = log.read_text(errors="replace")
        assert secret not in text, log
        assert secret.removeprefix("whsec_") not in text, log


async def test_a_kill_after_the_commit_loses_no_delivery(tmp_path: Path, db_url: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with receiving() as receiver:
        # Refused at first: what the first process commits is still to send when it dies.
        receiver.replies["/hook"] = lambda _: Reply(status=503)
        answered: list[str] = []
        with halcrm_serve(tmp_path / "data", port, TOKEN, db_url, QUICK_RETRIES) as proc:
            await wait_until_up(base, proc)
            async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=10) as http:
                _, secret = await _subscribe(http, receiver.url())
                for n in range(WRITES):
                    made = await http.post("/api/companies", json={"name": f"Co {n}"})
                    assert made.status_code == 201
                    answered.append(made.json()["id"])
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        # Nothing was delivered before the kill: the refusals left every delivery pending.
        receiver.replies["/hook"] = lambda _: Reply(status=200)
        before = len(receiver.got)
        with halcrm_serve(tmp_path / "data", port, TOKEN, db_url, QUICK_RETRIES) as proc:
            await wait_until_up(base, proc)

            async def all_sent() -> bool:
                sent = {r.json["data"]["company_id"] for r in receiver.got[before:]}
                return set(answered) <= sent

            await until(all_sent, within=90)
        assert_not_logged(tmp_path, secret)


async def test_two_processes_send_each_delivery_once(tmp_path: Path, db_url: str) -> None:
    ports = [free_port(), free_port()]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    async with receiving() as receiver:
        with ExitStack() as stack:
            procs = [
                stack.enter_context(halcrm_serve(tmp_path / f"data{n}", port, TOKEN, db_url))
                for n, port in enumerate(ports)
            ]
            for base, proc in zip(bases, procs, strict=True):
                await wait_until_up(base, proc)
            async with (
                httpx.AsyncClient(base_url=bases[0], headers=AUTH, timeout=10) as a,
                httpx.AsyncClient(base_url=bases[1], headers=AUTH, timeout=10) as b,
            ):
                webhook, secret = await _subscribe(a, receiver.url())
                answered = []
                for n in range(WRITES):
                    made = await (a, b)[n % 2].post("/api/companies", json={"name": f"Co {n}"})
                    assert made.status_code == 201
                    answered.append(made.json()["id"])
                await receiver.wait_for(WRITES, within=60)
                await asyncio.sleep(1.0)  # a second sender would have sent by now
                ids = Counter(r.headers["webhook-id"] for r in receiver.at("/hook"))
                assert len(ids) == WRITES
                assert set(ids.values()) == {1}
                assert {r.json["data"]["company_id"] for r in receiver.at("/hook")} == set(answered)
                page = (await b.get(f"/api/webhooks/{webhook}/deliveries?limit=100")).json()
                assert {d["status"] for d in page["items"]} == {"delivered"}
                assert {d["attempts"] for d in page["items"]} == {1}
        assert_not_logged(tmp_path, secret)
