"""``GET /api/export/{what}`` (account token): stages, companies, contacts or activity, streamed."""

from dataclasses import dataclass
from typing import Literal

from litestar import get
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.response import Stream

from halcrm.services.container import Services
from halcrm.services.crm.transfer.kinds import KINDS, MEDIA_TYPES


@dataclass
class _ExportOperation(Operation):
    """Documents the two bodies the route streams (Litestar would document one, as JSON)."""

    def __post_init__(self) -> None:
        rows = Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT))
        self.responses = {
            **(self.responses or {}),
            "200": OpenAPIResponse(
                description="the records, oldest first: CSV with a header row, or a JSON array",
                content={
                    "text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
                    "application/json": OpenAPIMediaType(schema=rows),
                },
            ),
        }


@get(
    "/api/export/{what:str}",
    tags=["export"],
    operation_class=_ExportOperation,
    description=f"``what`` is one of {', '.join(KINDS)}; the CSV columns are those "
    "``halcrm import`` reads back. Streamed page by page at constant memory.",
)
async def export(services: Services, what: str, format: Literal["csv", "json"] = "csv") -> Stream:
    """Exports the project's stages, companies, contacts or activity as CSV or JSON."""
    chunks = services.transfer.export(
        what, format
    )  # refuses an unknown kind before any byte is sent
    filename = f"halcrm-{what}.{format}"
    return Stream(
        chunks,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
