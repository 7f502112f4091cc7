"""``RemoteTasks`` (``halcrm board --connect``): the tasks, agenda and forecast areas over the
account API answer as in process, refusals included (a real uvicorn server)."""

from __future__ import annotations

import pytest

from halcrm.domain.errors import ContactNotLinked, DomainError, NotFound, UnknownCompany
from halcrm.domain.stages import Source
from halcrm.runtime import Runtime
from halcrm.server.app import ServerConfig
from halcrm.services.crm.inputs import CompanyCreate, ContactCreate
from halcrm.services.tasks.inputs import TaskCreate, TaskPatch
from halcrm.services.tasks.records import TaskRecord
from halcrm.tui.client.login import connected
from tests.conftest import TOKEN
from tests.server.live import live_server


async def test_remote_tasks_answer_as_in_process(runtime: Runtime) -> None:
    local = runtime.services
    await local.companies.create(CompanyCreate(id="acme", name="Acme", stage="Proposal"))
    async with (
        live_server(runtime, ServerConfig(account_token=TOKEN)) as live,
        connected(live.base_url, TOKEN) as link,
    ):
        remote = link.services
        made = await remote.tasks.create(
            TaskCreate(company_id="acme", title="Call", due="2026-12-01"), Source.BOARD
        )
        assert isinstance(made, TaskRecord)
        assert made == await local.tasks.get(made.id)
        assert made.source == "board"
        moved = await remote.tasks.update(made.id, TaskPatch(due="2026-12-02"), Source.BOARD)
        assert moved.due == "2026-12-02"
        done = await remote.tasks.complete(made.id, Source.BOARD)
        assert done.status == "done"
        assert (await remote.tasks.reopen(made.id, Source.BOARD)).status == "open"
        page = await local.tasks.list_tasks(company_id="acme")  # the board lists none
        assert [t.id for t in page.items] == [made.id]
        assert (await remote.agenda.day()).upcoming or (await remote.agenda.day()).today
        forecast = await remote.forecast.months(2)
        assert len(forecast.months) == 2
        assert await remote.tasks.delete(made.id, Source.BOARD)
        with pytest.raises(NotFound):
            await remote.tasks.get(made.id)
        back = await remote.tasks.restore(moved, Source.BOARD)
        assert back.id == made.id
        # Refusals arrive as the domain's own errors.
        with pytest.raises(UnknownCompany):
            await remote.tasks.create(TaskCreate(company_id="nope", title="x", due="2026-12-01"))
        with pytest.raises(DomainError) as refused:
            await remote.tasks.update(made.id, TaskPatch(due="someday"))
        assert refused.value.code == "invalid_request"
        contact = await local.contacts.create(ContactCreate(email="x@y.com"))
        with pytest.raises(ContactNotLinked):
            await remote.tasks.update(made.id, TaskPatch(contact_id=contact.id))
