"""The public API (/api/v1, X-API-Key): keys, contacts, conversations, messages, history."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from halcrm.db.models import ApiKey
from halcrm.domain.events import EventKind
from tests.server.helpers import call, company, history

IDENTIFY = "/api/widget/identify"


async def _contact_with_company(client, widget) -> str:
    answer = await call(
        client,
        IDENTIFY,
        widget("v1", email="jane@acme.com", company={"id": "acme", "name": "Acme"}),
    )
    return answer["contact_id"]


async def test_key_is_shown_once_and_stored_only_as_a_hash(services):
    made = await services.api_keys.create("backend")
    assert made.key.startswith("hcrm_live_")
    assert made.prefix == made.key[:16]

    def rows(tx):
        return [(r.key_hash, r.prefix, r.name) for r in tx.session.scalars(select(ApiKey))]

    ((stored_hash, prefix, name),) = await services.db.read(rows)
    assert stored_hash == hashlib.sha256(made.key.encode()).hexdigest()
    assert made.key not in (stored_hash, prefix, name)
    listed = await services.api_keys.all()
    assert [k.id for k in listed] == [made.id]
    assert not hasattr(listed[0], "key")


async def test_wrong_and_revoked_keys_are_refused(client, services):
    made = await services.api_keys.create("x")
    ok = await client.get("/api/v1/contacts", headers={"X-API-Key": made.key})
    assert ok.status_code == 200
    # A one-character change (never the same character: keys are random).
    altered = made.key[:-1] + ("A" if made.key[-1] != "A" else "B")
    for bad in ("", "hcrm_live_nope", altered, "Bearer " + made.key):
        answer = await client.get("/api/v1/contacts", headers={"X-API-Key": bad})
        assert answer.status_code == 401, bad
        assert answer.json()["error"] == "unauthorized"
    await services.api_keys.revoke(made.id)
    answer = await client.get("/api/v1/contacts", headers={"X-API-Key": made.key})
    assert answer.status_code == 401
    assert "revoked" in answer.json()["detail"]


async def test_account_token_does_not_open_the_public_api(client, auth):
    answer = await client.get("/api/v1/contacts", headers=auth)
    assert answer.status_code == 401


async def test_v1_contacts_follow_the_account_rules(client, api_key, services):
    created = await client.post(
        "/api/v1/contacts",
        headers=api_key,
        json={"email": "Bob@Corp.io", "name": "Bob", "metadata": {"plan": "pro", "seats": 2}},
    )
    assert created.status_code == 201, created.text
    bob = created.json()
    assert bob["email"] == "bob@corp.io"
    assert bob["company_ids"] == []
    again = await client.post("/api/v1/contacts", headers=api_key, json={"email": "bob@corp.io"})
    assert again.status_code == 409
    assert again.json()["error"] == "already_exists"
    edited = await client.patch(
        f"/api/v1/contacts/{bob['id']}", headers=api_key, json={"metadata": {"seats": None}}
    )
    assert edited.status_code == 200
    assert edited.json()["metadata"] == {"plan": "pro"}
    found = await client.get("/api/v1/contacts", headers=api_key, params={"email": "BOB@corp.io"})
    assert [c["id"] for c in found.json()["items"]] == [bob["id"]]
    assert (await client.get("/api/v1/contacts/nope", headers=api_key)).status_code == 404
    feed = await services.activity.recent()
    assert {item.source for item in feed.items} == {"public_api"}


async def test_conversation_lifecycle_and_messages(client, api_key, widget, auth):
    contact_id = await _contact_with_company(client, widget)
    before = (await company(client, auth, "acme"))["last_activity_at"]
    created = await client.post(
        "/api/v1/conversations",
        headers=api_key,
        json={
            "contact_id": contact_id,
            "subject": "Invoice",
            "message": {"author": "contact", "body": "Where is my invoice?"},
        },
    )
    assert created.status_code == 201, created.text
    conv = created.json()
    assert conv["status"] == "open"
    assert conv["company_ids"] == ["acme"]
    assert [m["body"] for m in conv["messages"]] == ["Where is my invoice?"]
    cid = conv["id"]

    snoozed = await client.patch(
        f"/api/v1/conversations/{cid}",
        headers=api_key,
        json={"status": "snoozed", "snoozed_until": "2030-01-01T09:00:00Z"},
    )
    assert snoozed.status_code == 200, snoozed.text
    assert snoozed.json()["status"] == "snoozed"
    assert snoozed.json()["snoozed_until"].startswith("2030-01-01T09:00:00")

    reply = await client.post(
        f"/api/v1/conversations/{cid}/messages",
        headers=api_key,
        json={"author": "agent", "body": "Sent it."},
    )
    assert reply.status_code == 201
    assert (await client.get(f"/api/v1/conversations/{cid}", headers=api_key)).json()[
        "status"
    ] == "snoozed"
    back = await client.post(
        f"/api/v1/conversations/{cid}/messages",
        headers=api_key,
        json={"author": "contact", "body": "Thanks!"},
    )
    assert back.status_code == 201
    shown = (await client.get(f"/api/v1/conversations/{cid}", headers=api_key)).json()
    assert shown["status"] == "open"
    assert shown["snoozed_until"] is None
    assert shown["message_count"] == 3
    assert [m["author"] for m in shown["messages"]] == ["contact", "agent", "contact"]

    resolved = await client.patch(
        f"/api/v1/conversations/{cid}", headers=api_key, json={"status": "resolved"}
    )
    assert resolved.json()["status"] == "resolved"
    listed = await client.get(
        "/api/v1/conversations", headers=api_key, params={"status": "resolved"}
    )
    assert [c["id"] for c in listed.json()["items"]] == [cid]
    by_contact = await client.get(
        "/api/v1/conversations", headers=api_key, params={"contact_id": contact_id}
    )
    assert [c["id"] for c in by_contact.json()["items"]] == [cid]
    after = (await company(client, auth, "acme"))["last_activity_at"]
    assert after >= before


async def test_conversations_show_in_the_company_history(client, api_key, widget, auth):
    contact_id = await _contact_with_company(client, widget)
    await call(client, "/api/widget/track", widget("v1", name="signup", company_id="acme"), 201)
    conv = await client.post(
        "/api/v1/conversations",
        headers=api_key,
        json={"contact_id": contact_id, "subject": "Hello"},
    )
    cid = conv.json()["id"]
    await client.post(
        f"/api/v1/conversations/{cid}/messages",
        headers=api_key,
        json={"author": "agent", "body": "Welcome aboard"},
    )
    items = await history(client, auth, "acme")
    types = [item["type"] for item in items]
    assert {"event", "conversation", "message"} <= set(types)
    conversation = next(i for i in items if i["type"] == "conversation")
    assert conversation["conversation_id"] == cid
    assert conversation["subject"] == "Hello"
    assert conversation["contact_id"] == contact_id
    message = next(i for i in items if i["type"] == "message")
    assert message["body"] == "Welcome aboard"
    assert message["author"] == "agent"
    event = next(i for i in items if i["type"] == "event")
    assert event["name"] == "signup"


async def test_conversation_and_message_events_reach_the_bus(client, api_key, widget, services):
    contact_id = await _contact_with_company(client, widget)
    sub = services.bus.subscribe()
    try:
        conv = await client.post(
            "/api/v1/conversations", headers=api_key, json={"contact_id": contact_id}
        )
        await client.post(
            f"/api/v1/conversations/{conv.json()['id']}/messages",
            headers=api_key,
            json={"author": "contact", "body": "Hi"},
        )
        first, second = sub.get_nowait(), sub.get_nowait()
    finally:
        sub.close()
    assert (first.kind, second.kind) == (EventKind.CONVERSATION, EventKind.MESSAGE)
    assert first.company_id == second.company_id == "acme"
    assert second.source == "public_api"


async def test_bad_conversation_requests_write_nothing(client, api_key, widget, services):
    contact_id = await _contact_with_company(client, widget)
    before = len((await services.activity.recent()).items)
    cases = [
        ({"contact_id": "nope"}, 404),
        ({"contact_id": contact_id, "status": "closed"}, 400),
        ({"contact_id": contact_id, "snoozed_until": "2030-01-01T00:00:00Z"}, 400),
        ({"contact_id": contact_id, "status": "snoozed", "snoozed_until": "2030-01-01"}, 400),
        ({"contact_id": contact_id, "message": {"author": "bot", "body": "x"}}, 400),
        ({"contact_id": contact_id, "message": {"author": "agent", "body": ""}}, 400),
    ]
    for body, status in cases:
        answer = await client.post("/api/v1/conversations", headers=api_key, json=body)
        assert answer.status_code == status, (body, answer.text)
        assert set(answer.json()) >= {"error", "detail"}
    missing = await client.post(
        "/api/v1/conversations/nope/messages",
        headers=api_key,
        json={"author": "agent", "body": "x"},
    )
    assert missing.status_code == 404
    assert len((await services.activity.recent()).items) == before
    listed = await client.get("/api/v1/conversations", headers=api_key)
    assert listed.json()["items"] == []


async def test_deleting_a_contact_takes_its_conversations(client, api_key, widget, auth):
    contact_id = await _contact_with_company(client, widget)
    conv = await client.post(
        "/api/v1/conversations",
        headers=api_key,
        json={"contact_id": contact_id, "message": {"author": "contact", "body": "Hi"}},
    )
    assert conv.status_code == 201
    gone = await client.delete(f"/api/contacts/{contact_id}", headers=auth)
    assert gone.status_code == 200, gone.text
    answer = await client.get(f"/api/v1/conversations/{conv.json()['id']}", headers=api_key)
    assert answer.status_code == 404
    items = await history(client, auth, "acme")
    assert not [i for i in items if i["type"] in ("conversation", "message")]
