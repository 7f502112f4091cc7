"""Support context for the board: a company's conversations and its cards' open-conversation
count, read through ``services.support`` and ``services.board``."""

from __future__ import annotations

from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate, ContactCreate
from halcrm.services.support.schemas import (
    ConversationCreate,
    ConversationPatch,
    MessageCreate,
)


async def test_company_conversations_and_the_card_count(services: Services) -> None:
    await services.companies.create(CompanyCreate(id="acme", name="Acme"))
    await services.companies.create(CompanyCreate(id="other", name="Other"))
    for cid, name in (("jane", "Jane"), ("tom", "Tom")):
        await services.contacts.create(ContactCreate(id=cid, name=name))
        await services.contacts.link(cid, "acme")
    waiting = await services.support.create(
        ConversationCreate(
            contact_id="jane",
            subject="Invoice",
            message=MessageCreate(author="contact", body="Where is it?"),
        )
    )
    answered = await services.support.create(
        ConversationCreate(contact_id="tom", message=MessageCreate(author="contact", body="Hi"))
    )
    await services.support.add_message(
        answered.id, MessageCreate(author="agent", body="Hello Tom"), source=Source.BOARD
    )
    done = await services.support.create(ConversationCreate(contact_id="tom"))
    await services.support.update(done.id, ConversationPatch(status="resolved"))

    talks = await services.support.company_conversations("acme")
    assert [t.id for t in talks][:2] in ([waiting.id, answered.id], [answered.id, waiting.id])
    assert talks[-1].id == done.id  # open ones first
    by_id = {t.id: t for t in talks}
    assert by_id[waiting.id].waiting_since is not None
    assert (by_id[waiting.id].last_author, by_id[waiting.id].last_body) == (
        "contact",
        "Where is it?",
    )
    assert by_id[waiting.id].contact_name == "Jane"
    assert by_id[answered.id].waiting_since is None  # the last word is ours
    assert (by_id[answered.id].message_count, by_id[answered.id].last_author) == (2, "agent")
    assert by_id[done.id].status == "resolved"
    assert by_id[done.id].last_body is None

    cards = {c.id: c for c in await services.board.cards(["acme", "other"])}
    assert cards["acme"].open_conversations == 2
    assert cards["other"].open_conversations == 0
    assert await services.support.company_conversations("other") == []
