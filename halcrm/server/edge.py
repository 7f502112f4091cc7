"""Checks every request passes before a route sees it: no NUL anywhere, bounded JSON nesting.

PostgreSQL refuses NUL in text and JSONB while SQLite stores it, so NUL is refused here, once,
for every route and both stores alike: in the path, the query string, the headers and every
string (keys included) of a JSON body. Deep nesting is refused before the body is decoded, so
the decoder's recursion limit is never reached.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.empty import value_or_default

from halcrm.domain.errors import InvalidRequest
from halcrm.server.errors import domain_error
from halcrm.services.fields import JsonMoney

# The limits are shared with the import (services/limits.py); these names stay importable here.
from halcrm.services.limits import MAX_JSON_DEPTH as MAX_JSON_DEPTH
from halcrm.services.limits import NUL_DETAIL, check_json_body


class EdgeRequest(Request[Any, Any, Any]):
    """Litestar's request with :func:`check_json_body` run before the body is decoded."""

    async def json(self) -> Any:
        if value_or_default(self._json, None) is None and (
            value_or_default(self._connection_state.json, None) is None
        ):
            check_json_body(await self.body())
        try:
            return await super().json()
        except SerializationException as exc:
            raise InvalidRequest(f"the body is not valid JSON: {exc}") from None


def decode_money(target: type, value: Any) -> JsonMoney:
    """The decode hook for deal values: a JSON number, never a string or a boolean."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("Expected `number`")
    return JsonMoney(str(value))


TYPE_DECODERS = [(lambda target: target is JsonMoney, decode_money)]


def _nul_in_scope(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        return True
    if "\x00" in scope.get("path", ""):
        return True
    return any(b"\x00" in value for _, value in scope.get("headers", ()))


def refuse_nul(app: ASGIApp) -> ASGIApp:
    """Wraps the route handlers: a NUL in the path, the query or a header is refused before
    anything reads them."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _nul_in_scope(scope):
            # Answered here, inside the CORS wrapper (an exception would pass it on its way
            # out): the usual error body, and a widget route's refusal reported as any other.
            request: Request[Any, Any, Any] = Request(scope)
            response = domain_error(request, InvalidRequest(NUL_DETAIL))
            await response.to_asgi_response(None, request)(scope, receive, send)
            return
        await app(scope, receive, send)

    return middleware
