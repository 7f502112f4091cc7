"""Query parameters shared by the list routes, with their bounds in the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.params import Parameter

from halcrm.domain.errors import InvalidRequest
from halcrm.domain.stages import Source
from halcrm.domain.wire import SOURCE_HEADER
from halcrm.services.paging import MAX_LIMIT

# Page size: the bounds the services enforce, stated where clients can read them.
Limit = Annotated[int | None, Parameter(ge=1, le=MAX_LIMIT, description="page size")]

# Who an account write is on behalf of: the founder's board says ``board`` (its manual moves
# are audited as such); any other holder of the token is the account API. Read by a
# dependency, not declared as a header parameter: a fuzzer's header bytes would then be
# refused by the HTTP parser itself, in plain text, before any of halcrm's answers.
SOURCES = {"board": Source.BOARD, "account_api": Source.ACCOUNT_API}


async def provide_source(request: Request[Any, Any, Any]) -> Source:
    """The audit source of an account write: ``X-Halcrm-Source`` (``board`` or
    ``account_api``, the default); any other value is refused."""
    raw = request.headers.get(SOURCE_HEADER)
    if raw is None or not raw.strip():
        return Source.ACCOUNT_API
    found = SOURCES.get(raw.strip().lower())
    if found is None:
        raise InvalidRequest(f"{SOURCE_HEADER} must be one of: {', '.join(SOURCES)}")
    return found


async def public_source() -> Source:
    """The audit source of a public API write (``X-API-Key``): always ``public_api``."""
    return Source.PUBLIC_API
