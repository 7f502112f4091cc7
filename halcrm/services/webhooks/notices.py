"""Time-driven events, queued once per item by the delivery loop's periodic check.

``deal.stalled``: a company in an open stage with a stall limit and no activity for longer.
Its notice's subject is the company and the activity time it stalled after, so a company that
moves on and stalls again is told again, and one that stays stalled only once.
(``task.overdue`` is the tasks area's ``task_overdue`` event, recorded by
``services/tasks/overdue.py`` in the same periodic check, and sent through the outbox.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select

from halcrm.db.tables import companies, projects, stages, webhook_endpoints, webhook_notices
from halcrm.db.tx import Tx
from halcrm.services.tasks.queries import has_plan
from halcrm.services.webhooks import outbox
from halcrm.services.webhooks import types as hook_types

PER_CHECK = 500


class _Stage(Protocol):
    """What a stalled deal's notice says of its stage (a row of ``stages``)."""

    @property
    def pk(self) -> int: ...
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def stall_after_days(self) -> int | None: ...


class _Company(Protocol):
    """What a stalled deal's notice says of its company (a row of ``companies``)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def last_activity_at(self) -> datetime: ...


def _subscribers(tx: Tx, kind: str) -> dict[int, list[int]]:
    """Enabled endpoints wanting ``kind``, by project."""
    rows: Iterable[Any] = tx.run(
        select(
            webhook_endpoints.c.project_pk, webhook_endpoints.c.pk, webhook_endpoints.c.events
        ).where(webhook_endpoints.c.enabled.is_(True))
    )
    found: dict[int, list[int]] = {}
    for project_pk, pk, names in rows:
        if "*" in names or kind in names:
            found.setdefault(project_pk, []).append(pk)
    return found


def check_stalled(tx: Tx) -> int:
    """Queues ``deal.stalled`` for deals that stalled since the last check; answers how many."""
    queued = 0
    for project_pk, endpoints in _subscribers(tx, hook_types.DEAL_STALLED).items():
        open_stages = tx.run(
            select(stages.c.pk, stages.c.id, stages.c.name, stages.c.stall_after_days).where(
                stages.c.project_pk == project_pk,
                stages.c.kind == "open",
                stages.c.stall_after_days.is_not(None),
            )
        ).all()
        for stage in open_stages:
            assert stage.stall_after_days is not None
            limit = tx.now - timedelta(days=stage.stall_after_days)
            stalled = tx.run(
                select(companies.c.id, companies.c.name, companies.c.last_activity_at)
                .where(
                    companies.c.stage_pk == stage.pk,
                    companies.c.last_activity_at < limit,
                    # Stalled, refined (API.md): a step due today or later is a plan.
                    ~has_plan(tx.now),
                )
                .limit(PER_CHECK)
            ).all()
            for company in stalled:
                queued += _stalled(tx, project_pk, stage, company, endpoints)
    return queued


def _stalled(
    tx: Tx, project_pk: int, stage: _Stage, company: _Company, endpoints: list[int]
) -> int:
    subject = f"{company.id}@{company.last_activity_at.isoformat()}"
    seen = tx.run(
        select(webhook_notices.c.pk).where(
            webhook_notices.c.project_pk == project_pk,
            webhook_notices.c.type == hook_types.DEAL_STALLED,
            webhook_notices.c.subject == subject,
        )
    ).scalar()
    if seen is not None:
        return 0
    tx.add(
        webhook_notices,
        project_pk=project_pk,
        type=hook_types.DEAL_STALLED,
        subject=subject,
        created_at=tx.now,
    )
    project_id = tx.run(select(projects.c.id).where(projects.c.pk == project_pk)).scalar()
    data = {
        "company_id": company.id,
        "company_name": company.name,
        "project_id": project_id,
        "stage": stage.name,
        "stage_id": stage.id,
        "stall_after_days": stage.stall_after_days,
        "last_activity_at": outbox.rfc3339(company.last_activity_at),
    }
    body = outbox.payload(hook_types.DEAL_STALLED, tx.now, data)
    for endpoint_pk in endpoints:
        outbox.queue(tx, endpoint_pk, hook_types.DEAL_STALLED, body)
    return 1
