"""``Widget``: the website widget's calls (identify, set-properties, track, set-stage, set-deal)
and its chat. Each call names its own project (``app_id``), verified as API.md says."""

from __future__ import annotations

import msgspec
from sqlalchemy import select

from halcrm.db.models import Contact, Conversation, Message
from halcrm.db.records import CompanyRow, ContactRow
from halcrm.db.tables import events
from halcrm.db.tx import Tx
from halcrm.domain import metadata as meta_rules
from halcrm.domain.errors import InvalidRequest, VisitorNotIdentified
from halcrm.domain.events import EventKind
from halcrm.domain.money import from_cents, to_cents
from halcrm.domain.stages import Source
from halcrm.services.area import Area, reads, writes
from halcrm.services.crm.deal_history import record_deal_value
from halcrm.services.crm.pipeline import apply_stage
from halcrm.services.crm.queries import linked_companies
from halcrm.services.crm.records import StageResult
from halcrm.services.ids import new_id
from halcrm.services.support.conversations import add_message_in, open_in
from halcrm.services.support.schemas import MessageCreate
from halcrm.services.widget.chat import AUTHORS, HISTORY, open_chat, reader, visitor_name
from halcrm.services.widget.context import (
    body_project_id,
    identified_visitor,
    open_call,
    save_visitor,
    visitor_contact,
    widget_mode,
)
from halcrm.services.widget.identify import check_body, identify_in
from halcrm.services.widget.inputs import (
    ChatRead,
    ChatSend,
    Identify,
    SetDeal,
    SetProperties,
    SetStage,
    Track,
)
from halcrm.services.widget.records import (
    ChatHistory,
    ChatMessage,
    ChatSent,
    DealResult,
    IdentifyResult,
    PropertiesResult,
    TrackResult,
)
from halcrm.services.widget.targeting import explicit_company, target_company


class Widget(Area):
    """The widget's calls; each names its own project (``body.app_id``), so this area's
    ``project_id`` is not used."""

    async def identify(self, body: Identify) -> IdentifyResult:
        """Runs the identify rules in one transaction; see API.md for each numbered rule."""
        # The body's own checks first: a refused call never waits for the writer.
        return await self._identify(body, check_body(body))

    @writes
    def _identify(self, tx: Tx, body: Identify, email: str | None) -> IdentifyResult:
        return identify_in(tx, body, email)

    async def set_properties(self, body: SetProperties) -> PropertiesResult:
        """Merges properties into the visitor and its contact; never touches a company."""
        meta_rules.check(body.properties, field="properties")  # before the writer is asked
        return await self._set_properties(body)

    @writes
    def _set_properties(self, tx: Tx, body: SetProperties) -> PropertiesResult:
        project, found = open_call(tx, body, contact=True)
        properties = found.properties if found else {}
        merged = meta_rules.merge_checked(properties, body.properties, field="properties")
        visitor = save_visitor(tx, project, found, body.visitor_id, properties=merged)
        contact = visitor_contact(tx, visitor)
        if contact is not None:
            meta = meta_rules.merge_checked(contact.meta, body.properties, field="properties")
            tx.update(ContactRow, contact.pk, meta=meta, updated_at=tx.now)
        tx.record(
            project,
            EventKind.PROPERTIES,
            Source.WIDGET,
            f"visitor {visitor.visitor_id} set {', '.join(sorted(body.properties))[:200]}",
            data={"visitor_id": visitor.visitor_id, "keys": sorted(body.properties)},
        )
        return PropertiesResult(
            visitor_id=visitor.visitor_id, contact_id=contact.id if contact else None
        )

    @writes
    def track(self, tx: Tx, body: Track) -> TrackResult:
        """Stores a visitor event, or a company event when ``company_id`` names a linked
        company."""
        project, found = open_call(tx, body, contact=True)
        visitor = save_visitor(tx, project, found, body.visitor_id)
        contact = visitor_contact(tx, visitor)
        company = None
        if body.company_id is not None:
            if contact is None:
                raise VisitorNotIdentified(
                    f"visitor {body.visitor_id!r} is not identified: company events need a contact"
                )
            company = explicit_company(tx, project, contact, body.company_id)
            tx.update(CompanyRow, company.pk, last_activity_at=tx.now)
        elif contact is not None:
            # A person's product milestone is activity for every company they belong to.
            for linked in linked_companies(tx, contact.pk):
                tx.update(CompanyRow, linked.pk, last_activity_at=tx.now)
        event_id = new_id("ev")
        tx.add(
            events,
            id=event_id,
            project_pk=project.pk,
            name=body.name,
            value=body.value,
            visitor_pk=visitor.pk,
            contact_pk=contact.pk if contact else None,
            company_pk=company.pk if company else None,
            created_at=tx.now,
        )
        where = f" at {company.name}" if company else ""
        tx.record(
            project,
            EventKind.TRACK,
            Source.WIDGET,
            f"{body.name}{where}",
            company,
            data={"event_id": event_id, "name": body.name, "value": body.value},
        )
        return TrackResult(event_id=event_id, company_id=company.id if company else None)

    @writes
    def set_stage(self, tx: Tx, body: SetStage) -> StageResult:
        """A widget stage signal, under the project's mode unless the body overrides it."""
        project, found = open_call(tx, body, contact=True)
        visitor, contact = identified_visitor(tx, found, body.visitor_id)
        company = target_company(tx, project, visitor, contact, body.company_id)
        mode = widget_mode(project, body.stage_update_mode)
        return apply_stage(tx, project, company, body.stage, mode, Source.WIDGET)

    @writes
    def set_deal(self, tx: Tx, body: SetDeal) -> DealResult:
        """Sets the targeted company's deal value, and its stage when one is given."""
        cents = to_cents(body.deal_value)
        project, found = open_call(tx, body, contact=True)
        visitor, contact = identified_visitor(tx, found, body.visitor_id)
        company = target_company(tx, project, visitor, contact, body.company_id)
        mode = widget_mode(project, body.stage_update_mode)
        previous = company.deal_value_cents
        deal = {"deal_value_cents": cents, "updated_at": tx.now, "last_activity_at": tx.now}
        record_deal_value(tx, project, company, previous, cents, Source.WIDGET, unchanged_too=True)
        if body.stage is not None:
            stage = apply_stage(tx, project, company, body.stage, mode, Source.WIDGET, also=deal)
            return DealResult(**msgspec.structs.asdict(stage), deal_value=from_cents(cents))
        tx.update(CompanyRow, company.pk, **deal)
        now_in = tx.snapshot(project.id).by_pk.get(company.stage_pk) if company.stage_pk else None
        current = now_in.name if now_in else None
        return DealResult(
            company_id=company.id,
            stage=current,
            previous_stage=current,
            requested_stage=None,
            mode=mode.value,
            applied=False,
            reason=None,
            deal_value=from_cents(cents),
        )

    @writes
    def chat_send(self, tx: Tx, body: ChatSend) -> ChatSent:
        """A visitor's message: added to its open chat, or opening one when it has none."""
        if not body.body.strip():
            raise InvalidRequest("body must not be blank", field="body")
        project, found = open_call(tx, body)
        visitor = save_visitor(tx, project, found, body.visitor_id)
        contact = (
            tx.session.get(Contact, visitor.contact_pk) if visitor.contact_pk is not None else None
        )
        conversation = tx.session.scalar(tx.locking(open_chat(visitor.pk)))
        if conversation is None:
            conversation = open_in(tx, project, contact, Source.WIDGET, visitor_pk=visitor.pk)
        elif conversation.contact_pk is None and contact is not None:
            conversation.contact_pk = contact.pk
        message = MessageCreate(author="contact", body=body.body)
        record = add_message_in(tx, project, conversation, contact, message, Source.WIDGET)
        return ChatSent(
            visitor_id=visitor.visitor_id,
            conversation_id=conversation.id,
            message=ChatMessage(
                id=record.id,
                conversation_id=conversation.id,
                author="visitor",
                body=record.body,
                created_at=record.created_at,
            ),
        )

    @reads
    def chat_history(self, tx: Tx, query: ChatRead) -> ChatHistory:
        """The visitor's own chat messages, oldest first (verified as every widget call is)."""
        visitor = reader(tx, query)
        empty = ChatHistory(
            visitor_id=query.visitor_id, name=None, conversation_id=None, status=None, messages=[]
        )
        if visitor is None:
            return empty
        latest = tx.session.scalar(
            select(Conversation)
            .where(Conversation.visitor_pk == visitor.pk)
            .order_by(Conversation.pk.desc())
            .limit(1)
        )
        if latest is None:
            return empty
        rows = tx.session.execute(
            select(Message, Conversation.id)
            .join(Conversation, Conversation.pk == Message.conversation_pk)
            .where(Conversation.visitor_pk == visitor.pk)
            .order_by(Message.pk.desc())
            .limit(HISTORY)
        ).all()
        messages = [
            ChatMessage(
                id=m.id,
                conversation_id=cid,
                author=AUTHORS.get(m.author, m.author),
                body=m.body,
                created_at=m.created_at,
            )
            for m, cid in reversed(rows)
        ]
        return ChatHistory(
            visitor_id=visitor.visitor_id,
            name=visitor_name(tx, visitor),
            conversation_id=latest.id,
            status=latest.status,
            messages=messages,
        )

    @reads
    def chat_check_stream(self, tx: Tx, query: ChatRead) -> str:
        """Verifies who opens a chat stream (401 where verification is required and the hash
        does not prove the visitor); answers the project id the stream is scoped to."""
        reader(tx, query)
        return body_project_id(query)
