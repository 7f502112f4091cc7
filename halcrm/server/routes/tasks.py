"""Next steps (account token): ``/api/tasks``, ``/api/agenda`` — thin over the tasks area."""

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter

from halcrm.domain.stages import Source
from halcrm.domain.wire import AGENDA, TASKS
from halcrm.server.params import Limit
from halcrm.services.container import Services
from halcrm.services.crm.records import Deleted
from halcrm.services.page import Page
from halcrm.services.tasks.inputs import TaskCreate, TaskPatch
from halcrm.services.tasks.records import AGENDA_LIMIT, MAX_AGENDA_LIMIT, AgendaDay, TaskRecord

Status = Annotated[str, Parameter(description="open (default), done or all")]
Day = Annotated[str | None, Parameter(description="a date, YYYY-MM-DD, in the project's zone")]
SectionLimit = Annotated[int, Parameter(ge=1, le=MAX_AGENDA_LIMIT, description="per list")]


class TaskController(Controller):
    path = TASKS
    tags = ["tasks"]

    @get("/")
    async def index(
        self,
        services: Services,
        company_id: str | None = None,
        status: Status = "open",
        due_before: Day = None,
        due_after: Day = None,
        limit: Limit = None,
        cursor: str | None = None,
    ) -> Page[TaskRecord]:
        """Next steps by due time, then creation; ``due_before``/``due_after`` inclusive."""
        return await services.tasks.list_tasks(
            company_id=company_id,
            status=status,
            due_before=due_before,
            due_after=due_after,
            limit=limit,
            cursor=cursor,
        )

    @post("/", status_code=201)
    async def create(
        self, data: TaskCreate, services: Services, audit_source: Source
    ) -> TaskRecord:
        """A next step on a company: ``due`` a date (end of that day, project zone) or an
        RFC 3339 date-time."""
        return await services.tasks.create(data, audit_source)

    @post("/restores", status_code=201)
    async def restore(
        self, data: TaskRecord, services: Services, audit_source: Source
    ) -> TaskRecord:
        """Puts a deleted task back as its record read before the delete (the board's undo)."""
        return await services.tasks.restore(data, audit_source)

    @get("/{task_id:str}")
    async def show(self, task_id: str, services: Services) -> TaskRecord:
        return await services.tasks.get(task_id)

    @patch("/{task_id:str}", status_code=200)
    async def edit(
        self, task_id: str, data: TaskPatch, services: Services, audit_source: Source
    ) -> TaskRecord:
        """Edits fields; ``status`` ``done`` completes it, ``open`` reopens it."""
        return await services.tasks.update(task_id, data, audit_source)

    @delete("/{task_id:str}", status_code=200)
    async def remove(self, task_id: str, services: Services, audit_source: Source) -> Deleted:
        return await services.tasks.delete(task_id, audit_source)


@get(AGENDA, tags=["tasks"])
async def agenda(services: Services, limit: SectionLimit = AGENDA_LIMIT) -> AgendaDay:
    """Overdue, today, the next 7 days (project zone), and open deals with no next step."""
    return await services.agenda.day(limit)
