"""``RemoteArea``: the base of the ``--connect`` board's areas, one server's account API for one
project. Each area mirrors the container's area of the same name (``services.companies`` is
``Companies`` in process, ``RemoteCompanies`` here) with only the methods the board calls."""

from __future__ import annotations

from typing import Any, TypeVar

from halcrm.domain.stages import Source
from halcrm.tui.client.http import Connection

T = TypeVar("T")


def query(**values: Any) -> dict[str, Any]:
    """The query parameters given (None means not sent)."""
    return {k: v for k, v in values.items() if v is not None}


class RemoteArea:
    """Calls of one area for one project; refusals arrive as the domain's own errors."""

    def __init__(self, connection: Connection, project_id: str) -> None:
        self.connection = connection
        self.project_id = project_id

    async def _get(self, path: str, answer: type[T], **params: Any) -> T:
        return await self.connection.call(
            "GET", path, answer, project_id=self.project_id, params=query(**params)
        )

    async def _write(
        self,
        method: str,
        path: str,
        answer: type[T],
        body: Any = None,
        source: Source | None = None,
    ) -> T:
        """A write; ``source`` (sent as ``X-Halcrm-Source``) audits it as the board's."""
        return await self.connection.call(
            method, path, answer, project_id=self.project_id, body=body, source=source
        )
