"""The Litestar app factory: routes, auth, errors, CORS, body limit, OpenAPI at /schema."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar, Request, Router, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from halcrm import __version__
from halcrm.domain.wire import API_KEY_HEADER, PROJECT_HEADER
from halcrm.server.allow import allow_every_method
from halcrm.server.chat_streams import ChatStreams
from halcrm.server.cors import widget_cors
from halcrm.server.edge import TYPE_DECODERS, EdgeRequest, refuse_nul
from halcrm.server.errors import EXCEPTION_HANDLERS, Throttle
from halcrm.server.guards import account_guard, api_key_guard
from halcrm.server.idempotency import idempotency, replayed
from halcrm.server.openapi import MoneySchema, document_errors_when_built
from halcrm.server.params import provide_source, public_source
from halcrm.server.ratelimit import Limits, MemoryBuckets, RateLimit, RedisBuckets
from halcrm.server.refusals import RefusalReporter
from halcrm.server.routes.activity import activity
from halcrm.server.routes.board import BoardController, UndoController
from halcrm.server.routes.companies import CompanyController
from halcrm.server.routes.contacts import ContactController, PublicContactController
from halcrm.server.routes.conversations import AccountConversationController
from halcrm.server.routes.events import events
from halcrm.server.routes.export import export
from halcrm.server.routes.project import ProjectController, StageController
from halcrm.server.routes.projects import ProjectsController, visitors
from halcrm.server.routes.public_api import ConversationController
from halcrm.server.routes.sdk import SdkController
from halcrm.server.routes.tasks import TaskController, agenda
from halcrm.server.routes.webhooks import WebhookController
from halcrm.server.routes.widget import WidgetController
from halcrm.server.routes.widget_chat import WidgetChatController
from halcrm.server.slow_clients import DEFAULT_HEADER_TIMEOUT, body_deadline
from halcrm.server.stream_slots import RedisSlots
from halcrm.services.container import Services
from halcrm.services.idempotency import Replayed
from halcrm.settings import Settings


@dataclass(frozen=True)
class ServerConfig:
    """What the HTTP layer needs besides the services."""

    account_token: str
    max_body_bytes: int = 64 * 1024
    # 20 a second with bursts of 60 per visitor: far above what one browser tab's widget sends.
    widget_rate: RateLimit = field(default_factory=lambda: RateLimit(20.0, 60))
    api_key_rate: RateLimit = field(default_factory=lambda: RateLimit(50.0, 100))
    # Ceilings over all visitors, so rotating visitor ids buys no unlimited writes.
    client_rate: RateLimit = field(default_factory=lambda: RateLimit(100.0, 300))
    project_rate: RateLimit = field(default_factory=lambda: RateLimit(1000.0, 3000))
    # Rate limits in Redis (shared by several processes) when set, else in this process.
    redis_url: str | None = None
    # Request headers must be in this many seconds after a connection opens (or a kept-alive
    # one starts its next request), and the body this many seconds after the headers.
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = 30.0
    # Seconds between keep-alive comments on an idle event stream.
    sse_keepalive: float = 15.0
    # Chat messages per visitor: one every 2 s on average, bursts of 20 (a person typing).
    chat_rate: RateLimit = field(default_factory=lambda: RateLimit(0.5, 20))
    # Proxies trusted to name the client address (HALCRM_TRUSTED_PROXIES); none by default.
    trusted_proxies: str = ""


def server_config(settings: Settings) -> ServerConfig:
    """The HTTP layer's configuration from the settings (flags and ``HALCRM_*`` variables)."""
    return ServerConfig(
        account_token=settings.account_token(),
        max_body_bytes=settings.max_body_bytes,
        widget_rate=RateLimit(settings.widget_rate, settings.widget_burst),
        api_key_rate=RateLimit(settings.api_key_rate, settings.api_key_burst),
        client_rate=RateLimit(settings.client_rate, settings.client_burst),
        project_rate=RateLimit(settings.project_rate, settings.project_burst),
        redis_url=settings.redis_url,
        trusted_proxies=settings.trusted_proxies,
        header_timeout=settings.header_timeout,
        body_timeout=settings.body_timeout,
    )


# Keyed by pid so a forked worker never inherits its parent's id.
_instances: dict[int, str] = {}


def instance_id() -> str:
    """An opaque id of this server process, drawn at random once per process."""
    return _instances.setdefault(os.getpid(), secrets.token_hex(6))


@get("/health", tags=["meta"], security=[])
async def health() -> dict[str, str]:
    """Answers when the server is up; ``instance`` names the process that answered (one of
    the workers under ``halcrm serve --workers N``), opaquely: no pid or host for strangers."""
    return {"status": "ok", "version": __version__, "instance": instance_id()}


def _state(
    services: Services, config: ServerConfig, limits: Limits, chats: ChatStreams | None
) -> State:
    return State(
        {
            "account_token": config.account_token,
            "services": services,
            "limits": limits,
            "chat_streams": chats,
            "sse_keepalive": config.sse_keepalive,
            "unavailable_log": Throttle(),
            # Read by make_server (server/embedded.py) for uvicorn's protocol.
            "header_timeout": config.header_timeout,
            "trusted_proxies": config.trusted_proxies,
            # services is None only where a test lists the routes.
            "refusals": RefusalReporter(services.bus) if services is not None else None,
            "project_id": getattr(services, "project_id", ""),
        }
    )


def _openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="halcrm",
        version=__version__,
        path="/schema",
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer"),
                "api_key": SecurityScheme(
                    type="apiKey", name=API_KEY_HEADER, security_scheme_in="header"
                ),
            }
        ),
    )


class _MountedOnce(Router):
    """A router built by ``create_app`` for the one app it builds, and registered there only.

    Litestar deep-copies every router it registers, so one router object can be mounted in
    several places; these two hold nearly all the routes, and the copy (every handler, its
    signature and dependencies, again) was a fifth of building the app. Nothing else holds
    them, so the app may take them as they are.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> _MountedOnce:
        return self


def _guarded_routers(services: Services) -> tuple[Router, Router]:
    """The account routes (bearer token) and the public API (an API key of its project)."""

    async def provide_addressed(request: Request[Any, Any, Any]) -> Services:
        # An account request may name another project of the database; a public API key
        # names its own (api_key_guard keeps it on the request).
        project_id = request.scope.get("state", {}).get("project_id") or request.headers.get(
            PROJECT_HEADER
        )
        return services.for_project(project_id) if project_id else services

    addressed = {"services": Provide(provide_addressed), "audit_source": Provide(provide_source)}
    account = _MountedOnce(
        path="/",
        route_handlers=[
            ProjectController,
            StageController,
            CompanyController,
            ContactController,
            activity,
            events,
            ProjectsController,
            visitors,
            export,
            BoardController,
            UndoController,
            AccountConversationController,
            WebhookController,
            TaskController,
            agenda,
        ],
        guards=[account_guard],
        dependencies=addressed,
        security=[{"bearer": []}],
    )
    public = _MountedOnce(
        path="/",
        route_handlers=[PublicContactController, ConversationController],
        guards=[api_key_guard],
        # The same contact handlers as the account's: their writes are the public API's.
        dependencies={**addressed, "audit_source": Provide(public_source)},
        security=[{"api_key": []}],
    )
    return account, public


def create_app(services: Services, config: ServerConfig) -> Litestar:
    """Builds the app around ``services``; nothing module-level, so tests build their own."""

    store = RedisBuckets(config.redis_url) if config.redis_url else MemoryBuckets()
    limits = Limits(
        config.widget_rate,
        config.api_key_rate,
        config.client_rate,
        config.project_rate,
        store,
        chat=config.chat_rate,
    )
    slots = RedisSlots(store.client) if isinstance(store, RedisBuckets) else None
    chats = ChatStreams(services.bus, slots=slots) if services is not None else None

    async def provide_services() -> Services:
        return services

    # Taking ``services`` orders the two: Litestar resolves side-by-side dependencies in a task
    # group, which costs a widget call more than the lookups themselves.
    async def provide_limits(services: Services) -> Limits:
        return limits

    account, public = _guarded_routers(services)
    app = Litestar(
        route_handlers=[
            WidgetController,
            WidgetChatController,
            SdkController,
            account,
            public,
            health,
        ],
        dependencies={
            "services": Provide(provide_services),
            "limits": Provide(provide_limits),
        },
        exception_handlers={**EXCEPTION_HANDLERS, Replayed: replayed},
        on_shutdown=[limits.close, *([chats.close] if chats else [])],
        # CORS outermost, so an edge refusal still reaches a browser with its headers; the
        # idempotency claim innermost, once the body has passed the edge's checks.
        middleware=[
            widget_cors,
            allow_every_method,
            refuse_nul,
            body_deadline(config.body_timeout),
            idempotency,
        ],
        request_class=EdgeRequest,
        type_decoders=TYPE_DECODERS,
        request_max_body_size=config.max_body_bytes,
        state=_state(services, config, limits, chats),
        openapi_config=_openapi_config(),
        plugins=[MoneySchema()],
        debug=False,
        # halcrm configures logging itself (to a file while the board is open).
        logging_config=None,
    )
    document_errors_when_built(app)
    return app
