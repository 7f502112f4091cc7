"""The database's projects (account token): list them, create one, see its visitors.

Every account route works on the server's project unless the request names another with the
``X-Project-Id`` header; public API keys belong to one project and address it themselves.
"""

import msgspec
from litestar import Controller, get, post

from halcrm.domain.wire import PROJECTS
from halcrm.server.params import Limit
from halcrm.services.container import Services
from halcrm.services.crm.records import ProjectRecord, VisitorRecord
from halcrm.services.fields import Name, RecordId
from halcrm.services.page import Page


class ProjectCreate(msgspec.Struct, kw_only=True):
    id: RecordId
    name: Name | None = None


class ProjectsController(Controller):
    path = PROJECTS
    tags = ["project"]

    @get("/")
    async def index(self, services: Services) -> Page[ProjectRecord]:
        """Every project of the database (address one with the ``X-Project-Id`` header)."""
        return await services.projects.all()

    @post("/", status_code=201)
    async def create(self, data: ProjectCreate, services: Services) -> ProjectRecord:
        """A new project with the default pipeline; its widget calls name it as ``app_id``."""
        return await services.projects.create(data.id, data.name)


@get("/api/visitors", tags=["visitors"])
async def visitors(
    services: Services,
    contact_id: str | None = None,
    company_id: str | None = None,
    limit: Limit = None,
    cursor: str | None = None,
) -> Page[VisitorRecord]:
    """The website's visitors, last seen first: their contact and active company."""
    return await services.visitors.all(
        contact_id=contact_id, company_id=company_id, limit=limit, cursor=cursor
    )
