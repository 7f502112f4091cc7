"""The OpenAPI document's refusals: every error answer is documented as the API.md error body.

Litestar documents its own ``ValidationException`` shape (``status_code``/``detail``/``extra``)
for 400, which is not what ``server/errors.py`` sends; this rewrites the document once, when
it is first built, so that clients and Schemathesis see the real contract.

The document is built on its first request (``GET /schema/…``, or ``app.openapi_schema``), not
at app creation: building it walks every route's types, a sixth of ``halcrm serve``'s start.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.openapi.spec import OpenAPI, OpenAPIMediaType, OpenAPIResponse, Reference, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

from halcrm.domain.money import MAX_DEAL_CENTS
from halcrm.services.fields import JsonMoney

ERROR_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["error", "detail"],
    properties={
        "error": Schema(type=OpenAPIType.STRING, description="stable code, e.g. not_found"),
        "detail": Schema(type=OpenAPIType.STRING, description="a human sentence"),
    },
    description='Every refusal: {"error": CODE, "detail": sentence}; extra keys may follow.',
)

# What each status means on halcrm's routes (API.md, Errors).
ERRORS = {
    400: "the request is not valid (body, query, unknown stage, a limit)",
    401: "missing or wrong credentials, or a missing/wrong user_hash",
    403: "a company not linked, an identity the hash does not cover, a company not signed",
    404: "an unknown id (project, company, contact, conversation, stage)",
    405: "the path does not take this method",
    408: "the request body did not arrive in time",
    409: "a precondition does not hold (already exists, not identified, ambiguous company)",
    413: "the body is over the size limit",
    429: "over a rate limit: per visitor, client address, project or key (see Retry-After)",
    503: "the store cannot take writes now (read-only, disk full, shutting down)",
}
EVENT_STREAM = "text/event-stream"


class MoneySchema(OpenAPISchemaPlugin):
    """Decimals (only money, in halcrm's inputs) are JSON numbers, not the strings Litestar
    documents by default: API.md promises a non-negative number with at most 2 decimals."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is Decimal or value is JsonMoney

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        return Schema(
            type=OpenAPIType.NUMBER,
            minimum=0,
            maximum=MAX_DEAL_CENTS / 100,
            description="an amount: non-negative, at most 2 decimals",
        )


# The streams, and what each of their events' ``data`` line carries (a component's name).
STREAMS = {
    "/api/events": (
        "ActivityItem",
        "Server-Sent Events, one per change: `id` (the event id, for Last-Event-ID), `event` "
        "(its kind), `data` (one line of JSON: an ActivityItem with `project_id`); "
        "`: keep-alive` comments while idle. The stream does not end.",
    ),
    "/api/widget/chat/stream": (
        "ChatMessage",
        "Server-Sent Events: `ready` (data `{}`) once the stream follows the chat, then "
        "`message` for each new line (data: one line of JSON, a ChatMessage); `: keep-alive` "
        "comments while idle. The stream does not end.",
    ),
}


def _stream_schema(data_component: str) -> Schema:
    """A stream as the sequence of its events; each event's ``data`` is JSON of a component."""
    data = Schema(
        type=OpenAPIType.STRING,
        content_media_type="application/json",
        content_schema=Reference(ref=f"#/components/schemas/{data_component}"),
    )
    event = Schema(
        type=OpenAPIType.OBJECT,
        required=["data"],
        properties={
            "id": Schema(type=OpenAPIType.STRING),
            "event": Schema(type=OpenAPIType.STRING),
            "data": data,
            "retry": Schema(type=OpenAPIType.INTEGER),
        },
    )
    return Schema(type=OpenAPIType.ARRAY, items=event)


class _DocumentedOpenAPI(OpenAPIPlugin):
    """Litestar's OpenAPI plugin whose document, once built, documents halcrm's errors."""

    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        openapi = super()._build_openapi()
        document_errors(openapi)
        return openapi


def document_errors_when_built(app: Litestar) -> None:
    """Makes ``app``'s OpenAPI document, whenever it is built, carry ``document_errors``.

    Litestar makes its OpenAPI plugin itself (no option takes a subclass), so the instance
    becomes one of the subclass: same slots, only ``_build_openapi`` differs.
    """
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = _DocumentedOpenAPI


def document_errors(openapi: OpenAPI) -> None:
    """Documents the error body for every ``/api`` operation, and the streams' type."""
    if openapi.components.schemas is None:
        openapi.components.schemas = {}
    openapi.components.schemas["Error"] = ERROR_SCHEMA
    ref = Reference(ref="#/components/schemas/Error")
    for path, item in (openapi.paths or {}).items():
        if not path.startswith("/api/"):
            continue
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            responses = operation.responses if operation.responses is not None else {}
            for status, description in ERRORS.items():
                responses[str(status)] = OpenAPIResponse(
                    description=description,
                    content={"application/json": OpenAPIMediaType(schema=ref)},
                )
            if path in STREAMS and "200" in responses:
                component, description = STREAMS[path]
                responses["200"] = OpenAPIResponse(
                    description=description,
                    content={EVENT_STREAM: OpenAPIMediaType(schema=_stream_schema(component))},
                )
            operation.responses = responses
