"""A deleted contact comes back whole from its snapshot (the board's undo, over the account API
as the ``--connect`` board sends it): its company links, its conversations and their messages,
its visitors', events' and next steps' link to it. A restore that cannot be done is refused
and writes nothing."""

from __future__ import annotations

from typing import Any

import httpx

from halcrm.services.container import Services
from tests.services.test_refusals_write_nothing import dump

W = {"app_id": "local", "visitor_id": "v1"}


async def seeded_jane(client: httpx.AsyncClient, auth: dict[str, str], key: dict[str, str]) -> str:
    """Jane: identified on the website (visitor v1) at Acme, linked to Globex too, a tracked
    milestone, a website chat, an email conversation of two messages, a next step with her."""
    answer = await client.post(
        "/api/companies", json={"id": "globex", "name": "Globex"}, headers=auth
    )
    assert answer.status_code == 201, answer.text
    identify = {**W, "email": "jane@acme.example", "name": "Jane", "company": {"id": "acme"}}
    assert (await client.post("/api/widget/identify", json=identify)).status_code == 200
    jane = await client.get("/api/contacts", params={"email": "jane@acme.example"}, headers=auth)
    contact = jane.json()["items"][0]["id"]
    link = await client.put(f"/api/contacts/{contact}/companies/globex", headers=auth)
    assert link.status_code == 200, link.text
    track = {**W, "name": "trial-started", "company_id": "acme"}
    assert (await client.post("/api/widget/track", json=track)).status_code == 201
    chat = {**W, "body": "Is there an annual plan?"}
    assert (await client.post("/api/widget/chat/messages", json=chat)).status_code == 201
    talk = await client.post(
        "/api/v1/conversations",
        headers=key,
        json={
            "contact_id": contact,
            "subject": "Invoice",
            "message": {"author": "contact", "body": "Please put our new address on it."},
        },
    )
    assert talk.status_code == 201, talk.text
    reply = {"author": "agent", "body": "Done, see the attachment."}
    sent = await client.post(
        f"/api/v1/conversations/{talk.json()['id']}/messages", json=reply, headers=key
    )
    assert sent.status_code == 201, sent.text
    step = {"company_id": "acme", "title": "Call Jane", "due": "2026-12-01", "contact_id": contact}
    assert (await client.post("/api/tasks", json=step, headers=auth)).status_code == 201
    return str(contact)


async def everything_of(
    client: httpx.AsyncClient, auth: dict[str, str], key: dict[str, str], contact: str
) -> dict[str, Any]:
    """What a user reads about the contact: the record, each conversation with its messages,
    its visitors, the next steps and Acme's history entries that name it."""
    record = (await client.get(f"/api/contacts/{contact}", headers=auth)).json()
    listed = await client.get("/api/v1/conversations", params={"contact_id": contact}, headers=key)
    talks = [
        (await client.get(f"/api/v1/conversations/{c['id']}", headers=key)).json()
        for c in listed.json()["items"]
    ]
    visitors = await client.get("/api/visitors", params={"contact_id": contact}, headers=auth)
    tasks = await client.get("/api/tasks", params={"company_id": "acme"}, headers=auth)
    history = await client.get("/api/companies/acme/history", headers=auth)
    return {
        "contact": record,
        "conversations": talks,
        "visitors": [(v["visitor_id"], v["contact_id"]) for v in visitors.json()["items"]],
        "tasks": [(t["title"], t["contact_id"]) for t in tasks.json()["items"]],
        "history": [
            (h["type"], h["id"], h["contact_id"])
            for h in history.json()["items"]
            if h["type"] in ("event", "conversation", "message")
        ],
    }


async def test_a_deleted_contact_comes_back_with_everything(
    services: Services, client: httpx.AsyncClient, auth: dict[str, str], api_key: dict[str, str]
) -> None:
    contact = await seeded_jane(client, auth, api_key)
    before = await everything_of(client, auth, api_key, contact)
    assert len(before["conversations"]) == 2
    assert sum(len(t["messages"]) for t in before["conversations"]) == 3
    assert before["visitors"] == [("v1", contact)]
    assert before["tasks"] == [("Call Jane", contact)]

    snapshot = await client.get(f"/api/contacts/{contact}/snapshot", headers=auth)
    assert snapshot.status_code == 200, snapshot.text
    deleted = await client.delete(f"/api/contacts/{contact}", headers=auth)
    assert deleted.status_code == 200, deleted.text
    assert (await client.get(f"/api/contacts/{contact}", headers=auth)).status_code == 404
    visitors = (await client.get("/api/visitors", headers=auth)).json()["items"]
    assert [(v["visitor_id"], v["contact_id"]) for v in visitors] == [("v1", None)]
    tasks = (await client.get("/api/tasks", headers=auth)).json()["items"]
    assert [(t["title"], t["contact_id"]) for t in tasks] == [("Call Jane", None)]
    talks = (await client.get("/api/v1/conversations", headers=api_key)).json()["items"]
    assert talks == []

    restored = await client.post(
        "/api/contacts/restores",
        json=snapshot.json(),
        headers={**auth, "X-Halcrm-Source": "board"},
    )
    assert restored.status_code == 201, restored.text
    assert restored.json()["company_ids"] == ["acme", "globex"]
    assert await everything_of(client, auth, api_key, contact) == before
    # The restore is in the activity log as the board's, naming the companies it is back in.
    latest = (await services.activity.recent(limit=1)).items[0]
    assert (latest.kind, latest.source) == ("contact_created", "board")
    assert "restored" in latest.summary


async def test_a_restore_that_cannot_be_done_writes_nothing(
    services: Services, client: httpx.AsyncClient, auth: dict[str, str], api_key: dict[str, str]
) -> None:
    contact = await seeded_jane(client, auth, api_key)
    snapshot = (await client.get(f"/api/contacts/{contact}/snapshot", headers=auth)).json()
    # Not deleted: the id is held.
    before = dump(services.db.engine)
    held = await client.post("/api/contacts/restores", json=snapshot, headers=auth)
    assert (held.status_code, held.json()["error"]) == (409, "already_exists")
    assert dump(services.db.engine) == before

    assert (await client.delete(f"/api/contacts/{contact}", headers=auth)).status_code == 200
    # Meanwhile the website made a new contact with Jane's email: nothing comes back.
    again = await client.post("/api/contacts", json={"email": "jane@acme.example"}, headers=auth)
    assert again.status_code == 201, again.text
    before = dump(services.db.engine)
    taken = await client.post("/api/contacts/restores", json=snapshot, headers=auth)
    assert (taken.status_code, taken.json()["error"]) == (409, "already_exists")
    assert "jane@acme.example" in taken.json()["detail"]
    assert dump(services.db.engine) == before

    bad_rows: list[dict[str, Any]] = [
        {**snapshot, "contact": {**snapshot["contact"], "colour": "red"}},
        {**snapshot, "contact": {**snapshot["contact"], "id": "x" * 65}},
        {**snapshot, "links": [{"company_pk": "acme", "created_at": "2026-11-27T12:00:00Z"}]},
        {**snapshot, "conversations": [{"conversation": {"id": "cv_1"}, "messages": []}]},
        {**snapshot, "visitor_pks": ["v1"]},
        {**snapshot, "contact": {**snapshot["contact"], "created_at": "0001-01-01T00:00+14:00"}},
        {**snapshot, "contact": {**snapshot["contact"], "updated_at": "yesterday"}},
    ]
    for body in bad_rows:
        body = {**body, "contact": {**body["contact"], "email": "other@acme.example"}}
        answer = await client.post("/api/contacts/restores", json=body, headers=auth)
        assert (answer.status_code, answer.json()["error"]) == (400, "invalid_request"), body
        assert dump(services.db.engine) == before


async def test_a_huge_key_in_a_snapshot_finds_nothing(
    services: Services, client: httpx.AsyncClient, auth: dict[str, str], api_key: dict[str, str]
) -> None:
    """Keys a snapshot names that no row of the project has (another project's, or beyond
    what the database holds) are left out, never a server error."""
    contact = await seeded_jane(client, auth, api_key)
    snapshot = (await client.get(f"/api/contacts/{contact}/snapshot", headers=auth)).json()
    assert (await client.delete(f"/api/contacts/{contact}", headers=auth)).status_code == 200
    body = {**snapshot, "visitor_pks": [2**63 + 5], "event_pks": [-1], "task_pks": [10**9]}
    answer = await client.post("/api/contacts/restores", json=body, headers=auth)
    assert answer.status_code == 201, answer.text
    visitors = await client.get("/api/visitors", params={"contact_id": contact}, headers=auth)
    assert visitors.json()["items"] == []
