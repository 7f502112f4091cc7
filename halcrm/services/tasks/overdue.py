"""A next step falling due: the ``task_overdue`` event, recorded once per step by whichever
process's periodic check sees it first (the webhooks' delivery loop runs it in every server
and board process).

One event feeds everything that reacts to it: the activity log and ``/api/events``, the
board's terminal notification ("due"), and the ``task.overdue`` webhook through the outbox.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, exists, select

from halcrm.db.tables import companies, projects, tasks, webhook_notices
from halcrm.db.tx import CompanyRef, ProjectRef, Tx
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
    rows = tx.run(
        select(
            tasks.c.id,
            tasks.c.title,
            tasks.c.due,
            tasks.c.kind,
            companies.c.id.label("company_id"),
            companies.c.name.label("company_name"),
            projects.c.pk.label("project_pk"),
            projects.c.id.label("project_id"),
        )
        .join(companies, companies.c.pk == tasks.c.company_pk)
        .join(projects, projects.c.pk == tasks.c.project_pk)
        .where(
            tasks.c.status == "open",
            tasks.c.due_at <= tx.now,
            tasks.c.due_at > tx.now - ANNOUNCE_WITHIN,
            ~exists().where(
                and_(
                    webhook_notices.c.project_pk == tasks.c.project_pk,
                    webhook_notices.c.type == NOTICE,
                    webhook_notices.c.subject == tasks.c.id + "@" + tasks.c.due,
                )
            ),
        )
        .order_by(tasks.c.due_at)
        .limit(PER_CHECK)
    ).all()
    count = 0
    for row in rows:
        # Inserted at once: a step another process announced meanwhile fails here, on the
        # notice's unique key.
        tx.add(
            webhook_notices,
            project_pk=row.project_pk,
            type=NOTICE,
            subject=f"{row.id}@{row.due}",
            created_at=tx.now,
        )
        data = {"title": row.title, "due": row.due, "kind": row.kind}
        tx.record(
            ProjectRef(row.project_pk, row.project_id),
            EventKind.TASK_OVERDUE,
            SOURCE,
            f"Next step overdue: {row.title} ({row.company_name})",
            CompanyRef(row.company_id, row.company_name),
            data,
            task_id=row.id,
        )
        count += 1
    return count
