"""The board's login to a running server (``halcrm login``, ``halcrm board --connect``): the
token checked against the account API, then the board's services over it and its events
followed into a local bus."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from halcrm.domain.wire import PROJECT, PROJECT_HEADER

if TYPE_CHECKING:
    from halcrm.tui.client.http import Connection
    from halcrm.tui.client.remote import RemoteServices
    from halcrm.tui.client.stream import EventFollower


class ConnectFailed(Exception):
    """The server cannot be reached or refuses the token; the message is one line."""


@dataclass
class Connected:
    """A board's services over a running server's account API, and the stream's state."""

    services: RemoteServices
    follower: EventFollower

    @property
    def url(self) -> str:
        return self.services.connection.url

    def state(self) -> str:
        """``connected``, ``reconnecting in Ns`` or ``refused: …`` (the board's header)."""
        return self.follower.status()


async def _server_project(connection: Connection, project_id: str | None) -> str:
    """The project to show (the one asked for, else the server's own); checks the token."""
    # The HTTP client is imported here: the board on its own database never needs it, and it
    # is a tenth of a start (httpx brings its own command line along).
    import httpx

    from halcrm.tui.client.http import error_from, project_answer, unreachable_reason

    headers = {PROJECT_HEADER: project_id} if project_id else {}
    try:
        answer = await connection.http.get(PROJECT, headers=headers)
    except httpx.HTTPError as exc:
        why = unreachable_reason(exc)
        raise ConnectFailed(f"cannot reach halcrm at {connection.url}: {why}") from exc
    project = project_answer(answer.status_code, answer.content)
    if project is None:
        raise ConnectFailed(
            f"{connection.url} answers, but not as halcrm does (GET {PROJECT}: "
            f"{answer.status_code}); check the address"
        )
    if answer.status_code != 200:
        error = error_from(answer.status_code, answer.content)
        raise ConnectFailed(f"{connection.url} refused the board: {error.code}: {error.detail}")
    return project


async def check_login(url: str, token: str) -> str:
    """The server's project id when ``token`` opens its account API (``halcrm login``)."""
    from halcrm.tui.client.http import Connection

    connection = Connection(url, token)
    try:
        return await _server_project(connection, None)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def connected(
    url: str, token: str, project_id: str | None = None
) -> AsyncIterator[Connected]:
    """Services over ``url``'s account API, its events followed into a local bus.

    The token is checked first (a refusal is a ``ConnectFailed`` before any screen opens);
    the event stream is open before this yields, so a board that loads now misses nothing.
    """
    from halcrm.tui.client.http import Connection
    from halcrm.tui.client.remote import RemoteServices
    from halcrm.tui.client.stream import EventFollower

    connection = Connection(url, token)
    follower: EventFollower | None = None
    try:
        project = await _server_project(connection, project_id)
        follower = EventFollower(connection, project)
        await follower.start()
        yield Connected(RemoteServices(connection, follower, project), follower)
    finally:
        if follower is not None:
            await follower.close()
        await connection.close()
