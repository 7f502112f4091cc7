"""Widget routes: public, called from browsers; the body names the project.

The rate limits count a call once its body is parsed (the visitor bucket is keyed by the body's
project, visitor and user_hash; see server/ratelimit.py) and before anything is written.
"""

from typing import Any

from litestar import Controller, Request, post

from halcrm.domain.wire import WIDGET
from halcrm.server.ratelimit import Limits
from halcrm.services.container import Services
from halcrm.services.crm.records import StageResult
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


def client_address(request: Request[Any, Any, Any]) -> str | None:
    """The caller's address (behind a trusted proxy, uvicorn has put the forwarded one here)."""
    client = request.scope.get("client")
    return client[0] if client else None


class WidgetController(Controller):
    path = WIDGET
    tags = ["widget"]
    security = []

    @post("/identify", status_code=200)
    async def identify(
        self, request: Request[Any, Any, Any], data: Identify, services: Services, limits: Limits
    ) -> IdentifyResult:
        """Identifies a visitor as a contact and links its companies."""
        await limits.widget_call(data, client_address(request))
        return await services.widget.identify(data)

    @post("/set-properties", status_code=200)
    async def set_properties(
        self,
        request: Request[Any, Any, Any],
        data: SetProperties,
        services: Services,
        limits: Limits,
    ) -> PropertiesResult:
        """Merges properties into the visitor (and its contact); never touches a company."""
        await limits.widget_call(data, client_address(request))
        return await services.widget.set_properties(data)

    @post("/track", status_code=201)
    async def track(
        self, request: Request[Any, Any, Any], data: Track, services: Services, limits: Limits
    ) -> TrackResult:
        """Records a milestone event for the visitor or one of its companies."""
        await limits.widget_call(data, client_address(request))
        return await services.widget.track(data)

    @post("/set-stage", status_code=200)
    async def set_stage(
        self, request: Request[Any, Any, Any], data: SetStage, services: Services, limits: Limits
    ) -> StageResult:
        """A stage signal, advance_only unless the project or the body says exact."""
        await limits.widget_call(data, client_address(request))
        return await services.widget.set_stage(data)

    @post("/set-deal", status_code=200)
    async def set_deal(
        self, request: Request[Any, Any, Any], data: SetDeal, services: Services, limits: Limits
    ) -> DealResult:
        """Sets the company's deal value (and its stage when given)."""
        await limits.widget_call(data, client_address(request))
        return await services.widget.set_deal(data)
