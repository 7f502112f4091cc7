"""``halcrm serve --demo``: an always-on server to try a board on, with the demo companies in an
empty project, and never a second copy of them over companies that are there."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.processes import free_port, halcrm_serve, wait_until_up

TOKEN = "demo-serve-token-" + "d" * 20


async def _names(base: str) -> list[str]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as http:
        page = (await http.get("/api/companies", params={"limit": 500})).json()
    return [c["name"] for c in page["items"]]


async def test_serve_demo_seeds_an_empty_project_once(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data = tmp_path / "data"
    with halcrm_serve(data, port, TOKEN, args=["--demo"]) as proc:
        await wait_until_up(base, proc)
        seeded = await _names(base)
    assert "Ironwood Capital" in seeded
    assert len(seeded) >= 25
    with halcrm_serve(data, port, TOKEN, args=["--demo"]) as proc:
        await wait_until_up(base, proc)
        assert sorted(await _names(base)) == sorted(seeded)
    said = (tmp_path / f"serve-{port}.log").read_text()
    assert f"demo data loaded: {len(seeded)} companies" in said
    assert "demo data: not loaded, the project has companies already" in said
