"""Durability: a real ``halcrm serve`` killed with SIGKILL under load loses no answered write."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from pathlib import Path

import httpx
import pytest

from tests.processes import free_port, halcrm_serve, wait_until_up

TOKEN = "crash-token-" + "z" * 20
WORKERS = 8
# Enough answered writes to kill in the middle of a steady load, few enough to stay quick.
KILL_AFTER = 150
MAX_ROUNDS = 200
# A durability test, not a limits test: eight workers on one address would spend the
# address's share of the project's rate limit in a fraction of a second on a quick machine.
NO_LIMITS = {"HALCRM_PROJECT_RATE": "0", "HALCRM_CLIENT_RATE": "0", "HALCRM_WIDGET_RATE": "0"}


class Acks:
    """Every write the server answered with a 2xx, by kind."""

    def __init__(self) -> None:
        self.identify: list[tuple[str, str]] = []
        self.deal: list[tuple[str, int]] = []
        self.track: list[tuple[str, str]] = []
        self.count = 0


async def worker(base: str, n: int, acks: Acks, reached: asyncio.Event) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        for i in range(MAX_ROUNDS):
            visitor, company = f"w{n}-{i}", f"c{n}-{i}"
            common = {"app_id": "local", "visitor_id": visitor}
            try:
                answer = await http.post(
                    "/api/widget/identify",
                    json={**common, "email": f"u{n}-{i}@corp{n}.io", "company": {"id": company}},
                )
                if answer.status_code != 200:
                    return
                acks.identify.append((visitor, company))
                answer = await http.post(
                    "/api/widget/set-deal", json={**common, "deal_value": i + 1, "stage": "Lead"}
                )
                if answer.status_code != 200:
                    return
                acks.deal.append((company, (i + 1) * 100))
                answer = await http.post(
                    "/api/widget/track", json={**common, "name": "paid", "company_id": company}
                )
                if answer.status_code != 201:
                    return
                acks.track.append((company, answer.json()["event_id"]))
            except httpx.TransportError:
                return
            acks.count += 3
            if acks.count >= KILL_AFTER:
                reached.set()


def check_database(path: Path, acks: Acks) -> None:
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for visitor, company in acks.identify:
            row = db.execute(
                "SELECT co.id FROM visitors v JOIN contact_companies cc ON cc.contact_pk ="
                " v.contact_pk JOIN companies co ON co.pk = cc.company_pk WHERE v.visitor_id = ?",
                (visitor,),
            ).fetchall()
            assert (company,) in row, visitor
        for company, cents in acks.deal:
            (stored,) = db.execute(
                "SELECT deal_value_cents FROM companies WHERE id = ?", (company,)
            ).fetchone()
            assert stored == cents, company
        for company, event_id in acks.track:
            found = db.execute(
                "SELECT co.id FROM events e JOIN companies co ON co.pk = e.company_pk"
                " WHERE e.id = ?",
                (event_id,),
            ).fetchone()
            assert found == (company,), event_id
        # Nothing half-written: every contact has its company, every audit row its company,
        # every stage write its activity line.
        orphans = db.execute(
            "SELECT count(*) FROM contacts"
            " WHERE pk NOT IN (SELECT contact_pk FROM contact_companies)"
        ).fetchone()
        assert orphans == (0,)
        lost = db.execute(
            "SELECT count(*) FROM stage_changes s LEFT JOIN companies c ON c.pk = s.company_pk"
            " WHERE c.pk IS NULL"
        ).fetchone()
        assert lost == (0,)
        changes = db.execute("SELECT count(*) FROM stage_changes").fetchone()[0]
        logged = db.execute("SELECT count(*) FROM activity WHERE kind = 'stage_change'").fetchone()[
            0
        ]
        assert changes == logged
        deals = db.execute(
            "SELECT count(*) FROM companies WHERE deal_value_cents IS NOT NULL"
        ).fetchone()[0]
        deal_events = db.execute(
            "SELECT count(*) FROM activity WHERE kind = 'deal_value'"
        ).fetchone()[0]
        assert deals == deal_events
    finally:
        db.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
async def test_answered_writes_survive_sigkill(tmp_path):
    data_dir = tmp_path / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    acks = Acks()
    with halcrm_serve(data_dir, port, TOKEN, settings=NO_LIMITS) as proc:
        await wait_until_up(base, proc)
        reached = asyncio.Event()
        tasks = [asyncio.create_task(worker(base, n, acks, reached)) for n in range(WORKERS)]
        await asyncio.wait_for(reached.wait(), 120)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        await asyncio.wait_for(asyncio.gather(*tasks), 30)
    assert acks.count >= KILL_AFTER
    check_database(data_dir / "halcrm.db", acks)

    # The restarted server opens the same file and answers with what was acknowledged.
    with halcrm_serve(data_dir, port, TOKEN, settings=NO_LIMITS) as proc:
        await wait_until_up(base, proc)
        async with httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
        ) as http:
            for company, cents in acks.deal[-5:]:
                shown = (await http.get(f"/api/companies/{company}")).json()
                assert shown["deal_value"] * 100 == cents
                assert shown["stage"] == "Lead"


async def test_sigterm_with_an_open_event_stream_exits_cleanly(tmp_path):
    data_dir = tmp_path / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with halcrm_serve(data_dir, port, TOKEN, settings=NO_LIMITS) as proc:
        await wait_until_up(base, proc)
        async with (
            httpx.AsyncClient(base_url=base, timeout=10) as http,
            http.stream("GET", "/api/events", headers={"Authorization": f"Bearer {TOKEN}"}) as s,
        ):
            lines = s.aiter_lines()
            assert (await anext(lines)).startswith(":")
            proc.send_signal(signal.SIGTERM)
            # The stream ends (the bus closed) rather than being cut off by a forced exit.
            rest = [line async for line in lines]
            assert all(not line.startswith("data:") for line in rest)
        code = await asyncio.to_thread(proc.wait, 15)
        assert code == 0
