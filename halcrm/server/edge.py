"""Checks every request passes before a route sees it: no NUL anywhere, bounded JSON nesting.

PostgreSQL refuses NUL in text and JSONB while SQLite stores it, so NUL is refused here, once,
for every route and both stores alike: in the path, the query string, the headers and every
string (keys included) of a JSON body. Deep nesting is refused before the body is decoded, so
the decoder's recursion limit is never reached.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import SerializationException
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.empty import value_or_default

from halcrm.domain.errors import InvalidRequest
from halcrm.server.errors import domain_error
from halcrm.services.fields import JsonMoney

# Objects and arrays inside one another: a widget body needs about 6 (body, company, metadata
# and its 3 levels); far below where the decoder would recurse too deep.
MAX_JSON_DEPTH = 16
NUL_DETAIL = "text must not contain NUL characters (\\u0000)"
# A JSON string (skipped whole) or one bracket; what the depth scan walks over.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def check_json_body(body: bytes) -> None:
    """Refuses a body nested deeper than ``MAX_JSON_DEPTH`` or with a NUL in any string.

    Both checks start with a scan that runs in C (counting brackets, finding ``\\u0000``), so a
    common body costs almost nothing; only a suspicious one is walked.
    """
    if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH:
        _check_depth(body)
    if b"\\u0000" in body and _has_nul(_decode_untyped(body)):
        raise InvalidRequest(NUL_DETAIL)


def _check_depth(body: bytes) -> None:
    depth = 0
    for match in _TOKENS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise InvalidRequest(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels")
        elif token in (b"]", b"}"):
            depth -= 1


def _decode_untyped(body: bytes) -> Any:
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError:
        # Malformed JSON is refused by the route's own decoding, with its message.
        return None


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in key or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


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
