"""httpx's transport over a Litestar app, for clients that call the app in the test's loop."""

from __future__ import annotations

from typing import Any, cast

import httpx
from litestar import Litestar


def asgi(app: Litestar, **options: Any) -> httpx.ASGITransport:
    """``httpx.ASGITransport(app=app, **options)``: httpx types the ASGI callable it takes more
    narrowly than Litestar types its ``__call__`` (plain mappings against typed scopes); the
    protocol is the same, so the app is handed over as such."""
    return httpx.ASGITransport(app=cast(Any, app), **options)
