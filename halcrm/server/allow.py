"""``Allow`` on OPTIONS answers: every method the path takes, as the OpenAPI document says.

Litestar 2 builds a path's OPTIONS handler from the first route object of that path and keeps
it when later handlers of the same path are merged in (upstream issue 4169), so ``OPTIONS
/api/project`` answered ``Allow: OPTIONS, PATCH`` without ``GET``. This rewrites that header
from the app's final route table; 405 answers already list every method.
"""

from __future__ import annotations

import re
from typing import Any

from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send

# A path parameter with its type ("{company_id:str}"), spelt without it in path templates.
_TYPED = re.compile(r"\{(\w+):\w+\}")


def _table(app: Any) -> dict[str, bytes]:
    """Each path template's methods, as an ``Allow`` value (read per OPTIONS: rare, and a
    route table of some forty paths)."""
    return {
        _TYPED.sub(r"{\1}", route.path): ", ".join(sorted(route.methods)).encode()
        for route in app.routes
        if isinstance(route, HTTPRoute)
    }


def allow_every_method(app: ASGIApp) -> ASGIApp:
    """Wraps a route's app: an OPTIONS answer names all of its path's methods."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "OPTIONS":
            await app(scope, receive, send)
            return
        template = _TYPED.sub(r"{\1}", scope.get("path_template", ""))
        methods = _table(scope["litestar_app"]).get(template)

        async def send_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and methods is not None:
                headers = message.get("headers", ())
                if any(name.lower() == b"allow" for name, _ in headers):
                    kept = [(n, v) for n, v in headers if n.lower() != b"allow"]
                    message["headers"] = [*kept, (b"allow", methods)]
            await send(message)

        await app(scope, receive, send_allow)

    return middleware
