"""The board's cards: a light row for every company (the board may hold 50k of them), and a
company's next steps for its screen; ``Board`` (``area.py``) reads them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, exists, func, select

from halcrm.db.models import Company, Contact, ContactCompany, Conversation, Project, Task
from halcrm.db.tx import Tx
from halcrm.domain.due import due_state, zone
from halcrm.domain.search import fold
from halcrm.domain.stages import StageInfo, StageKind, stall_days
from halcrm.services.board.records import Card
from halcrm.services.tasks.queries import task_records, task_select
from halcrm.services.tasks.records import TaskRecord


def cards_of(tx: Tx, project: Project, company_ids: Sequence[str] | None) -> list[Card]:
    """The cards of ``company_ids`` (None: every company), in creation order."""
    rows = tx.stage_rows(project)
    infos = {row.pk: info for row, info in zip(rows, tx.stages(project), strict=True)}
    result = tx.session.execute(_card_rows(project, company_ids, tx.now)).all()
    people = _people(tx, project, [row[-1] for row in result] if company_ids is not None else None)
    tz = zone(project.time_zone)
    return [_card(row, infos, people, tx.now, tz) for row in result]


def _card_rows(
    project: Project, company_ids: Sequence[str] | None, now: datetime
) -> Select[*tuple[Any, ...]]:
    """One row a company (of ``company_ids``, or all): its card's columns, its contact and open
    conversation counts, and what the filter looks in; its pk last."""
    contacts, talks, joins = _counts(project, whole=company_ids is None)
    # Per company, two seeks in the (company, status, due) index: half the time of grouping
    # every open step of the project, and no date read back for "is one still ahead".
    open_steps = (Task.company_pk == Company.pk, Task.status == "open")
    first = select(func.min(Task.due_at)).where(*open_steps).scalar_subquery()
    planned = exists().where(*open_steps, Task.due_at > now)
    stmt = select(
        Company.id,
        Company.name,
        Company.stage_pk,
        Company.deal_value_cents,
        contacts,
        Company.is_placeholder,
        Company.last_stage_source,
        Company.last_stage_at,
        Company.last_activity_at,
        Company.created_at,
        talks,
        Company.domain,
        Company.industry,
        first,
        planned,
        Company.pk,
    )
    for counted in joins:
        stmt = stmt.outerjoin(counted, counted.c.company_pk == Company.pk)
    stmt = stmt.where(Company.project_pk == project.pk).order_by(Company.pk)
    if company_ids is not None:
        stmt = stmt.where(Company.id.in_(list(company_ids)))
    return stmt


def _counts(project: Project, *, whole: bool) -> tuple[Any, Any, list[Any]]:
    """The contact and open-conversation count columns, and the subqueries to join for them.

    The whole board groups every link once. A few cards (a signal, an edit) count theirs by
    seeks in the links' company index instead: grouped, each would count every link of the
    database (29 ms for one card at 100k links)."""
    mine = (ContactCompany.company_pk == Company.pk,) if not whole else ()
    contacts = select(func.count().label("n")).select_from(ContactCompany).where(*mine)
    talks = (
        select(func.count(Conversation.pk).label("n"))
        .select_from(ContactCompany)
        .join(Conversation, Conversation.contact_pk == ContactCompany.contact_pk)
        .where(*mine, Conversation.status == "open", Conversation.project_pk == project.pk)
    )
    if not whole:
        return contacts.scalar_subquery(), talks.scalar_subquery(), []
    grouped = [
        query.add_columns(ContactCompany.company_pk).group_by(ContactCompany.company_pk).subquery()
        for query in (contacts, talks)
    ]
    return func.coalesce(grouped[0].c.n, 0), func.coalesce(grouped[1].c.n, 0), grouped


def _card(
    row: Sequence[Any],
    infos: dict[int, StageInfo],
    people: dict[int, str],
    now: datetime,
    tz: ZoneInfo,
) -> Card:
    """The card of one ``_card_rows`` row; ``people`` as ``_people`` answers it."""
    cid, name, stage_pk, cents, n, placeholder, moved_by, moved_at, active, created, talk = row[:11]
    domain, industry, first_due, planned, pk = row[11:]
    info: StageInfo | None = infos.get(stage_pk) if stage_pk else None
    return Card(
        id=cid,
        name=name,
        stage_id=info.id if info else None,
        deal_value_cents=cents,
        contacts=n,
        is_placeholder=placeholder,
        stalled_days=stall_days(info, active, now, bool(planned)),
        last_moved_by=moved_by,
        last_moved_at=moved_at,
        last_activity_at=active,
        created_at=created,
        open_conversations=talk,
        # The member itself: a StrEnum is its value (``.value`` is a descriptor, 10k times).
        next_step_state=due_state(first_due, now, tz) if first_due else "none",
        next_step_due_at=first_due,
        needs_step=info is not None and info.kind == StageKind.OPEN,
        search=fold(" ".join(t for t in (cid, name, domain, industry, people[pk]) if t)),
    )


def _people(tx: Tx, project: Project, company_pks: list[int] | None) -> dict[int, str]:
    """Company pk -> its contacts' names and emails, space-separated (for the filter)."""
    found: defaultdict[int, list[str]] = defaultdict(list)
    for company_pk, name, email in tx.session.execute(_people_rows(project, company_pks)):
        found[company_pk].extend(t for t in (name, email) if t)
    return defaultdict(str, {pk: " ".join(words) for pk, words in found.items()})


def _people_rows(
    project: Project, company_pks: list[int] | None
) -> Select[int, str | None, str | None]:
    """In contact id order, so a card read alone has the filter text the whole board gave it
    (on SQLite the order of the (project, id) index the whole board reads by: no sort)."""
    stmt = select(ContactCompany.company_pk, Contact.name, Contact.email)
    stmt = stmt.join(Contact, Contact.pk == ContactCompany.contact_pk).order_by(Contact.id)
    if company_pks is None:
        return stmt.where(Contact.project_pk == project.pk)
    # These companies are the project's already. A project filter here led SQLite (it keeps no
    # statistics) to walk every contact of the project instead of these companies' links:
    # 25 ms instead of 4 for three cards at 20k contacts.
    return stmt.where(ContactCompany.company_pk.in_(company_pks))


def company_tasks(tx: Tx, project: Project, company_pk: int) -> list[TaskRecord]:
    """Open steps by due time, then the 10 done most recently."""
    tz = zone(project.time_zone)
    mine = task_select().where(Task.company_pk == company_pk)
    open_ = task_records(tx, mine.where(Task.status == "open").order_by(Task.due_at, Task.pk), tz)
    done = mine.where(Task.status == "done").order_by(Task.done_at.desc(), Task.pk.desc())
    return open_ + task_records(tx, done.limit(10), tz)
