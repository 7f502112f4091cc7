"""``Idempotency-Key`` (any write) and ``message_id`` (widget bodies): API.md, Idempotency.

The middleware reads a write's key and body, and hands the handler's database write a claim
(``services/idempotency.py``): the key's first answer is stored in that write's transaction and sent
again, with ``Idempotent-Replayed: true``, to every repeat within 24 hours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.serialization import encode_json, get_serializer
from litestar.types import ASGIApp, Receive, Scope, Send

from halcrm.domain.wire import API, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, PROJECT_HEADER, WIDGET
from halcrm.services.idempotency import Claim, Replayed, claim, claiming

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = API + "/"
WIDGET_PREFIX = WIDGET + "/"
# As ASGI gives header names: lower-case bytes.
KEY_HEADER = IDEMPOTENCY_KEY.lower().encode()
PROJECT_KEY = PROJECT_HEADER.lower().encode()
MAX_KEY = 255


def idempotency(app: ASGIApp) -> ASGIApp:
    """Wraps the app: a write carrying a key runs under its claim."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") not in WRITE_METHODS
            or not scope["path"].startswith(API_PREFIX)
        ):
            await app(scope, receive, send)
            return
        if _header(scope, KEY_HEADER) is None and not scope["path"].startswith(WIDGET_PREFIX):
            # Only a widget body can name a key itself (message_id): no reading it twice.
            await app(scope, receive, send)
            return
        body, replay = await _read_body(scope, receive)
        if body is None:
            await app(scope, replay, send)
            return
        key = _key(scope, body)
        if isinstance(key, NotText):
            # A number or an object would otherwise turn the key off and the resend count twice.
            await _answer(scope, send, 400, "message_id must be a string")
            return
        if key is None:
            await app(scope, replay, send)
            return
        if not 0 < len(key) <= MAX_KEY or "\x00" in key:
            await _answer(scope, send, 400, f"{IDEMPOTENCY_KEY} must be 1 to 255 characters")
            return
        claimed = _claim(scope, body, key)
        if claimed is None:  # no project to scope the key to: the handler refuses the call
            await app(scope, replay, send)
            return
        with claiming(claimed):
            await app(scope, replay, send)

    return middleware


def replayed(_: Request[Any, Any, Any], exc: Replayed) -> Response[bytes]:
    """The stored first answer, as it was sent."""
    return Response(
        exc.body,
        status_code=exc.status,
        media_type="application/json",
        headers={IDEMPOTENT_REPLAYED: "true"},
    )


async def _read_body(scope: Scope, receive: Receive) -> tuple[bytes | None, Receive]:
    """The whole body when it is within the app's limit (else Litestar answers 413 itself),
    and a ``receive`` that hands it to the app again."""
    app: Any = scope["app"]
    limit = int(app.request_max_body_size or 0)
    declared = _header(scope, b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None, receive
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message: Any = await receive()
        if message["type"] != "http.request":
            return None, _prepend([message], receive)
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = message.get("more_body", False)
        if size > limit:
            return None, _prepend(_messages(chunks, more), receive)
    body = b"".join(chunks)
    return body, _prepend(_messages([body], False), receive)


def _messages(chunks: list[bytes], more: bool) -> list[Any]:
    out: list[Any] = [
        {"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks
    ]
    out[-1]["more_body"] = more
    return out


def _prepend(messages: list[Any], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Any:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _decoded(body: bytes) -> dict[str, Any] | None:
    try:
        found = msgspec.json.decode(body) if body else None
    except (msgspec.DecodeError, RecursionError):
        return None
    return found if isinstance(found, dict) else None


class NotText:
    """A ``message_id`` that is not a string (400)."""


def _key(scope: Scope, body: bytes) -> str | NotText | None:
    header = _header(scope, KEY_HEADER)
    if header is not None:
        return header.strip()
    if scope["path"].startswith(WIDGET_PREFIX) and b'"message_id"' in body:
        found = (_decoded(body) or {}).get("message_id")
        if found is None or isinstance(found, str):
            return found
        return NotText()
    return None


def _claim(scope: Any, body: bytes, key: str) -> Claim | None:
    handler: Any = scope.get("route_handler")
    services = scope["app"].state.get("services")
    if handler is None or services is None:
        return None
    project = _project(scope, body, services.project_id)
    if project is None:
        return None
    serializer = get_serializer(handler.resolve_type_encoders())
    return claim(
        project,
        f"{scope['method']} {scope['path']}",
        key,
        body,
        int(handler.status_code),
        lambda result: encode_json(result, serializer=serializer),
    )


def _project(scope: Any, body: bytes, default: str) -> Callable[[], str] | None:
    """The project a key is kept in, the one the request addresses: a widget body's
    ``app_id``; else the public API key's project (its guard keeps it on the request, before
    the handler writes), else the account request's ``X-Project-Id``, else the server's own
    (as ``provide_addressed`` in app.py chooses)."""
    if scope["path"].startswith(WIDGET_PREFIX):
        decoded = _decoded(body) or {}
        named = decoded.get("app_id") or decoded.get("project_id")
        if not isinstance(named, str) or not named:
            return None
        return lambda: named
    header = _header(scope, PROJECT_KEY)

    def addressed() -> str:
        state = scope.get("state") or {}
        return str(state.get("project_id") or header or default)

    return addressed


async def _answer(scope: Scope, send: Send, status: int, detail: str) -> None:
    body = msgspec.json.encode({"error": "invalid_request", "detail": detail})
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
