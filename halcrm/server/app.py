"""The Litestar app factory: routes, auth, errors, CORS, body limit, OpenAPI at /schema."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Litestar, Router, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from halcrm import __version__
from halcrm.server.cors import widget_cors
from halcrm.server.errors import EXCEPTION_HANDLERS
from halcrm.server.guards import account_guard
from halcrm.server.routes.activity import activity
from halcrm.server.routes.companies import CompanyController
from halcrm.server.routes.contacts import ContactController
from halcrm.server.routes.project import ProjectController, StageController
from halcrm.server.routes.sdk import SdkController
from halcrm.server.routes.widget import WidgetController
from halcrm.services.facade import Services


@dataclass(frozen=True)
class ServerConfig:
    """What the HTTP layer needs besides the services."""

    account_token: str
    max_body_bytes: int = 64 * 1024


@get("/health", tags=["meta"], security=[])
async def health() -> dict[str, str]:
    """Answers when the server is up."""
    return {"status": "ok", "version": __version__}


def create_app(services: Services, config: ServerConfig) -> Litestar:
    """Builds the app around ``services``; nothing module-level, so tests build their own."""

    async def provide_services() -> Services:
        return services

    account = Router(
        path="/",
        route_handlers=[
            ProjectController,
            StageController,
            CompanyController,
            ContactController,
            activity,
        ],
        guards=[account_guard],
        security=[{"bearer": []}],
    )
    return Litestar(
        route_handlers=[WidgetController, SdkController, account, health],
        dependencies={"services": Provide(provide_services)},
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[widget_cors],
        request_max_body_size=config.max_body_bytes,
        state=State({"account_token": config.account_token}),
        openapi_config=OpenAPIConfig(
            title="halcrm",
            version=__version__,
            path="/schema",
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer"),
                }
            ),
        ),
        debug=False,
        # halcrm configures logging itself (to a file while the board is open).
        logging_config=None,
    )
