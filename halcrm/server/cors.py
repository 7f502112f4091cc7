"""CORS for the public widget routes only; account routes stay same-origin."""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from halcrm.domain.wire import IDEMPOTENT_REPLAYED, RETRY_AFTER, WIDGET, WIDGET_JS_PATH

WIDGET_PREFIXES = (WIDGET + "/", WIDGET_JS_PATH)
ALLOW_METHODS = "GET, POST, OPTIONS"
MAX_AGE = "600"


# Added to every answer of a widget route. Nothing else in the app sets these, so appending
# them is enough (no search for an existing one).
ANSWER_HEADERS = (
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", f"{RETRY_AFTER}, {IDEMPOTENT_REPLAYED}".encode()),
)


def widget_cors(app: ASGIApp) -> ASGIApp:
    """Wraps the app: preflights to widget routes are answered, their answers carry CORS headers."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(WIDGET_PREFIXES):
            await app(scope, receive, send)
            return
        if scope.get("method") == "OPTIONS":
            requested = _preflight(scope)
            if requested is not None:
                await _answer_preflight(send, requested)
                return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *ANSWER_HEADERS]
            await send(message)

        await app(scope, receive, send_with_cors)

    return middleware


def _preflight(scope: Scope) -> bytes | None:
    """The headers a CORS preflight asks for, or ``None`` when the OPTIONS is no preflight."""
    headers = {key.lower(): value for key, value in scope["headers"]}
    if b"access-control-request-method" not in headers:
        return None
    return headers.get(b"access-control-request-headers", b"content-type")


async def _answer_preflight(send: Send, requested: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 204,
            "headers": [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-allow-methods", ALLOW_METHODS.encode()),
                (b"access-control-allow-headers", requested),
                (b"access-control-max-age", MAX_AGE.encode()),
                (b"vary", b"Origin"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"", "more_body": False})
