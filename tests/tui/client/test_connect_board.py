"""``halcrm board --connect``: the board under Pilot over a real ``halcrm serve`` process
(SQLite file): live signals, writes through the server as ``board``, refusals as toasts, and
a server killed and started again while the board keeps going, nothing lost or doubled."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot

from halcrm.domain.errors import Conflict, NotFound, UnknownStage
from halcrm.domain.stages import Source
from halcrm.runtime import open_runtime
from halcrm.services.support.schemas import MessageCreate
from halcrm.settings import Settings
from halcrm.tui.app import HalcrmApp
from halcrm.tui.client.login import Connected, connected
from halcrm.tui.screens.company import CompanyScreen
from halcrm.tui.screens.contacts import ContactsScreen
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.focus import FocusScreen
from tests.processes import free_port, halcrm_serve, wait_until_up
from tests.tui.helpers import column_of, ready

LIMIT = 30.0  # seconds: a server process restarts and the board reconnects within this


async def until(pilot: Pilot[None], check: Callable[[], object], what: str) -> None:
    """Lets the app run until ``check()`` holds, for at most LIMIT seconds of wall time."""
    deadline = time.monotonic() + LIMIT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


TOKEN = "connect-token-" + "z" * 20
AUTH = {"Authorization": f"Bearer {TOKEN}"}
W = {"app_id": "local", "visitor_id": "v1"}
SIZE = (160, 45)


@dataclass
class Server:
    data_dir: Path
    port: int
    stack: ExitStack
    proc: Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.proc = self.stack.enter_context(halcrm_serve(self.data_dir, self.port, TOKEN))
        await wait_until_up(self.base, self.proc)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def server_stack() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


@pytest.fixture
async def server(tmp_path: Path, server_stack: ExitStack) -> Server:
    served = Server(tmp_path / "data", free_port(), server_stack)
    await served.start()
    async with httpx.AsyncClient(base_url=served.base, headers=AUTH, timeout=10) as http:
        for company, stage in (("acme", "Lead"), ("globex", "Won")):
            body = {"id": company, "name": company.title(), "stage": stage}
            assert (await http.post("/api/companies", json=body)).status_code == 201
    return served


@pytest.fixture
async def link(server: Server) -> AsyncIterator[Connected]:
    async with connected(server.base, TOKEN) as attached:
        yield attached


def board_app(link: Connected, tmp_path: Path) -> HalcrmApp:
    return HalcrmApp(
        link.services,
        link.services.bus,
        server_url=link.url,
        server_state=link.state,
        data_dir=tmp_path / "board",
    )


async def last_stage_change(base: str, company_id: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=10) as http:
        items = (await http.get(f"/api/companies/{company_id}/history")).json()["items"]
    return next(i for i in items if i["type"] == "stage_change")


async def test_a_widget_call_moves_the_card_and_l_writes_as_board(
    server: Server, link: Connected, tmp_path: Path
) -> None:
    app = board_app(link, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert column_of(app, "acme") == "lead"
        status = str(screen.query_one("#status").render())
        assert f"● connected {server.base}" in status
        async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
            body = {**W, "email": "a@acme.com", "company": {"id": "acme", "stage": "Qualified"}}
            assert (await http.post("/api/widget/identify", json=body)).status_code == 200
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "acme moved live")

        screen.jump_to("acme")
        await pilot.press("L")
        await until(pilot, lambda: column_of(app, "acme") == "proposal", "acme moved by L")
        change = await last_stage_change(server.base, "acme")
        assert (change["stage"], change["source"], change["mode"]) == (
            "Proposal",
            "board",
            "exact",
        )
        await pilot.press("u")  # undo goes through the server too
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "acme moved back")
        assert (await last_stage_change(server.base, "acme"))["source"] == "board"


async def test_a_refused_write_is_a_toast_and_the_card_stays(
    server: Server, link: Connected, tmp_path: Path
) -> None:
    app = board_app(link, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        screen.jump_to("acme")
        await pilot.press("r")  # reopen an open deal: the server refuses it
        await until(pilot, lambda: app._notifications, "a toast")
        toast = next(iter(app._notifications))
        assert toast.severity == "warning", toast.message
        assert "acme" in toast.message.lower() or "open" in toast.message.lower(), toast.message
        assert column_of(app, "acme") == "lead"
        assert app.is_running


async def test_a_killed_server_loses_nothing_once_it_is_back(
    server: Server, link: Connected, tmp_path: Path
) -> None:
    seen: list[int] = []
    sub = link.services.bus.subscribe()
    app = board_app(link, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        server.kill()
        await until(pilot, lambda: "reconnecting" in link.state(), "the board sees it gone")
        status = screen.query_one("#status")
        # The status line is repainted every second.
        await until(pilot, lambda: "✖ reconnecting in" in str(status.render()), "the header")

        # Written while no server runs: the same services on the same file, another process's
        # writes as far as the board is concerned.
        settings = Settings(data_dir=server.data_dir, db=str(server.data_dir / "halcrm.db"))
        runtime = await open_runtime(settings)
        try:
            await runtime.services.companies.move("acme", "Negotiation")
            await runtime.services.companies.move("globex", "Lost")
        finally:
            await runtime.close()

        await server.start()
        await until(pilot, lambda: column_of(app, "globex") == "lost", "globex caught up")
        assert column_of(app, "acme") == "negotiation"
        assert link.state() == "connected"
    while sub.pending():
        event = sub.get_nowait()
        if event is not None and event.id:
            seen.append(event.id)
    sub.close()
    assert len(seen) == len(set(seen)), f"an event came twice: {seen}"
    assert len(seen) == 2, seen


async def test_the_board_services_over_http_answer_as_in_process(
    server: Server, link: Connected
) -> None:
    """Delete and its undo (a company's, a contact's), merge and its undo, the focus lane and
    the summary, through the account API; refusals arrive as the domain's own errors."""
    services = link.services
    async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
        body = {**W, "email": "a@acme.com", "company": {"id": "acme", "stage": "Lead"}}
        assert (await http.post("/api/widget/identify", json=body)).status_code == 200
    before = await services.companies.get("acme")
    assert before.contact_ids
    snapshot = await services.companies.capture("acme")
    await services.companies.delete("acme", source=Source.BOARD)
    assert [c.id for c in await services.board.cards(["acme", "globex"])] == ["globex"]
    restored = await services.companies.restore(snapshot, source=Source.BOARD)
    assert (restored.id, restored.stage, restored.contact_ids) == (
        "acme",
        "Lead",
        before.contact_ids,
    )
    with pytest.raises(Conflict):
        await services.companies.restore(snapshot)  # it exists again
    merged = await services.companies.merge("globex", "acme")
    assert merged.company.id == "acme"
    back = await services.companies.undo_merge(merged.undo)
    assert back.id == "globex"
    with pytest.raises(UnknownStage):
        await services.companies.move("acme", "Nope")
    with pytest.raises(NotFound):
        await services.board.company_detail("nope")
    board = await services.board.load()
    assert {c.id for c in board.cards} == {"acme", "globex"}
    summary = await services.board.summary()
    assert summary is not None
    await services.board.focus_lane(3)
    detail = await services.board.company_detail("acme")
    assert [c.email for c in detail.contacts] == ["a@acme.com"]
    # A contact's delete and its undo: back with its link and its website chat.
    async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
        chat = {**W, "body": "Is there an annual plan?"}
        assert (await http.post("/api/widget/chat/messages", json=chat)).status_code == 201
    contact = before.contact_ids[0]
    kept = await services.contacts.capture(contact)
    await services.contacts.delete(contact, source=Source.BOARD)
    assert await services.support.company_conversations("acme") == []
    again = await services.contacts.restore(kept, source=Source.BOARD)
    assert again.company_ids == ["acme"]
    talks = await services.support.company_conversations("acme")
    assert [t.last_body for t in talks] == ["Is there an annual plan?"]
    with pytest.raises(Conflict):
        await services.contacts.restore(kept)  # it exists again


async def test_the_chat_over_http_a_visitor_writes_the_board_answers(
    server: Server, link: Connected
) -> None:
    """The inbox and a reply through the account API reach the visitor as in process."""
    visitor = {**W, "visitor_id": "chat-1"}
    async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
        sent = await http.post("/api/widget/chat/messages", json={**visitor, "body": "hi there"})
        assert sent.status_code == 201, sent.text
        inbox = await link.services.support.inbox()
        assert (inbox[0].last_body, inbox[0].waiting_since is not None) == ("hi there", True)
        conversation_id = sent.json()["conversation_id"]
        await link.services.support.add_message(
            conversation_id, MessageCreate(author="agent", body="hello back"), source=Source.BOARD
        )
        history = await http.get("/api/widget/chat/messages", params=visitor)
        assert history.status_code == 200, history.text
    lines = [(m["author"], m["body"]) for m in history.json()["messages"]]
    assert lines == [("visitor", "hi there"), ("agent", "hello back")]


async def test_the_screens_open_over_the_server(
    server: Server, link: Connected, tmp_path: Path
) -> None:
    """The company screen, its contacts, a conversation and a reply, the focus lane and the
    filter, all through the account API."""
    made = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "halcrm", "api-key", "create"],
        env={"PATH": os.environ.get("PATH", ""), "HALCRM_DATA_DIR": str(server.data_dir)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    key = made.stdout.strip()
    async with httpx.AsyncClient(base_url=server.base, headers=AUTH, timeout=10) as http:
        body = {**W, "email": "a@acme.com", "company": {"id": "acme", "stage": "Lead"}}
        contact = (await http.post("/api/widget/identify", json=body)).json()["contact_id"]
        talk = await http.post(
            "/api/v1/conversations",
            headers={"X-API-Key": key},
            json={"contact_id": contact, "message": {"author": "contact", "body": "hello"}},
        )
        assert talk.status_code == 201, talk.text
    app = board_app(link, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        screen.jump_to("acme")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CompanyScreen), "the company screen")
        await pilot.press("r")  # the conversation, its reply box holding the keys
        await until(pilot, lambda: isinstance(app.screen, ConversationScreen), "the talk")
        await pilot.press("o", "k", "enter")
        async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:

            async def messages() -> list[dict[str, str]]:
                path = f"/api/v1/conversations/{talk.json()['id']}"
                answer = await http.get(path, headers={"X-API-Key": key})
                return list(answer.json()["messages"])

            deadline = time.monotonic() + LIMIT
            while len(await messages()) < 2 and time.monotonic() < deadline:
                await pilot.pause(0.05)
            last = (await messages())[-1]
        assert (last["author"], last["body"]) == ("agent", "ok")
        # The reply box keeps the keys after a send: escape leaves it, then the screen.
        await pilot.press("escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, CompanyScreen), "the company again")
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ContactsScreen), "its contacts")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CompanyScreen), "back")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "the board")
        await pilot.press("F")
        await until(pilot, lambda: isinstance(app.screen, FocusScreen), "the focus lane")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "the board again")
        await pilot.press("slash", "g", "l", "o", "enter")
        await until(pilot, lambda: screen.board.model.visible() == 1, "the filter")
        errors = [n for n in app._notifications if n.severity == "error"]
        assert not errors, [n.message for n in errors]


async def test_a_project_switch_follows_the_other_projects_events(
    server: Server, link: Connected, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=server.base, headers=AUTH, timeout=10) as http:
        assert (await http.post("/api/projects", json={"id": "p2"})).status_code == 201
    app = board_app(link, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.switch_project("p2")
        await until(pilot, lambda: app.board_screen and app.board_screen.loaded, "p2's board")
        await until(pilot, lambda: link.state() == "connected", "p2's stream")
        async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
            body: dict[str, Any] = {"app_id": "p2", "visitor_id": "v2", "email": "b@initech.com"}
            body["company"] = {"id": "initech", "stage": "Proposal"}
            assert (await http.post("/api/widget/identify", json=body)).status_code == 200
        await until(pilot, lambda: column_of(app, "initech") is not None, "p2's card live")
        assert column_of(app, "acme") is None
