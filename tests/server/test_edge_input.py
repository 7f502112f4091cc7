"""Unauthenticated input that used to answer 500: non-ASCII hashes, deep JSON, NUL characters.

Each is a 400 (401 for a wrong hash) with the API.md error body and writes nothing, on SQLite
and PostgreSQL alike (the ``client`` fixture runs on both backends).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from halcrm.server.edge import MAX_JSON_DEPTH
from tests.server.helpers import call, refused

WIDGET_ROUTES: dict[str, dict[str, Any]] = {
    "/api/widget/identify": {"email": "a@corp.io"},
    "/api/widget/set-properties": {"properties": {"k": 1}},
    "/api/widget/track": {"name": "signup"},
    "/api/widget/set-stage": {"stage": "Qualified"},
    "/api/widget/set-deal": {"deal_value": 10},
}


async def _nothing_written(client, auth, services) -> None:
    kinds = [item.kind for item in (await services.activity.recent()).items]
    assert kinds in ([], ["project_updated"])
    assert (await client.get("/api/contacts", headers=auth)).json()["items"] == []
    assert (await client.get("/api/companies", headers=auth)).json()["items"] == []


async def _post_raw(client, path: str, raw: bytes, headers: dict[str, str] | None = None) -> Any:
    return await client.post(
        path, content=raw, headers={"Content-Type": "application/json", **(headers or {})}
    )


def _error_body(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    payload = response.json()
    assert isinstance(payload["error"], str)
    assert payload["detail"]
    return payload


@pytest.mark.parametrize("path", list(WIDGET_ROUTES))
async def test_a_non_ascii_user_hash_is_simply_wrong(client, widget, auth, services, path):
    answer = await client.patch(
        "/api/project", json={"identity_verification": "required"}, headers=auth
    )
    assert answer.status_code == 200
    body = widget("att", user_hash="é", **WIDGET_ROUTES[path])
    await refused(client, path, body, 401, "identity_verification_failed")
    body = widget("att", user_hash="\u00e9" * 64, **WIDGET_ROUTES[path])
    await refused(client, path, body, 401, "identity_verification_failed")
    await _nothing_written(client, auth, services)


async def test_a_non_ascii_hash_is_only_unverified_where_not_required(client, widget):
    answer = await call(client, "/api/widget/identify", widget(email="a@corp.io", user_hash="é"))
    assert answer["verified"] is False


@pytest.mark.parametrize(
    "path", ["/api/widget/set-properties", "/api/widget/identify", "/api/companies"]
)
async def test_json_nested_a_thousand_levels_is_400(client, auth, services, path):
    deep = b"[" * 1200 + b"]" * 1200
    raw = b'{"app_id":"local","visitor_id":"v","name":"x","properties":' + deep + b"}"
    assert len(raw) > 2000
    payload = _error_body(await _post_raw(client, path, raw, auth), 400)
    assert payload["error"] == "invalid_request"
    assert f"deeper than {MAX_JSON_DEPTH}" in payload["detail"]
    # 20 KB of objects, the issue's own reproduction.
    objects = b'{"a":' * 4000 + b"1" + b"}" * 4000
    raw = b'{"app_id":"local","visitor_id":"v","properties":' + objects + b"}"
    _error_body(await _post_raw(client, path, raw, auth), 400)
    await _nothing_written(client, auth, services)


async def test_brackets_inside_strings_do_not_count_as_nesting(client, widget):
    text = "[{" * 500
    answer = await call(client, "/api/widget/set-properties", widget(properties={"t": text}))
    assert answer["visitor_id"] == "v1"


NUL_WIDGET_BODIES = [
    ("/api/widget/identify", {"visitor_id": "v\x00"}),
    ("/api/widget/identify", {"email": "a@corp.io", "name": "A\x00"}),
    ("/api/widget/identify", {"email": "a@corp.io", "metadata": {"k\x00": 1}}),
    ("/api/widget/identify", {"email": "a@corp.io", "metadata": {"k": {"deep": ["x\x00"]}}}),
    ("/api/widget/identify", {"email": "a@corp.io", "company": {"id": "acme\x00"}}),
    ("/api/widget/identify", {"email": "a@corp.io", "company": {"name": "Acme\x00"}}),
    ("/api/widget/set-properties", {"properties": {"plan": "pro\x00"}}),
    ("/api/widget/track", {"name": "sign\x00up"}),
    ("/api/widget/track", {"name": "signup", "value": "\x00"}),
    ("/api/widget/set-stage", {"stage": "Lead\x00"}),
]


@pytest.mark.parametrize(("path", "fields"), NUL_WIDGET_BODIES)
async def test_nul_in_any_widget_string_is_400(client, widget, auth, services, path, fields):
    body = {**widget("v1", **WIDGET_ROUTES[path]), **fields}
    payload = await refused(client, path, body, 400, "invalid_request")
    assert "NUL" in payload["detail"]
    await _nothing_written(client, auth, services)


async def test_nul_in_account_and_public_api_bodies_is_400(client, auth, api_key, services):
    answer = await client.post("/api/companies", json={"name": "Acme\x00"}, headers=auth)
    assert _error_body(answer, 400)["error"] == "invalid_request"
    answer = await client.post("/api/contacts", json={"email": "a\x00@corp.io"}, headers=auth)
    _error_body(answer, 400)
    answer = await client.post("/api/v1/contacts", json={"name": "A\x00"}, headers=api_key)
    _error_body(answer, 400)
    await _nothing_written(client, auth, services)


@pytest.mark.parametrize(
    "url",
    [
        "/api/companies?q=%00",
        "/api/companies?q=a%00b",
        "/api/contacts?email=a%00@corp.io",
        "/api/contacts?q=%00",
        "/api/companies/acme%00",
        "/api/v1/conversations?contact_id=%00",
        "/api/v1/contacts/ct%00",
    ],
)
async def test_nul_in_query_parameters_and_path_ids_is_400(client, auth, api_key, url):
    await client.post("/api/companies", json={"name": "Acme", "id": "acme"}, headers=auth)
    answer = await client.get(url, headers={**auth, **api_key})
    payload = _error_body(answer, 400)
    assert payload["error"] == "invalid_request"
    assert "NUL" in payload["detail"]
    # The company created above is the only record: q=%00 never matched "every row".
    listed = await client.get("/api/companies", headers=auth)
    assert [c["id"] for c in listed.json()["items"]] == ["acme"]


async def test_an_escaped_backslash_before_u0000_is_not_a_nul(client, widget, auth):
    raw = json.dumps(widget(properties={"path": "C:\\u0000"})).encode()
    assert b"\\\\u0000" in raw
    answer = await _post_raw(client, "/api/widget/set-properties", raw)
    assert answer.status_code == 200, answer.text
    activity = (await client.get("/api/activity", headers=auth)).json()["items"]
    assert activity


async def test_malformed_json_is_400_with_the_error_body(client, auth, services):
    answer = await _post_raw(client, "/api/widget/identify", b'{"app_id":"local",')
    payload = _error_body(answer, 400)
    assert payload["error"] == "invalid_request"
    assert "not valid JSON" in payload["detail"]
    await _nothing_written(client, auth, services)
