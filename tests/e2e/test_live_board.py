"""One loop: the real embedded uvicorn on 127.0.0.1 port 0 and the board under run_test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from halcrm.server.app import ServerConfig, create_app
from halcrm.server.embedded import bind_socket, bound_port, make_server, stop
from halcrm.services.container import Services
from halcrm.tui.app import HalcrmApp
from tests.conftest import TOKEN
from tests.tui.helpers import board, column_of, ready, until


@pytest.fixture
async def base_url(services: Services) -> AsyncIterator[str]:
    sock = bind_socket("127.0.0.1", 0)
    server = make_server(create_app(services, ServerConfig(account_token=TOKEN)))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    yield f"http://127.0.0.1:{bound_port(sock)}"
    services.bus.close()
    await stop(server, task)
    sock.close()


async def test_http_signals_move_cards_live(services: Services, base_url: str) -> None:
    app = HalcrmApp(services, services.bus, server_url=base_url)
    widget = {"app_id": "local", "visitor_id": "v1"}
    async with app.run_test(size=(120, 36)) as pilot, httpx.AsyncClient(base_url=base_url) as http:
        screen = await ready(pilot)
        assert "● serving " + base_url in str(screen.query_one("#status").render())
        answer = await http.post(
            "/api/widget/identify",
            json={**widget, "email": "jo@acme.com", "company": {"id": "acme", "name": "Acme"}},
        )
        assert answer.status_code == 200, answer.text
        await until(pilot, lambda: column_of(app, "acme") == "", "acme appears Unstaged")

        answer = await http.post("/api/widget/set-stage", json={**widget, "stage": "Proposal"})
        assert answer.json()["applied"] is True
        await until(pilot, lambda: column_of(app, "acme") == "proposal", "acme in Proposal")
        feed = board(app).feed.lines()
        assert feed[0] == "widget Acme → Proposal applied"
        card = board(app).board.model.cards["acme"]
        assert card.last_moved_by == "widget"
        assert board(app).board.is_flashing("acme")

        answer = await http.post("/api/widget/set-stage", json={**widget, "stage": "Qualified"})
        assert answer.json() | {"applied": False, "reason": "already_later"} == answer.json()
        await until(
            pilot, lambda: board(app).feed.lines()[0].endswith("(already_later)"), "skip line"
        )
        assert board(app).feed.lines()[0] == "widget Acme → Qualified skipped (already_later)"
        assert column_of(app, "acme") == "proposal"
