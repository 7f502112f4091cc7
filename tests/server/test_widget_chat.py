"""The widget chat's routes: send, history, attach on identify, limits, idempotency, isolation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from halcrm.services.container import Services
from tests.server.test_identity_verification import sign
from tests.services.test_refusals_write_nothing import dump

M = "/api/widget/chat/messages"


def say(visitor: str, text: str, **fields: Any) -> dict[str, Any]:
    return {"app_id": "local", "visitor_id": visitor, "body": text, **fields}


async def history(client: httpx.AsyncClient, visitor: str, **params: str) -> Any:
    answer = await client.get(M, params={"app_id": "local", "visitor_id": visitor, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_an_anonymous_visitor_opens_a_chat_and_continues_it(
    client: httpx.AsyncClient, api_key: dict[str, str]
) -> None:
    first = await client.post(M, json=say("v1", "hello?"))
    assert first.status_code == 201, first.text
    sent = first.json()
    assert sent["message"]["author"] == "visitor"
    second = (await client.post(M, json=say("v1", "anyone there"))).json()
    assert second["conversation_id"] == sent["conversation_id"]
    shown = await history(client, "v1")
    assert [m["body"] for m in shown["messages"]] == ["hello?", "anyone there"]
    assert shown["name"] is None
    assert shown["status"] == "open"
    # The founder sees it through the public API, with no contact yet.
    talk = await client.get(f"/api/v1/conversations/{sent['conversation_id']}", headers=api_key)
    assert talk.json()["contact_id"] is None
    assert talk.json()["visitor_id"] == "v1"


async def test_identify_attaches_the_chat_to_the_contact_and_its_company(
    client: httpx.AsyncClient, api_key: dict[str, str], auth: dict[str, str]
) -> None:
    sent = (await client.post(M, json=say("v1", "pricing?"))).json()
    ident = {"app_id": "local", "visitor_id": "v1", "email": "jo@acme.com", "name": "Jo"}
    answer = await client.post("/api/widget/identify", json={**ident, "company": {"id": "acme"}})
    assert answer.status_code == 200, answer.text
    talk = (
        await client.get(f"/api/v1/conversations/{sent['conversation_id']}", headers=api_key)
    ).json()
    assert talk["contact_id"] == answer.json()["contact_id"]
    assert talk["company_ids"] == ["acme"]
    assert (await history(client, "v1"))["name"] == "Jo"
    # The next message continues the same chat, now the contact's.
    again = (await client.post(M, json=say("v1", "still there?"))).json()
    assert again["conversation_id"] == sent["conversation_id"]


async def test_a_reply_through_the_public_api_is_in_the_visitors_history(
    client: httpx.AsyncClient, api_key: dict[str, str]
) -> None:
    sent = (await client.post(M, json=say("v1", "hi"))).json()
    reply = await client.post(
        f"/api/v1/conversations/{sent['conversation_id']}/messages",
        json={"author": "agent", "body": "<b>hello</b> Jo"},
        headers=api_key,
    )
    assert reply.status_code == 201, reply.text
    shown = await history(client, "v1")
    assert [(m["author"], m["body"]) for m in shown["messages"]] == [
        ("visitor", "hi"),
        ("agent", "<b>hello</b> Jo"),
    ]


async def test_a_visitor_never_reads_another_visitors_chat(client: httpx.AsyncClient) -> None:
    await client.post(M, json=say("v1", "secret of v1"))
    # v2 claims the same person: it still sees only what it wrote itself.
    for visitor in ("v1", "v2"):
        body = {"app_id": "local", "visitor_id": visitor, "email": "jo@acme.com"}
        assert (await client.post("/api/widget/identify", json=body)).status_code == 200
    assert (await history(client, "v2"))["messages"] == []
    await client.post(M, json=say("v2", "mine"))
    assert [m["body"] for m in (await history(client, "v2"))["messages"]] == ["mine"]
    assert [m["body"] for m in (await history(client, "v1"))["messages"]] == ["secret of v1"]


async def test_a_resend_with_the_same_message_id_is_written_once(
    client: httpx.AsyncClient,
) -> None:
    body = say("v1", "once", message_id="m_1")
    first = await client.post(M, json=body)
    again = await client.post(M, json=body)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len((await history(client, "v1"))["messages"]) == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (say("v1", ""), 400, "invalid_request"),
        (say("v1", "   \n"), 400, "invalid_request"),
        (say("v1", "x" * 2001), 400, "invalid_request"),
        (say("v1", 5), 400, "invalid_request"),  # type: ignore[arg-type]  # not text
        ({"app_id": "local", "body": "no visitor"}, 400, "invalid_request"),
        (say("v1", "hi", app_id="nope"), 404, "unknown_project"),
        ({"visitor_id": "v1", "body": "no project"}, 400, "invalid_request"),
    ],
)
async def test_bad_messages_are_refused_and_write_nothing(
    client: httpx.AsyncClient, services: Services, body: Any, status: int, code: str
) -> None:
    before = dump(services.db.engine)
    answer = await client.post(M, json=body)
    assert (answer.status_code, answer.json()["error"]) == (status, code), answer.text
    assert dump(services.db.engine) == before


@pytest.mark.parametrize(
    "params",
    [
        {"app_id": "local"},
        {"app_id": "local", "visitor_id": ""},
        {"app_id": "local", "visitor_id": "x" * 201},
        {"visitor_id": "v1"},
        {"app_id": "nope", "visitor_id": "v1"},
        {"app_id": "local", "project_id": "other", "visitor_id": "v1"},
    ],
)
async def test_bad_reads_are_refused_with_a_4xx(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    for path in (M, "/api/widget/chat/stream"):
        answer = await client.get(path, params=params)
        assert 400 <= answer.status_code < 500, answer.text
        assert answer.json()["error"]


async def test_with_verification_a_wrong_hash_reads_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    patch = await client.patch(
        "/api/project", json={"identity_verification": "required"}, headers=auth
    )
    assert patch.status_code == 200
    key = (await client.get("/api/project", headers=auth)).json()["secret"]
    ok = await client.post(M, json=say("u1", "hi", user_hash=sign(key, "u1")))
    assert ok.status_code == 201, ok.text
    before = dump(services.db.engine)
    wrong = await client.post(M, json=say("u1", "spoof", user_hash=sign(key, "u2")))
    assert (wrong.status_code, wrong.json()["error"]) == (401, "identity_verification_failed")
    assert dump(services.db.engine) == before
    for path in (M, "/api/widget/chat/stream"):
        params = {"app_id": "local", "visitor_id": "u1", "user_hash": sign(key, "u2")}
        answer = await client.get(path, params=params)
        assert answer.status_code == 401, answer.text
        assert "text/event-stream" not in answer.headers.get("content-type", "")
    shown = await history(client, "u1", user_hash=sign(key, "u1"))
    assert [m["body"] for m in shown["messages"]] == ["hi"]


async def test_chat_messages_have_their_own_rate_limit(client: httpx.AsyncClient) -> None:
    codes = [(await client.post(M, json=say("v1", f"m{i}"))).status_code for i in range(25)]
    assert codes[:20] == [201] * 20
    assert codes[-1] == 429
    # Other visitors are not held back by it.
    assert (await client.post(M, json=say("v2", "hi"))).status_code == 201
