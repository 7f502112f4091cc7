"""Concurrent widget writes on SQLite and PostgreSQL: no merged key lost, stages only advance."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from halcrm.db.models import Company, StageChange, Visitor
from halcrm.services.container import Services
from halcrm.services.widget.inputs import (
    Identify,
    IdentifyCompany,
    SetProperties,
    SetStage,
)

CALLS = 16
KEYS_PER_CALL = 6


async def _identified(services: Services, visitor: str, company: str) -> str:
    answer = await services.widget.identify(
        Identify(
            app_id="local",
            visitor_id=visitor,
            email=f"{visitor}@corp.io",
            company=IdentifyCompany(id=company),
        )
    )
    assert answer.contact_id is not None
    return answer.contact_id


async def test_concurrent_set_properties_lose_no_key(services: Services):
    contact_id = await _identified(services, "v1", "acme")

    async def one(n: int) -> None:
        keys = {f"k{n}_{j}": n * 100 + j for j in range(KEYS_PER_CALL)}
        await services.widget.set_properties(
            SetProperties(app_id="local", visitor_id="v1", properties=keys)
        )

    await asyncio.gather(*(one(n) for n in range(CALLS)))
    expected = {f"k{n}_{j}": n * 100 + j for n in range(CALLS) for j in range(KEYS_PER_CALL)}
    contact = await services.contacts.get(contact_id)
    assert contact.metadata == expected

    def props(tx):
        return tx.session.scalar(select(Visitor.properties).where(Visitor.visitor_id == "v1"))

    assert await services.db.read(props) == expected


async def test_concurrent_first_set_properties_make_one_visitor(services: Services):
    async def one(n: int) -> None:
        await services.widget.set_properties(
            SetProperties(app_id="local", visitor_id="fresh", properties={f"p{n}": n})
        )

    await asyncio.gather(*(one(n) for n in range(CALLS)))

    def rows(tx):
        return [v.properties for v in tx.session.scalars(select(Visitor))]

    assert await services.db.read(rows) == [{f"p{n}": n for n in range(CALLS)}]


async def test_concurrent_advance_only_writes_end_at_the_highest_stage(services: Services):
    requested = ["Qualified", "Proposal", "Lead", "Negotiation", "Qualified", "Proposal"] * 3
    for company, top in (("acme", "Negotiation"), ("globex", "Won")):
        visitor = f"v-{company}"
        await _identified(services, visitor, company)
        stages = [*requested, top] if top == "Won" else requested

        async def one(stage: str, visitor: str = visitor) -> None:
            await services.widget.set_stage(
                SetStage(
                    app_id="local",
                    visitor_id=visitor,
                    stage=stage,
                    stage_update_mode="advance_only",
                )
            )

        await asyncio.gather(*(one(stage) for stage in stages))
        shown = await services.companies.get(company)
        assert shown.stage == top

        def audit(tx, company_id: str = company) -> tuple[int, int]:
            pk = tx.session.scalar(select(Company.pk).where(Company.id == company_id))
            total = tx.session.scalar(select(func.count()).where(StageChange.company_pk == pk))
            applied = tx.session.scalar(
                select(func.count()).where(StageChange.company_pk == pk, StageChange.applied)
            )
            return total, applied

        total, applied = await services.db.read(audit)
        # Every write is audited, applied or skipped; at most one per distinct rising stage lands.
        assert total == len(stages)
        assert 1 <= applied <= 4 + (top == "Won")
