"""CORS for the public widget routes only; account routes stay same-origin."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

WIDGET_PREFIXES = ("/api/widget/", "/widget.js")
ALLOW_METHODS = "GET, POST, OPTIONS"
MAX_AGE = "600"


def widget_cors(app: ASGIApp) -> ASGIApp:
    """Wraps the app: preflights to widget routes are answered, their answers carry CORS headers."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(WIDGET_PREFIXES):
            await app(scope, receive, send)
            return
        headers = dict(
            (k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]
        )
        if scope.get("method") == "OPTIONS" and "access-control-request-method" in headers:
            requested = headers.get("access-control-request-headers", "content-type")
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [
                        (b"access-control-allow-origin", b"*"),
                        (b"access-control-allow-methods", ALLOW_METHODS.encode()),
                        (b"access-control-allow-headers", requested.encode("latin-1")),
                        (b"access-control-max-age", MAX_AGE.encode()),
                        (b"vary", b"Origin"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableScopeHeaders.from_message(message)
                out["Access-Control-Allow-Origin"] = "*"
                out["Access-Control-Expose-Headers"] = "Retry-After, Idempotent-Replayed"
            await send(message)

        await app(scope, receive, send_with_cors)

    return middleware
