"""Every paginated list answers 400 ``invalid_request`` to a cursor halcrm did not make (a key
past the database's range, another spelling of a real one, garbage), never a 500."""

from __future__ import annotations

import base64

import httpx
import pytest

from halcrm.server.app import ServerConfig, create_app
from tests.conftest import TOKEN


def _raw(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


BAD = [
    _raw(str(2**63)).rstrip("="),
    _raw(str(2**64 + 5)).rstrip("="),
    _raw("9" * 400).rstrip("="),
    _raw("-1").rstrip("="),
    _raw("0").rstrip("="),
    _raw("01").rstrip("="),
    _raw(" 1").rstrip("="),
    _raw("1_0").rstrip("="),
    _raw("\u0661").rstrip("="),  # an Arabic-Indic 1, which int() would take
    "MQ==",  # the cursor of 1, padded: not how halcrm spells it
    "!!",
    "é",
    "x" * 2000,
]


# Lists whose cursor is not a bare row key.
NOT_KEYS = {"/api/tasks"}


def _paginated() -> list[str]:
    """Every GET path of the served OpenAPI document that takes a ``cursor``."""
    app = create_app(None, ServerConfig(account_token=TOKEN))  # type: ignore[arg-type]
    schema = app.openapi_schema.to_schema()
    found = []
    for path, item in schema["paths"].items():
        params = item.get("get", {}).get("parameters", [])
        if any(p["name"] == "cursor" for p in params):
            found.append(path)
    return sorted(found)


def test_the_lists_are_found() -> None:
    lists = set(_paginated())
    assert {"/api/companies", "/api/contacts", "/api/activity", "/api/visitors"} <= lists
    assert {"/api/v1/contacts", "/api/v1/conversations"} <= lists


@pytest.mark.parametrize("path", _paginated())
async def test_a_cursor_halcrm_did_not_make_is_400(
    path: str, client: httpx.AsyncClient, auth: dict[str, str], api_key: dict[str, str]
) -> None:
    headers = api_key if path.startswith("/api/v1/") else auth
    for cursor in BAD:
        answer = await client.get(path, params={"cursor": cursor}, headers=headers)
        assert answer.status_code == 400, (cursor, answer.text)
        assert answer.json()["error"] == "invalid_request", answer.text
    # Past a 32-bit key's range: a page (the list's keys are 64-bit) or 400, never a 500 (a
    # list under an id, such as a webhook's deliveries, is 404 here: its id is the template's).
    allowed = (200, 400, 404) if "{" in path else (200, 400)
    for key in (2**31 - 1, 2**31, 2**63 - 1):
        edge = await client.get(
            path, params={"cursor": _raw(str(key)).rstrip("=")}, headers=headers
        )
        assert edge.status_code in allowed, (key, edge.text)
        if edge.status_code == 400:
            # The next steps' cursor is a due time and a key: a bare key is not one of them.
            assert key > 2**31 - 1 or path in NOT_KEYS, edge.text
            assert edge.json()["error"] == "invalid_request", edge.text
