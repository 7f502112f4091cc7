"""Small helpers for HTTP tests."""

from __future__ import annotations

from typing import Any

import httpx

Client = httpx.AsyncClient


async def call(client: Client, path: str, body: dict[str, Any], status: int = 200) -> Any:
    """POSTs a widget call and checks the status; answers the decoded JSON."""
    response = await client.post(path, json=body)
    assert response.status_code == status, response.text
    return response.json()


async def refused(client: Client, path: str, body: dict[str, Any], status: int, code: str) -> Any:
    """POSTs a call that must be refused with the API.md error body."""
    response = await client.post(path, json=body)
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload["error"] == code, payload
    assert isinstance(payload["detail"], str)
    assert payload["detail"]
    return payload


async def company(client: Client, auth: dict[str, str], company_id: str) -> Any:
    response = await client.get(f"/api/companies/{company_id}", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


async def companies(client: Client, auth: dict[str, str], **params: Any) -> list[Any]:
    response = await client.get("/api/companies", headers=auth, params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def contact(client: Client, auth: dict[str, str], contact_id: str) -> Any:
    response = await client.get(f"/api/contacts/{contact_id}", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


async def history(client: Client, auth: dict[str, str], company_id: str) -> list[Any]:
    response = await client.get(f"/api/companies/{company_id}/history", headers=auth)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])
