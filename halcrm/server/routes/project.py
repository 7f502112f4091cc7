"""The project's settings and its stages (account token)."""

from litestar import Controller, delete, get, patch, post

from halcrm.domain.stages import Source
from halcrm.domain.wire import PROJECT, STAGES
from halcrm.services.container import Services
from halcrm.services.crm.inputs import ProjectPatch, StageCreate, StagePatch
from halcrm.services.crm.records import Deleted, ProjectRecord, SecretRotated, StageRecord
from halcrm.services.page import Page


class ProjectController(Controller):
    path = PROJECT
    tags = ["project"]

    @get("/")
    async def show(self, services: Services) -> ProjectRecord:
        """The project's settings, with the identity-verification secret."""
        return await services.projects.get()

    @patch("/", status_code=200)
    async def edit(self, data: ProjectPatch, services: Services) -> ProjectRecord:
        """Changes the name, the widget's stage mode or identity verification."""
        return await services.projects.update(data)

    @post("/secret", status_code=200)
    async def rotate_secret(self, services: Services) -> SecretRotated:
        """Makes a new identity-verification secret; hashes made with the previous one keep
        verifying for 24 hours."""
        return await services.secret.rotate()


class StageController(Controller):
    path = STAGES
    tags = ["stages"]

    @get("/")
    async def index(self, services: Services) -> Page[StageRecord]:
        """The pipeline's stages in order."""
        return await services.stages.all()

    @post("/", status_code=201)
    async def create(self, data: StageCreate, services: Services) -> StageRecord:
        """Adds a stage (at ``position``, else last)."""
        return await services.stages.create(data)

    @patch("/{stage_id:str}", status_code=200)
    async def edit(
        self, stage_id: str, data: StagePatch, services: Services, audit_source: Source
    ) -> StageRecord:
        """Renames, reorders or retunes a stage."""
        return await services.stages.update(stage_id, data, audit_source)

    @delete("/{stage_id:str}", status_code=200)
    async def remove(self, stage_id: str, services: Services) -> Deleted:
        """Deletes a stage that holds no company (else 409 ``stage_not_empty``)."""
        return await services.stages.delete(stage_id)
