"""``Area``: the base of every area of the services, and the two decorators that run its rules.

An area (``Companies``, ``Tasks``, ``Webhooks``…) is a class bound to one database and one
project whose methods *are* the rules. A rule is written as a plain method that takes the
transaction after ``self``::

    class Companies(Area):
        @writes
        def move(self, tx: Tx, company_id: str, stage: str | None) -> StageResult: ...

and ``@writes`` / ``@reads`` turn it into an awaitable with the same parameters minus ``tx``
(``await services.companies.move("co_1", "Won")``): the hand-off to the database threads is
written here once, so no rule wraps its body in a function of its own for the database, and
no forwarder stands between a caller and a rule. A body that also runs inside another call's
transaction (an import applying many rows in one, a merge, a restore) is a module function
taking ``tx`` (``merge_in(tx, project, …)``) that the rule calls.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from halcrm.db.tx import Tx

if TYPE_CHECKING:
    from halcrm.db.models import Project
    from halcrm.db.writer import Database

P = ParamSpec("P")
R = TypeVar("R")
A = TypeVar("A", bound="Area")

Rule = Callable[Concatenate[A, Tx, P], R]
Call = Callable[Concatenate[A, P], Awaitable[R]]


class Area:
    """Rules of one kind (companies, tasks…) for one project of one database."""

    def __init__(self, db: Database, project_id: str) -> None:
        self.db = db
        self.project_id = project_id

    def project(self, tx: Tx) -> Project:
        """This area's project through the transaction's session, or ``unknown_project``."""
        return tx.project(self.project_id)


def writes(rule: Rule[A, P, R]) -> Call[A, P, R]:
    """Runs the rule in a write transaction; the awaitable answers once it is committed."""

    @functools.wraps(rule)
    async def call(self: A, *args: P.args, **kwargs: P.kwargs) -> R:
        return await self.db.write(lambda tx: rule(self, tx, *args, **kwargs))

    return call


def reads(rule: Rule[A, P, R]) -> Call[A, P, R]:
    """Runs the rule in a read-only transaction (one consistent snapshot) on a reader thread."""

    @functools.wraps(rule)
    async def call(self: A, *args: P.args, **kwargs: P.kwargs) -> R:
        return await self.db.read(lambda tx: rule(self, tx, *args, **kwargs))

    return call
