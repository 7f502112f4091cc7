"""The OpenAPI document matches what is served: every path's OPTIONS and 405 answers name the
methods the document declares, the two event streams are documented as text/event-stream, and
every write documents 413."""

from __future__ import annotations

from typing import Any

import httpx

WRITES = {"post", "put", "patch", "delete"}


async def _document(client: httpx.AsyncClient) -> dict[str, Any]:
    answer = await client.get("/schema/openapi.json")
    assert answer.status_code == 200
    return dict(answer.json())


def _methods(header: str) -> set[str]:
    return {m.strip().upper() for m in header.split(",") if m.strip()} - {"OPTIONS", "HEAD"}


async def test_allow_names_every_documented_method_of_each_path(
    client: httpx.AsyncClient, auth: dict[str, str], api_key: dict[str, str]
) -> None:
    document = await _document(client)
    wrong = []
    for path, item in document["paths"].items():
        declared = {m.upper() for m in item if m in {"get", *WRITES}}
        concrete = path.replace("{", "x-").replace("}", "")
        headers = api_key if path.startswith("/api/v1/") else auth
        options = await client.options(concrete, headers=headers)
        if "allow" in options.headers and _methods(options.headers["allow"]) != declared:
            wrong.append(f"OPTIONS {path}: {options.headers['allow']} (declared {declared})")
        missing = sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - declared)
        if missing and not path.startswith("/api/widget/"):
            refused = await client.request(missing[0], concrete, headers=headers)
            if refused.status_code == 405 and _methods(refused.headers["allow"]) != declared:
                wrong.append(f"{missing[0]} {path}: {refused.headers['allow']}")
    assert wrong == []


async def test_the_account_paths_answer_options_with_their_methods(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """The paths Litestar answered with one method (GET missing beside PATCH, and so on)."""
    expected = {
        "/api/project": {"GET", "PATCH"},
        "/api/companies": {"GET", "POST"},
        "/api/companies/acme": {"GET", "PATCH", "DELETE"},
        "/api/contacts/c1/companies/acme": {"PUT", "DELETE"},
    }
    for path, methods in expected.items():
        answer = await client.options(path, headers=auth)
        assert answer.status_code == 204, answer.text
        assert _methods(answer.headers["allow"]) == methods, path


async def test_the_streams_are_documented_as_event_streams(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    for path, data in (("/api/events", "ActivityItem"), ("/api/widget/chat/stream", "ChatMessage")):
        ok = document["paths"][path]["get"]["responses"]["200"]["content"]
        assert list(ok) == ["text/event-stream"], path
        event = ok["text/event-stream"]["schema"]["items"]
        content = event["properties"]["data"]["contentSchema"]["$ref"]
        assert content == f"#/components/schemas/{data}"
        assert data in document["components"]["schemas"]


async def test_every_write_documents_413(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in WRITES:
                assert "413" in operation["responses"], (method, path)
