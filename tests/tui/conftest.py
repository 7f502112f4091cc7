"""Board fixtures: the app over the test's services, with a fixed clock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from halcrm.domain.clock import Clock, fixed_clock
from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate
from halcrm.tui.app import HalcrmApp
from tests.conftest import FIXED_NOW


@pytest.fixture
def clock() -> Clock:
    return fixed_clock(FIXED_NOW)


@pytest.fixture
async def seeded(services: Services) -> Services:
    """Three companies: Acme and Birch in Lead, Cobalt in Proposal."""
    for cid, name, stage, deal in (
        ("acme", "Acme Inc", "lead", 1000),
        ("birch", "Birch Ltd", "lead", None),
        ("cobalt", "Cobalt Co", "proposal", 5000),
    ):
        body = CompanyCreate(
            id=cid, name=name, stage=stage, deal_value=Decimal(deal) if deal else None
        )
        await services.companies.create(body, source=Source.BOARD)
    return services


@pytest.fixture
def app(seeded: Services, clock: Clock) -> HalcrmApp:
    return HalcrmApp(seeded, seeded.bus, server_url="http://127.0.0.1:0", clock=clock)
