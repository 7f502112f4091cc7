"""A card read alone (a signal, an edit) counts its contacts and open conversations as the whole
board does, and reads them by seeks in the links' company index, not from every link or every
contact."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from halcrm.db.models import Company, Project
from halcrm.db.tx import Tx
from halcrm.services.board.cards import _card_rows, _people_rows
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate, ContactCreate
from halcrm.services.support.schemas import ConversationCreate, MessageCreate


async def _linked(services: Services) -> None:
    for cid in ("acme", "birch", "empty"):
        await services.companies.create(CompanyCreate(id=cid, name=cid.title()))
    for person, companies in (("jane", ["acme", "birch"]), ("tom", ["acme"]), ("ann", ["birch"])):
        await services.contacts.create(ContactCreate(id=person, name=person.title()))
        for company in companies:
            await services.contacts.link(person, company)
    for person in ("jane", "jane", "ann"):
        message = MessageCreate(author="contact", body="Hello")
        await services.support.create(ConversationCreate(contact_id=person, message=message))


async def test_a_card_read_alone_counts_as_the_whole_board_does(services: Services) -> None:
    await _linked(services)
    board = {card.id: card for card in (await services.board.load()).cards}
    assert (board["acme"].contacts, board["acme"].open_conversations) == (2, 2)
    assert (board["birch"].contacts, board["birch"].open_conversations) == (2, 3)
    assert (board["empty"].contacts, board["empty"].open_conversations) == (0, 0)
    for cid, whole in board.items():
        [alone] = await services.board.cards([cid])
        assert alone == whole


async def test_a_card_read_alone_does_not_count_every_link(services: Services) -> None:
    if services.db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's planner scans a table this small whatever its indexes")
    await _linked(services)

    def plans(tx: Tx) -> list[str]:
        project = tx.session.query(Project).one()
        acme = tx.session.scalars(select(Company.pk).where(Company.id == "acme")).one()
        found = []
        for stmt in (_card_rows(project, ["acme"], tx.now), _people_rows(project, [acme])):
            sql = stmt.compile(tx.session.get_bind(), compile_kwargs={"literal_binds": True})
            rows = tx.session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
            found.append("\n".join(str(row[-1]) for row in rows))
        return found

    counts, people = await services.db.read(plans)
    # Counted by a search of the company's links, never a scan of the whole table.
    assert "SEARCH contact_companies USING COVERING INDEX ix_contact_companies_company" in counts
    assert "SCAN contact_companies" not in counts
    # Its contacts' names (for the filter) found from its links, not from every contact.
    assert people.startswith("SEARCH contact_companies USING INDEX ix_contact_companies_company")
    assert "SCAN" not in people
