"""``halcrm board --connect`` and next steps: the same keys over a real ``halcrm serve``
(RemoteTasks: the tasks, agenda and forecast areas): `t` writes as ``board``, the card's mark
follows the task events, the agenda completes in place, `u` reopens, `V` draws the forecast."""

from __future__ import annotations

from pathlib import Path

import httpx

from halcrm.domain.stages import Source
from halcrm.services.tasks.inputs import TaskCreate, TaskPatch
from halcrm.tui.client.login import Connected
from halcrm.tui.modals.next_step import StepDialog
from halcrm.tui.screens.agenda import AgendaScreen
from halcrm.tui.screens.forecast import ForecastScreen
from tests.tui.client.test_connect_board import (  # noqa: F401 (fixtures)
    AUTH,
    SIZE,
    Server,
    board_app,
    link,
    server,
    server_stack,
    until,
)
from tests.tui.helpers import ready


async def listed(server: Server, **params: str) -> list[str]:  # noqa: F811 (the fixture)
    """The ids ``GET /api/tasks`` answers (the board lists no tasks: its remote has no call)."""
    async with httpx.AsyncClient(base_url=server.base, headers=AUTH, timeout=10) as http:
        answer = await http.get("/api/tasks", params=params)
    assert answer.status_code == 200, answer.text
    return [task["id"] for task in answer.json()["items"]]


async def test_the_remote_rules_answer_as_in_process(
    server: Server,  # noqa: F811 (the fixture)
    link: Connected,  # noqa: F811
) -> None:
    tasks = link.services.tasks
    made = await tasks.create(TaskCreate(company_id="acme", title="Call", due="2030-01-02"))
    assert (made.status, made.state, made.source) == ("open", "upcoming", "account_api")
    assert await listed(server, company_id="acme") == [made.id]
    moved = await tasks.update(made.id, TaskPatch(due="2030-01-03"), Source.BOARD)
    assert moved.due == "2030-01-03"
    assert (await tasks.complete(made.id, Source.BOARD)).status == "done"
    assert (await tasks.reopen(made.id, Source.BOARD)).status == "open"
    kept = await tasks.get(made.id)
    await tasks.delete(made.id, Source.BOARD)
    assert await listed(server, status="all") == []
    back = await tasks.restore(kept, Source.BOARD)
    assert (back.id, back.title, back.due) == (made.id, "Call", "2030-01-03")
    day = await link.services.agenda.day()
    assert [t.id for t in day.upcoming] == []  # 2030 is not in the next 7 days
    assert day.no_next_step == []  # acme has its step; globex is won
    forecast = await link.services.forecast.months(2)
    assert len(forecast.months) == 2


async def test_t_agenda_x_u_and_v_through_the_server(
    server: Server,  # noqa: F811 (the fixture)
    link: Connected,  # noqa: F811
    tmp_path: Path,
) -> None:
    app = board_app(link, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        screen.jump_to("acme")
        card = screen.board.model.cards["acme"]
        assert (card.needs_step, card.next_step_due_at) == (True, None)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, StepDialog), "step dialog")
        await pilot.press(*"Call Jane", "tab", "ctrl+u", *"today", "enter")
        await until(
            pilot, lambda: screen.board.model.cards["acme"].next_step_due_at is not None, "mark"
        )
        async with httpx.AsyncClient(base_url=server.base, headers=AUTH, timeout=10) as http:
            [task] = (await http.get("/api/tasks")).json()["items"]
        assert (task["title"], task["source"], task["state"]) == ("Call Jane", "board", "today")
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, AgendaScreen), "agenda")
        agenda = app.screen
        assert isinstance(agenda, AgendaScreen)
        await until(pilot, lambda: agenda.day is not None and len(agenda.day.today) == 1, "day")
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, StepDialog), "asked for the next")
        await pilot.press("escape")
        await until(pilot, lambda: agenda.day is not None and not agenda.day.today, "done")
        await pilot.press("u")
        await until(pilot, lambda: agenda.day is not None and len(agenda.day.today) == 1, "back")
        await pilot.press("escape", "V")
        await until(pilot, lambda: isinstance(app.screen, ForecastScreen), "forecast")
