"""``Support``: a project's support conversations and their messages (the public API), and the
board's view of them (a company's conversations, the inbox)."""

from __future__ import annotations

from sqlalchemy import func, select

from halcrm.db.models import Contact, ContactCompany, Conversation, Message, Visitor
from halcrm.db.tx import Tx
from halcrm.domain.errors import InvalidRequest
from halcrm.domain.stages import Source
from halcrm.services.area import Area, reads, writes
from halcrm.services.crm.queries import get_company, get_contact
from halcrm.services.page import Page
from halcrm.services.paging import fetch_page, page_params
from halcrm.services.support.context import company_names, conversation_row, last_messages
from halcrm.services.support.conversations import (
    add_message_in,
    contact_of,
    conversation_detail,
    conversation_records,
    get_conversation,
    open_in,
    update_in,
)
from halcrm.services.support.schemas import (
    CompanyConversation,
    ConversationCreate,
    ConversationDetail,
    ConversationPatch,
    ConversationRecord,
    MessageCreate,
    MessageRecord,
)

STATUSES = ("open", "snoozed", "resolved")
# The inbox lists at most this many open conversations.
INBOX = 200


class Support(Area):
    """The conversations of one project's contacts (and its website visitors' chats)."""

    @reads
    def all(
        self,
        tx: Tx,
        *,
        contact_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[ConversationRecord]:
        """Conversations oldest first, filtered by contact and status, paginated by cursor."""
        size, after = page_params(limit, cursor)
        if status is not None and status not in STATUSES:
            raise InvalidRequest("status must be one of open, snoozed, resolved", field="status")
        project = self.project(tx)
        stmt = select(Conversation).where(Conversation.project_pk == project.pk)
        if contact_id is not None:
            contact = get_contact(tx, project, contact_id)
            stmt = stmt.where(Conversation.contact_pk == contact.pk)
        if status is not None:
            stmt = stmt.where(Conversation.status == status)
        rows, next_cursor = fetch_page(tx, stmt, Conversation.pk, size, after)
        return Page(items=conversation_records(tx, rows), next_cursor=next_cursor)

    @reads
    def get(self, tx: Tx, conversation_id: str) -> ConversationDetail:
        return conversation_detail(tx, get_conversation(tx, self.project(tx), conversation_id))

    @writes
    def create(
        self, tx: Tx, body: ConversationCreate, source: Source = Source.PUBLIC_API
    ) -> ConversationDetail:
        """Opens a conversation for a contact, optionally with its first message."""
        if body.snoozed_until is not None and body.status != "snoozed":
            raise InvalidRequest("snoozed_until needs status snoozed", field="snoozed_until")
        project = self.project(tx)
        contact = get_contact(tx, project, body.contact_id)
        conversation = open_in(
            tx,
            project,
            contact,
            source,
            subject=body.subject,
            status=body.status,
            snoozed_until=body.snoozed_until,
        )
        if body.message is not None:
            add_message_in(tx, project, conversation, contact, body.message, source)
        return conversation_detail(tx, conversation)

    @writes
    def update(
        self,
        tx: Tx,
        conversation_id: str,
        patch: ConversationPatch,
        source: Source = Source.PUBLIC_API,
    ) -> ConversationDetail:
        """Changes the subject or the status; leaving ``snoozed`` clears ``snoozed_until``."""
        return update_in(tx, self.project(tx), conversation_id, patch, source)

    @writes
    def add_message(
        self, tx: Tx, conversation_id: str, body: MessageCreate, source: Source = Source.PUBLIC_API
    ) -> MessageRecord:
        """Adds a message; one from the contact reopens a snoozed or resolved conversation."""
        project = self.project(tx)
        conversation = get_conversation(tx, project, conversation_id, lock=True)
        contact = contact_of(tx, conversation)
        return add_message_in(tx, project, conversation, contact, body, source)

    @reads
    def company_conversations(self, tx: Tx, company_id: str) -> list[CompanyConversation]:
        """The conversations of every contact linked to the company, open ones first, then
        newest first: status, last message, waiting time."""
        company = get_company(tx, self.project(tx), company_id)
        last = last_messages()
        rows = tx.session.execute(
            select(Conversation, Contact, Message, func.coalesce(last.c.n, 0))
            .join(ContactCompany, ContactCompany.contact_pk == Conversation.contact_pk)
            .join(Contact, Contact.pk == Conversation.contact_pk)
            .outerjoin(last, last.c.conversation_pk == Conversation.pk)
            .outerjoin(Message, Message.pk == last.c.pk)
            .where(ContactCompany.company_pk == company.pk)
            .order_by(Conversation.updated_at.desc(), Conversation.pk.desc())
        )
        out = [conversation_row(c, contact, message, int(n)) for c, contact, message, n in rows]
        return sorted(out, key=lambda c: c.status != "open")

    @reads
    def inbox(self, tx: Tx) -> list[CompanyConversation]:
        """Every open conversation, website chats of anonymous visitors too, the ones waiting
        for a reply first (longest wait first), then the latest."""
        project = self.project(tx)
        last = last_messages()
        rows = tx.session.execute(
            select(Conversation, Contact, Message, func.coalesce(last.c.n, 0), Visitor.visitor_id)
            .outerjoin(Contact, Contact.pk == Conversation.contact_pk)
            .outerjoin(Visitor, Visitor.pk == Conversation.visitor_pk)
            .outerjoin(last, last.c.conversation_pk == Conversation.pk)
            .outerjoin(Message, Message.pk == last.c.pk)
            .where(Conversation.project_pk == project.pk, Conversation.status == "open")
            .order_by(Conversation.updated_at.desc(), Conversation.pk.desc())
            .limit(INBOX)
        )
        found = list(rows)
        names = company_names(tx, [contact.pk for _, contact, *_ in found if contact])
        out = []
        for c, contact, m, n, visitor in found:
            companies = names.get(contact.pk, []) if contact else []
            out.append(conversation_row(c, contact, m, int(n), visitor, companies))
        waiting = [c for c in out if c.waiting_since is not None]
        waiting.sort(key=lambda c: c.waiting_since or tx.now)
        return waiting + [c for c in out if c.waiting_since is None]
