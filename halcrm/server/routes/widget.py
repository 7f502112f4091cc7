"""Widget routes: public, called from browsers; the body names the project.

The rate limit counts a call once its body is parsed (it is keyed by the body's visitor) and
before anything is written.
"""

from __future__ import annotations

from litestar import Controller, post

from halcrm.server.ratelimit import Limits
from halcrm.services.crm.records import StageResult
from halcrm.services.facade import Services
from halcrm.services.widget.inputs import (
    Identify,
    SetDeal,
    SetProperties,
    SetStage,
    Track,
)
from halcrm.services.widget.records import (
    DealResult,
    IdentifyResult,
    PropertiesResult,
    TrackResult,
)


class WidgetController(Controller):
    path = "/api/widget"
    tags = ["widget"]
    security = []

    @post("/identify", status_code=200)
    async def identify(self, data: Identify, services: Services, limits: Limits) -> IdentifyResult:
        """Identifies a visitor as a contact and links its companies."""
        limits.widget_call(data)
        return await services.identify(data)

    @post("/set-properties", status_code=200)
    async def set_properties(
        self, data: SetProperties, services: Services, limits: Limits
    ) -> PropertiesResult:
        """Merges properties into the visitor (and its contact); never touches a company."""
        limits.widget_call(data)
        return await services.set_properties(data)

    @post("/track", status_code=201)
    async def track(self, data: Track, services: Services, limits: Limits) -> TrackResult:
        """Records a milestone event for the visitor or one of its companies."""
        limits.widget_call(data)
        return await services.track(data)

    @post("/set-stage", status_code=200)
    async def set_stage(self, data: SetStage, services: Services, limits: Limits) -> StageResult:
        """A stage signal, advance_only unless the project or the body says exact."""
        limits.widget_call(data)
        return await services.set_stage(data)

    @post("/set-deal", status_code=200)
    async def set_deal(self, data: SetDeal, services: Services, limits: Limits) -> DealResult:
        """Sets the company's deal value (and its stage when given)."""
        limits.widget_call(data)
        return await services.set_deal(data)
