"""Writes queued together commit together, and a refused call in the batch writes nothing."""

from __future__ import annotations

import asyncio

import pytest

from halcrm.domain.errors import InvalidRequest, UnknownCompany
from halcrm.services.container import Services
from halcrm.services.crm.inputs import StagePatch
from halcrm.services.widget.inputs import Identify


async def test_a_refused_call_does_not_spoil_its_neighbours(services: Services):
    def body(i: int) -> Identify:
        bad = i % 5 == 0
        return Identify(
            app_id="local",
            visitor_id=f"v{i}",
            email=f"p{i}@batch.dev",
            company_ids=["missing"] if bad else None,
        )

    answers = await asyncio.gather(
        *(services.widget.identify(body(i)) for i in range(50)), return_exceptions=True
    )
    refused = [a for a in answers if isinstance(a, BaseException)]
    assert len(refused) == 10
    assert all(isinstance(a, UnknownCompany) for a in refused)
    emails = {c.email for c in (await services.contacts.all(limit=500)).items}
    assert emails == {f"p{i}@batch.dev" for i in range(50) if i % 5}
    events = (await services.activity.recent(limit=500)).items
    assert len([e for e in events if e.kind == "identify"]) == 40


async def test_writes_after_close_are_refused(services: Services, runtime):
    await runtime.close()
    with pytest.raises(RuntimeError):
        await services.widget.identify(Identify(app_id="local", visitor_id="late"))


async def test_a_refused_stage_edit_in_a_batch_leaves_the_stage(services: Services):
    """The stage edit writes its ORM changes, then is refused; the identifies beside it stay."""
    edit = services.stages.update(
        "won", StagePatch(name="Closed Won", probability=5, stall_after_days=3)
    )
    identifies = [
        services.widget.identify(Identify(app_id="local", visitor_id=f"s{i}", email=f"s{i}@b.dev"))
        for i in range(20)
    ]
    answers = await asyncio.gather(edit, *identifies, return_exceptions=True)
    assert isinstance(answers[0], InvalidRequest)
    assert not any(isinstance(a, BaseException) for a in answers[1:])
    won = next(s for s in (await services.stages.all()).items if s.id == "won")
    assert (won.name, won.probability, won.stall_after_days) == ("Won", 100, None)
    assert len((await services.contacts.all(limit=500)).items) == 20
