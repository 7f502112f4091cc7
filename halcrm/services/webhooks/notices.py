"""Time-driven events, queued once per item by the delivery loop's periodic check.

``deal.stalled``: a company in an open stage with a stall limit and no activity for longer.
Its notice's subject is the company and the activity time it stalled after, so a company that
moves on and stalls again is told again, and one that stays stalled only once.
(``task.overdue`` is the tasks area's ``task_overdue`` event, recorded by
``services/tasks/overdue.py`` in the same periodic check, and sent through the outbox.)
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from halcrm.db.models import Company, Project, Stage, WebhookEndpoint, WebhookNotice
from halcrm.db.tx import Tx
from halcrm.services.tasks.queries import has_plan
from halcrm.services.webhooks import outbox
from halcrm.services.webhooks import types as hook_types

PER_CHECK = 500


def _subscribers(tx: Tx, kind: str) -> dict[int, list[int]]:
    """Enabled endpoints wanting ``kind``, by project."""
    rows = tx.session.execute(
        select(WebhookEndpoint.project_pk, WebhookEndpoint.pk, WebhookEndpoint.events).where(
            WebhookEndpoint.enabled.is_(True)
        )
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
        stages = tx.session.scalars(
            select(Stage).where(
                Stage.project_pk == project_pk,
                Stage.kind == "open",
                Stage.stall_after_days.is_not(None),
            )
        )
        for stage in stages:
            assert stage.stall_after_days is not None
            limit = tx.now - timedelta(days=stage.stall_after_days)
            companies = tx.session.scalars(
                select(Company)
                .where(
                    Company.stage_pk == stage.pk,
                    Company.last_activity_at < limit,
                    # Stalled, refined (API.md): a step due today or later is a plan.
                    ~has_plan(tx.now),
                )
                .limit(PER_CHECK)
            )
            for company in companies:
                queued += _stalled(tx, project_pk, stage, company, endpoints)
    return queued


def _stalled(tx: Tx, project_pk: int, stage: Stage, company: Company, endpoints: list[int]) -> int:
    subject = f"{company.id}@{company.last_activity_at.isoformat()}"
    seen = tx.session.scalar(
        select(WebhookNotice.pk).where(
            WebhookNotice.project_pk == project_pk,
            WebhookNotice.type == hook_types.DEAL_STALLED,
            WebhookNotice.subject == subject,
        )
    )
    if seen is not None:
        return 0
    tx.session.add(
        WebhookNotice(
            project_pk=project_pk, type=hook_types.DEAL_STALLED, subject=subject, created_at=tx.now
        )
    )
    project_id = tx.session.scalar(select(Project.id).where(Project.pk == project_pk))
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
