"""Contact writes say who made them, as company writes do: the account API's PATCH and DELETE
honour ``X-Halcrm-Source`` (the ``--connect`` board's edits read as ``board`` in the activity),
and the public API's contacts (the same handlers) are always ``public_api``."""

from __future__ import annotations

from typing import Any

import httpx

from halcrm.services.container import Services

BOARD = {"X-Halcrm-Source": "board"}


async def made(client: httpx.AsyncClient, headers: dict[str, str], email: str) -> str:
    created = await client.post("/api/contacts", json={"email": email}, headers=headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def sources(client: httpx.AsyncClient, auth: dict[str, str], kind: str) -> list[Any]:
    """``(contact id, source)`` of each ``kind`` item of the activity feed, newest first."""
    feed = await client.get("/api/activity", headers=auth, params={"limit": 100})
    assert feed.status_code == 200, feed.text
    items = [item for item in feed.json()["items"] if item["kind"] == kind]
    return [(item["data"]["contact_id"], item["source"]) for item in items]


async def test_a_board_edit_and_delete_of_a_contact_read_as_the_boards(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    ann = await made(client, auth, "ann@corp.io")
    bob = await made(client, auth, "bob@corp.io")
    edited = await client.patch(f"/api/contacts/{ann}", json={"name": "Ann"}, headers=auth | BOARD)
    assert edited.status_code == 200, edited.text
    plain = await client.patch(f"/api/contacts/{bob}", json={"name": "Bob"}, headers=auth)
    assert plain.status_code == 200, plain.text
    assert await sources(client, auth, "contact_updated") == [
        (bob, "account_api"),
        (ann, "board"),
    ]
    gone = await client.delete(f"/api/contacts/{ann}", headers=auth | BOARD)
    assert gone.json() == {"id": ann, "deleted": True}
    await client.delete(f"/api/contacts/{bob}", headers=auth)
    assert await sources(client, auth, "contact_deleted") == [
        (bob, "account_api"),
        (ann, "board"),
    ]


async def test_an_unknown_source_is_refused_and_the_contact_kept(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    ann = await made(client, auth, "ann@corp.io")
    headers = auth | {"X-Halcrm-Source": "widget"}
    edited = await client.patch(f"/api/contacts/{ann}", json={"name": "Ann"}, headers=headers)
    assert edited.status_code == 400, edited.text
    assert edited.json()["error"] == "invalid_request"
    assert "X-Halcrm-Source" in edited.json()["detail"]
    assert (await client.delete(f"/api/contacts/{ann}", headers=headers)).status_code == 400
    kept = await services.contacts.get(ann)  # neither written
    assert (kept.email, kept.name) == ("ann@corp.io", None)
    assert await sources(client, auth, "contact_updated") == []


async def test_the_public_api_writes_as_itself_whatever_the_request_says(
    client: httpx.AsyncClient, auth: dict[str, str], api_key: dict[str, str]
) -> None:
    headers = api_key | BOARD
    created = await client.post("/api/v1/contacts", json={"email": "cy@corp.io"}, headers=headers)
    assert created.status_code == 201, created.text
    cy = created.json()["id"]
    edited = await client.patch(f"/api/v1/contacts/{cy}", json={"name": "Cy"}, headers=headers)
    assert edited.status_code == 200, edited.text
    assert await sources(client, auth, "contact_created") == [(cy, "public_api")]
    assert await sources(client, auth, "contact_updated") == [(cy, "public_api")]
