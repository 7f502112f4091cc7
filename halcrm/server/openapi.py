"""The OpenAPI document's refusals: every error answer is documented as the API.md error body.

Litestar documents its own ``ValidationException`` shape (``status_code``/``detail``/``extra``)
for 400, which is not what ``server/errors.py`` sends; this rewrites the document once, at app
creation, so that clients and Schemathesis see the real contract.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Litestar
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Reference, Schema
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
    403: "the widget named a company its visitor's contact is not linked to",
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


def document_errors(app: Litestar, streams: tuple[str, ...] = ("/api/events",)) -> None:
    """Documents the error body for every ``/api`` operation, and the event stream's type."""
    openapi = app.openapi_schema
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
            if path in streams and "200" in responses:
                responses["200"] = OpenAPIResponse(
                    description="Server-Sent Events: id, event (the kind), data (JSON)",
                    content={
                        EVENT_STREAM: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
                    },
                )
            operation.responses = responses
