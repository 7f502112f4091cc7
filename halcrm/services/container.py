"""``Services``: the areas of the CRM's rules, bound to one database and one project.

The routes, the board, the CLI and the benches reach every rule as ``services.<area>.<rule>``
(``services.companies.move(…)``, ``services.board.cards(…)``, ``services.widget.identify(…)``);
``RemoteServices`` (``tui/client/remote.py``) mirrors the same areas over HTTP. Each area is a
class written beside its rules (``services/area.py`` says how a rule is written).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from halcrm.bus import EventBus
from halcrm.db.writer import Database

if TYPE_CHECKING:
    # Each area's module is loaded when the area is first used: a CLI command (import,
    # export, api-key) loads the few it calls, not the board's or the widget's.
    from halcrm.services.board.area import Board
    from halcrm.services.board.forecast import Forecast
    from halcrm.services.crm.activity import Activity
    from halcrm.services.crm.api_keys import ApiKeys
    from halcrm.services.crm.companies import Companies
    from halcrm.services.crm.contacts import Contacts
    from halcrm.services.crm.projects import Projects
    from halcrm.services.crm.secret import SecretRotation
    from halcrm.services.crm.stages import Stages
    from halcrm.services.crm.transfer.area import Transfer
    from halcrm.services.crm.visitors import Visitors
    from halcrm.services.support.area import Support
    from halcrm.services.tasks.agenda import Agenda
    from halcrm.services.tasks.area import Tasks
    from halcrm.services.webhooks.area import Webhooks
    from halcrm.services.widget.area import Widget


class Services:
    """Every area of the CRM's rules for one project of one database."""

    def __init__(self, db: Database, project_id: str) -> None:
        self.db = db
        self.project_id = project_id

    @property
    def bus(self) -> EventBus:
        return self.db.bus

    def for_project(self, project_id: str) -> Services:
        """The same areas on another project of the database (same threads, same bus)."""
        return self if project_id == self.project_id else Services(self.db, project_id)

    @cached_property
    def projects(self) -> Projects:
        from halcrm.services.crm.projects import Projects

        return Projects(self.db, self.project_id)

    @cached_property
    def stages(self) -> Stages:
        from halcrm.services.crm.stages import Stages

        return Stages(self.db, self.project_id)

    @cached_property
    def companies(self) -> Companies:
        from halcrm.services.crm.companies import Companies

        return Companies(self.db, self.project_id)

    @cached_property
    def contacts(self) -> Contacts:
        from halcrm.services.crm.contacts import Contacts

        return Contacts(self.db, self.project_id)

    @cached_property
    def api_keys(self) -> ApiKeys:
        from halcrm.services.crm.api_keys import ApiKeys

        return ApiKeys(self.db, self.project_id)

    @cached_property
    def visitors(self) -> Visitors:
        from halcrm.services.crm.visitors import Visitors

        return Visitors(self.db, self.project_id)

    @cached_property
    def activity(self) -> Activity:
        from halcrm.services.crm.activity import Activity

        return Activity(self.db, self.project_id)

    @cached_property
    def board(self) -> Board:
        from halcrm.services.board.area import Board

        return Board(self.db, self.project_id)

    @cached_property
    def support(self) -> Support:
        from halcrm.services.support.area import Support

        return Support(self.db, self.project_id)

    @cached_property
    def widget(self) -> Widget:
        from halcrm.services.widget.area import Widget

        return Widget(self.db, self.project_id)

    @cached_property
    def transfer(self) -> Transfer:
        from halcrm.services.crm.transfer.area import Transfer

        return Transfer(self.db, self.project_id)

    @cached_property
    def secret(self) -> SecretRotation:
        from halcrm.services.crm.secret import SecretRotation

        return SecretRotation(self.db, self.project_id)

    @cached_property
    def tasks(self) -> Tasks:
        from halcrm.services.tasks.area import Tasks

        return Tasks(self.db, self.project_id)

    @cached_property
    def agenda(self) -> Agenda:
        from halcrm.services.tasks.agenda import Agenda

        return Agenda(self.db, self.project_id)

    @cached_property
    def forecast(self) -> Forecast:
        from halcrm.services.board.forecast import Forecast

        return Forecast(self.db, self.project_id)

    @cached_property
    def webhooks(self) -> Webhooks:
        from halcrm.services.webhooks.area import Webhooks

        return Webhooks(self.db, self.project_id)
