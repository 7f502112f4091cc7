"""A contact captured whole before a delete, and put back with the same id (the board's undo):
its company links, its conversations and their messages, and the visitors, events and next
steps that pointed at it. The company's own capture is ``restore.py``; this one is written the
same way and checks its rows with the same ``checked_row``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select, update

from halcrm.db.base import Base
from halcrm.db.models import (
    Company,
    Contact,
    ContactCompany,
    Conversation,
    Event,
    Message,
    Task,
    Visitor,
)
from halcrm.db.tx import ProjectKeys, Tx
from halcrm.domain.errors import Conflict
from halcrm.domain.events import EventKind
from halcrm.domain.stages import Source
from halcrm.services.crm.queries import contact_record, ensure_contact_free, get_contact
from halcrm.services.crm.records import ContactRecord, ContactSnapshot, ConversationSnapshot
from halcrm.services.crm.restore import checked_row, column_values

# Keys a restore sets itself, whatever a snapshot says.
GIVEN = ("project_pk", "contact_pk", "conversation_pk")
CHUNK = 500  # keys per IN list (SQLite binds at most a few thousand parameters per statement)


def capture_contact_in(tx: Tx, project: ProjectKeys, contact_id: str) -> ContactSnapshot:
    """Reads everything a delete of ``contact_id`` would remove or let go of."""
    session = tx.session
    contact = get_contact(tx, project, contact_id)

    def pks(model: Any) -> list[int]:
        return list(session.scalars(select(model.pk).where(model.contact_pk == contact.pk)))

    links = session.scalars(
        select(ContactCompany)
        .where(ContactCompany.contact_pk == contact.pk)
        .order_by(ContactCompany.company_pk)
    )
    conversations = session.scalars(
        select(Conversation).where(Conversation.contact_pk == contact.pk).order_by(Conversation.pk)
    )
    return ContactSnapshot(
        contact=column_values(contact),
        links=[column_values(link, ("contact_pk",)) for link in links],
        conversations=[_conversation(tx, c) for c in conversations],
        visitor_pks=pks(Visitor),
        event_pks=pks(Event),
        task_pks=pks(Task),
    )


def _conversation(tx: Tx, conversation: Conversation) -> ConversationSnapshot:
    messages = tx.session.scalars(
        select(Message).where(Message.conversation_pk == conversation.pk).order_by(Message.pk)
    )
    return ConversationSnapshot(
        conversation=column_values(conversation, ("pk", "contact_pk")),
        messages=[column_values(m, ("pk", "conversation_pk")) for m in messages],
    )


def restore_contact_in(
    tx: Tx, project: ProjectKeys, snapshot: ContactSnapshot, source: Source = Source.BOARD
) -> ContactRecord:
    """Puts a deleted contact back with the same id, fields, company links, conversations and
    messages, and points its visitors, events and next steps at it again.

    Rows whose other end is gone since (a deleted company, a visitor or event that another
    contact took meanwhile) are left out; an id, email or user id held again is a
    ``Conflict``, and a row that is not one of the model's is refused: nothing is written.
    """
    fields = checked_row(Contact, snapshot.contact, GIVEN)
    links = [checked_row(ContactCompany, row, GIVEN) for row in snapshot.links]
    talks = [
        (
            checked_row(Conversation, talk.conversation, GIVEN),
            [checked_row(Message, row, GIVEN) for row in talk.messages],
        )
        for talk in snapshot.conversations
    ]
    _check_free(tx, project, fields, talks)
    contact = Contact(**fields, project_pk=project.pk)
    tx.session.add(contact)
    tx.session.flush()
    companies = _relink(tx, project, contact, links)
    _add_conversations(tx, project, contact, talks)
    _point_back(tx, project, Visitor, snapshot.visitor_pks, contact.pk)
    _point_back(tx, project, Event, snapshot.event_pks, contact.pk)
    linked = [pk for pk, _ in companies]
    _point_back(tx, project, Task, snapshot.task_pks, contact.pk, Task.company_pk.in_(linked))
    tx.session.flush()
    who = contact.email or contact.name or contact.id
    tx.record(
        project,
        EventKind.CONTACT_CREATED,
        source,
        f"contact {who} restored",
        data={"contact_id": contact.id},
        # Its companies' cards count the contact and its conversations again.
        company_ids=[company_id for _, company_id in companies],
    )
    return contact_record(tx, contact)


Talks = list[tuple[dict[str, Any], list[dict[str, Any]]]]


def _check_free(tx: Tx, project: ProjectKeys, fields: dict[str, Any], talks: Talks) -> None:
    """A ``Conflict`` when the contact's id, email or user id, or one of its conversations' or
    messages' ids, is held again (checked before anything is written)."""
    session = tx.session
    contact_id = fields["id"]
    taken = session.scalar(
        select(Contact.pk).where(Contact.project_pk == project.pk, Contact.id == contact_id)
    )
    if taken is not None:
        raise Conflict(f"a contact with id {contact_id!r} exists again", code="already_exists")
    ensure_contact_free(tx, project, fields.get("email"), fields.get("user_id"), None)
    ids = [row["id"] for row, _ in talks]
    for part in _chunks(ids):
        found = session.scalar(
            select(Conversation.id).where(
                Conversation.project_pk == project.pk, Conversation.id.in_(part)
            )
        )
        if found is not None:
            raise Conflict(f"a conversation with id {found!r} exists again", code="already_exists")
    for part in _chunks([row["id"] for _, messages in talks for row in messages]):
        found = session.scalar(select(Message.id).where(Message.id.in_(part)))
        if found is not None:
            raise Conflict(f"a message with id {found!r} exists again", code="already_exists")


def _relink(
    tx: Tx, project: ProjectKeys, contact: Contact, links: list[dict[str, Any]]
) -> list[tuple[int, str]]:
    """The links to companies the project still has; answers those companies (pk, id)."""
    wanted = {row["company_pk"]: row for row in links}
    companies = _existing(tx, project, Company, list(wanted), Company.id)
    for pk, _ in companies:
        tx.session.add(ContactCompany(**wanted[pk], contact_pk=contact.pk))
    return companies


def _add_conversations(tx: Tx, project: ProjectKeys, contact: Contact, talks: Talks) -> None:
    """The conversations with their messages; a visitor gone since leaves its chat without."""
    visitors = {row.get("visitor_pk") for row, _ in talks} - {None}
    seen = {pk for pk, _ in _existing(tx, project, Visitor, list(visitors), Visitor.pk)}
    for row, messages in talks:
        visitor = row.get("visitor_pk")
        values = {**row, "visitor_pk": visitor if visitor in seen else None}
        conversation = Conversation(**values, project_pk=project.pk, contact_pk=contact.pk)
        tx.session.add(conversation)
        tx.session.flush()
        for message in messages:
            tx.session.add(Message(**message, conversation_pk=conversation.pk))


def _point_back(
    tx: Tx, project: ProjectKeys, model: Any, pks: Sequence[int], contact_pk: int, *also: Any
) -> None:
    """Points the rows ``pks`` of the project at the contact again, unless another contact
    took them meanwhile."""
    for part in _chunks(_keys(pks)):
        tx.session.execute(
            update(model)
            .where(
                model.pk.in_(part),
                model.project_pk == project.pk,
                model.contact_pk.is_(None),
                *also,
            )
            .values(contact_pk=contact_pk)
        )


def _existing(
    tx: Tx, project: ProjectKeys, model: type[Base], pks: list[Any], label: Any
) -> list[tuple[int, Any]]:
    """Of ``pks``, those the project still has, with ``label``'s value."""
    table: Any = model
    found: list[tuple[int, Any]] = []
    for part in _chunks(_keys(pks)):
        rows = tx.session.execute(
            select(table.pk, label).where(table.project_pk == project.pk, table.pk.in_(part))
        )
        found += [(pk, value) for pk, value in rows]
    return sorted(found)


def _keys(pks: Sequence[Any]) -> list[int]:
    """The primary keys a snapshot names that could be one (a snapshot may have come over the
    account API: a number beyond 64 bits would fail the statement, not find nothing)."""
    return [pk for pk in pks if isinstance(pk, int) and 0 < pk < 2**63]


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
