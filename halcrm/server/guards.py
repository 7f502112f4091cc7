"""Credentials: the account bearer token and the public API keys."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from halcrm.domain.errors import Unauthorized
from halcrm.domain.identity import tokens_match
from halcrm.domain.wire import API_KEY_HEADER, AUTHORIZATION, BEARER
from halcrm.services.idempotency import unclaimed


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get(AUTHORIZATION, "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != BEARER.lower() or not token.strip():
        return None
    return token.strip()


def account_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Refuses requests without the account token (compared in constant time)."""
    expected: str = connection.app.state.account_token
    given = bearer_token(connection)
    if given is None:
        raise Unauthorized(f"send the account token as '{AUTHORIZATION}: {BEARER} TOKEN'")
    if not tokens_match(expected, given):
        raise Unauthorized("the account token is not valid")


async def api_key_guard(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Refuses requests without a live API key, then counts the key's rate; the request works
    on the key's own project."""
    given = connection.headers.get(API_KEY_HEADER, "").strip()
    if not given:
        raise Unauthorized(
            f"send an API key as '{API_KEY_HEADER}: KEY' (make one: halcrm api-key create)"
        )
    with unclaimed():  # the key's last-use touch is not the request's write
        record, project_id = await connection.app.state.services.api_keys.find(given)
    await connection.app.state.limits.api_key_call(record.id)
    connection.scope.setdefault("state", {})["project_id"] = project_id
