"""``Services``: the areas of the CRM's rules, bound to one database and one project.

The routes, the board, the CLI and the benches reach every rule as ``services.<area>.<rule>``
(``services.companies.move(…)``, ``services.board.cards(…)``, ``services.widget.identify(…)``);
``RemoteServices`` (``tui/client/remote.py``) mirrors the same areas over HTTP. Each area is a
class written beside its rules (``services/area.py`` says how a rule is written).
"""

from __future__ import annotations

from functools import cached_property

from halcrm.bus import EventBus
from halcrm.db.writer import Database
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
        return Projects(self.db, self.project_id)

    @cached_property
    def stages(self) -> Stages:
        return Stages(self.db, self.project_id)

    @cached_property
    def companies(self) -> Companies:
        return Companies(self.db, self.project_id)

    @cached_property
    def contacts(self) -> Contacts:
        return Contacts(self.db, self.project_id)

    @cached_property
    def api_keys(self) -> ApiKeys:
        return ApiKeys(self.db, self.project_id)

    @cached_property
    def visitors(self) -> Visitors:
        return Visitors(self.db, self.project_id)

    @cached_property
    def activity(self) -> Activity:
        return Activity(self.db, self.project_id)

    @cached_property
    def board(self) -> Board:
        return Board(self.db, self.project_id)

    @cached_property
    def support(self) -> Support:
        return Support(self.db, self.project_id)

    @cached_property
    def widget(self) -> Widget:
        return Widget(self.db, self.project_id)

    @cached_property
    def transfer(self) -> Transfer:
        return Transfer(self.db, self.project_id)

    @cached_property
    def secret(self) -> SecretRotation:
        return SecretRotation(self.db, self.project_id)

    @cached_property
    def tasks(self) -> Tasks:
        return Tasks(self.db, self.project_id)

    @cached_property
    def agenda(self) -> Agenda:
        return Agenda(self.db, self.project_id)

    @cached_property
    def forecast(self) -> Forecast:
        return Forecast(self.db, self.project_id)

    @cached_property
    def webhooks(self) -> Webhooks:
        return Webhooks(self.db, self.project_id)
