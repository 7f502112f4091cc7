"""A company's history lists its stage writes in the order they committed, whichever waited
for whose row lock, and ``last_stage_at`` never moves backwards (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from halcrm.services.container import Services
from halcrm.services.widget.inputs import Identify, IdentifyCompany, SetStage

ROUNDS = 20


async def test_racing_exact_and_advance_writes_make_a_possible_chain(services: Services):
    body = Identify(
        app_id="local", visitor_id="v1", email="a@acme.com", company=IdentifyCompany(id="acme")
    )
    await services.widget.identify(body)
    await services.companies.move("acme", "lead")
    stamps: list[datetime] = []
    for n in range(ROUNDS):
        exact = services.companies.move("acme", "lead" if n % 2 else "qualified")
        advance = services.widget.set_stage(
            SetStage(app_id="local", visitor_id="v1", stage="Proposal", company_id="acme")
        )
        await asyncio.gather(exact, advance)
        moved = (await services.companies.get("acme")).last_moved_at
        assert moved is not None
        stamps.append(moved)
    assert stamps == sorted(stamps), "last_stage_at moved backwards"

    history = (await services.companies.history("acme")).items
    writes = [item for item in reversed(history) if item.type == "stage_change"]
    assert len(writes) == 2 * ROUNDS + 1
    assert [w.at for w in writes] == sorted(w.at for w in writes)
    stage = None
    for write in writes:
        # Each write saw the stage the one before it left: nothing in between, nothing after.
        assert write.previous_stage == stage, [(w.previous_stage, w.stage) for w in writes]
        stage = write.stage
    assert stage == (await services.companies.get("acme")).stage
