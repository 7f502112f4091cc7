"""``RemoteServices``: the board's areas through a running halcrm's account API.

It mirrors ``Services`` (``services/container.py``) area by area, each ``Remote*`` area holding
only the methods the board calls, with the same signatures: ``services.companies.move(…)`` is
one request either way, the answers are the services' own records and the refusals their own
errors, so the screens cannot tell them apart (mypy checks every board call against both).
Live events come from ``/api/events`` into ``bus`` (``tui/client/stream.py``).
"""

from __future__ import annotations

from functools import cached_property

from halcrm.bus import EventBus
from halcrm.tui.client.board import RemoteBoard, RemoteSupport
from halcrm.tui.client.crm import (
    RemoteActivity,
    RemoteCompanies,
    RemoteContacts,
    RemoteProjects,
    RemoteStages,
)
from halcrm.tui.client.http import Connection
from halcrm.tui.client.stream import EventFollower
from halcrm.tui.client.tasks import RemoteAgenda, RemoteForecast, RemoteTasks, RemoteWebhooks


class RemoteServices:
    """The areas the board calls, over one server's account API, for one project."""

    def __init__(self, connection: Connection, follower: EventFollower, project_id: str) -> None:
        self.connection = connection
        self.follower = follower
        self.project_id = project_id

    @property
    def bus(self) -> EventBus:
        return self.follower.bus

    def for_project(self, project_id: str) -> RemoteServices:
        """Another project of the server's database; the event stream follows it."""
        if project_id == self.project_id:
            return self
        self.follower.follow(project_id)
        return RemoteServices(self.connection, self.follower, project_id)

    @cached_property
    def projects(self) -> RemoteProjects:
        return RemoteProjects(self.connection, self.project_id)

    @cached_property
    def stages(self) -> RemoteStages:
        return RemoteStages(self.connection, self.project_id)

    @cached_property
    def companies(self) -> RemoteCompanies:
        return RemoteCompanies(self.connection, self.project_id)

    @cached_property
    def contacts(self) -> RemoteContacts:
        return RemoteContacts(self.connection, self.project_id)

    @cached_property
    def activity(self) -> RemoteActivity:
        return RemoteActivity(self.connection, self.project_id)

    @cached_property
    def board(self) -> RemoteBoard:
        return RemoteBoard(self.connection, self.follower, self.project_id)

    @cached_property
    def support(self) -> RemoteSupport:
        return RemoteSupport(self.connection, self.project_id)

    @cached_property
    def tasks(self) -> RemoteTasks:
        return RemoteTasks(self.connection, self.project_id)

    @cached_property
    def agenda(self) -> RemoteAgenda:
        return RemoteAgenda(self.connection, self.project_id)

    @cached_property
    def forecast(self) -> RemoteForecast:
        return RemoteForecast(self.connection, self.project_id)

    @cached_property
    def webhooks(self) -> RemoteWebhooks:
        return RemoteWebhooks(self.connection, self.project_id)
