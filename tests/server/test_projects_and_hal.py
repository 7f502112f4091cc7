"""Any project of the database is served, with no start flag: HAL's documented widget
examples, run verbatim (as data) against ``proj_123``, land there and only there."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx

from halcrm.services.container import Services

# HAL's documented payloads (../shared/HAL-COMPAT.md), verbatim.
HAL_MINIMAL = {"app_id": "proj_123", "visitor_id": "user_456", "email": "alice@acme.com"}
HAL_RECOMMENDED: dict[str, Any] = {
    "visitor_id": "user_456",
    "user_id": "user_456",
    "email": "alice@acme.com",
    "name": "Alice",
    "metadata": {"plan": "enterprise", "role": "admin"},
    "company": {
        "id": "acme",
        "name": "Acme Inc",
        "stage": "Qualified",
        "metadata": {"arr_band": "50k-100k", "crm_owner": "Sam"},
    },
}
A = "/api/widget/"


async def _project(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    made = await client.post("/api/projects", json={"id": "proj_123"}, headers=auth)
    assert made.status_code == 201, made.text
    assert made.json()["id"] == "proj_123"


def _in(project: str, auth: dict[str, str]) -> dict[str, str]:
    return {**auth, "X-Project-Id": project}


async def test_a_project_is_created_once(client: httpx.AsyncClient, auth: dict[str, str]):
    await _project(client, auth)
    again = await client.post("/api/projects", json={"id": "proj_123"}, headers=auth)
    assert (again.status_code, again.json()["error"]) == (409, "already_exists")
    bad = await client.post("/api/projects", json={"id": "no spaces"}, headers=auth)
    assert bad.status_code == 400
    ids = [p["id"] for p in (await client.get("/api/projects", headers=auth)).json()["items"]]
    assert ids == ["local", "proj_123"]


async def test_hal_examples_land_in_their_project_only(
    client: httpx.AsyncClient, auth: dict[str, str]
):
    await _project(client, auth)
    first = await client.post(A + "identify", json=HAL_MINIMAL)
    assert first.status_code == 200, first.text
    for key in ("app_id", "project_id"):
        answer = await client.post(A + "identify", json={**HAL_RECOMMENDED, key: "proj_123"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["company_ids"] == ["acme"]
    deal = await client.post(
        A + "set-deal",
        json={
            "app_id": "proj_123",
            "visitor_id": "user_456",
            "deal_value": 12500,
            "company_id": "acme",
        },
    )
    assert deal.status_code == 200, deal.text
    acme = await client.get("/api/companies/acme", headers=_in("proj_123", auth))
    assert (acme.json()["stage"], acme.json()["deal_value"]) == ("Qualified", 12500)
    assert acme.json()["metadata"] == {"arr_band": "50k-100k", "crm_owner": "Sam"}
    # The server's own project saw none of it.
    local = await client.get("/api/companies/acme", headers=auth)
    assert local.status_code == 404
    seen = await client.get("/api/visitors", headers=_in("proj_123", auth))
    visitor = seen.json()["items"][0]
    assert (visitor["visitor_id"], visitor["contact_email"]) == ("user_456", "alice@acme.com")
    assert (await client.get("/api/visitors", headers=auth)).json()["items"] == []


async def test_hal_closed_won_keeps_the_contact_and_says_why(
    client: httpx.AsyncClient, auth: dict[str, str]
):
    await _project(client, auth)
    body = {**HAL_RECOMMENDED, "app_id": "proj_123"}
    body["company"] = {**body["company"], "stage": "Closed Won"}
    answer = await client.post(A + "identify", json=body)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["stage"]["applied"], answer.json()["stage"]["reason"]) == (
        False,
        "unknown_stage",
    )
    contact = answer.json()["contact_id"]
    shown = await client.get(f"/api/contacts/{contact}", headers=_in("proj_123", auth))
    assert shown.json()["metadata"] == {"plan": "enterprise", "role": "admin"}


async def test_hal_node_hmac_verifies_in_its_project(
    client: httpx.AsyncClient, auth: dict[str, str]
):
    await _project(client, auth)
    where = _in("proj_123", auth)
    assert (
        await client.patch(
            "/api/project", json={"identity_verification": "required"}, headers=where
        )
    ).status_code == 200
    secret = (await client.get("/api/project", headers=where)).json()["secret"]
    # crypto.createHmac('sha256', secret).update(visitorId).digest('hex')
    user_hash = hmac.new(secret.encode(), b"user_456", hashlib.sha256).hexdigest()
    signed: dict[str, Any] = {**HAL_RECOMMENDED, "app_id": "proj_123", "user_hash": user_hash}
    answer = await client.post(A + "identify", json=signed)
    assert (answer.status_code, answer.json()["verified"]) == (200, True), answer.text
    unsigned = await client.post(A + "identify", json={**HAL_RECOMMENDED, "app_id": "proj_123"})
    assert unsigned.status_code == 401
    # The server's own project does not require it.
    assert (await client.post(A + "identify", json={**HAL_MINIMAL, "app_id": "local"})).is_success


async def test_a_public_api_key_works_on_its_own_project(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services
):
    await _project(client, auth)
    assert (await client.post(A + "identify", json=HAL_MINIMAL)).status_code == 200
    await client.post(
        A + "identify", json={**HAL_MINIMAL, "app_id": "local", "email": "bob@local.dev"}
    )
    key = (await services.for_project("proj_123").api_keys.create("hal")).key
    listed = await client.get("/api/v1/contacts", headers={"X-API-Key": key})
    assert [c["email"] for c in listed.json()["items"]] == ["alice@acme.com"]


async def test_an_unknown_project_is_a_404(client: httpx.AsyncClient, auth: dict[str, str]):
    answer = await client.get("/api/companies", headers=_in("nope", auth))
    assert (answer.status_code, answer.json()["error"]) == (404, "unknown_project")
