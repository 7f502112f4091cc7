"""A next step falling due: the ``task_overdue`` event, recorded once per step by whichever
process's periodic check sees it first (the webhooks' delivery loop runs it in every server
and board process).

One event feeds everything that reacts to it: the activity log and ``/api/events``, the
board's terminal notification ("due"), and the ``task.overdue`` webhook through the outbox.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, exists, select

from halcrm.db.models import Company, Project, Task, WebhookNotice
from halcrm.db.tx import Tx
from halcrm.domain.events import EventKind

PER_CHECK = 200
# A step that fell due longer ago than this when first seen (a process down for a week, an
# import of old steps) is overdue on the board, but not announced: a flood says nothing.
ANNOUNCE_WITHIN = timedelta(days=1)
NOTICE = "task.overdue"
SOURCE = "schedule"


def record_overdue(tx: Tx) -> int:
    """Records ``task_overdue`` for each open step that fell due since it was last looked
    at; answers how many. The notice row (unique per step and due time) makes it once, across
    processes too: a step rescheduled and missed again is announced again."""
    rows = tx.session.execute(
        select(Task, Company, Project)
        .join(Company, Company.pk == Task.company_pk)
        .join(Project, Project.pk == Task.project_pk)
        .where(
            Task.status == "open",
            Task.due_at <= tx.now,
            Task.due_at > tx.now - ANNOUNCE_WITHIN,
            ~exists().where(
                and_(
                    WebhookNotice.project_pk == Task.project_pk,
                    WebhookNotice.type == NOTICE,
                    WebhookNotice.subject == Task.id + "@" + Task.due,
                )
            ),
        )
        .order_by(Task.due_at)
        .limit(PER_CHECK)
    )
    count = 0
    for task, company, project in rows:
        tx.session.add(
            WebhookNotice(
                project_pk=project.pk,
                type=NOTICE,
                subject=f"{task.id}@{task.due}",
                created_at=tx.now,
            )
        )
        data = {"title": task.title, "due": task.due, "kind": task.kind}
        tx.record(
            project,
            EventKind.TASK_OVERDUE,
            SOURCE,
            f"Next step overdue: {task.title} ({company.name})",
            company,
            data,
            task_id=task.id,
        )
        count += 1
    tx.session.flush()
    return count
