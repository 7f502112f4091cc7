"""Idempotent writes (API.md, Idempotency): a repeat is answered from the first answer and
writes nothing; another body under the same key is refused; concurrent repeats write once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from halcrm.services.container import Services
from tests.services.test_refusals_write_nothing import dump

A = "/api/widget/"


async def _identified(client: httpx.AsyncClient, widget) -> None:
    body = widget("v1", email="a@acme.com", company={"id": "acme", "name": "Acme"})
    assert (await client.post(A + "identify", json=body)).status_code == 200


async def test_a_repeated_key_replays_the_first_answer_and_writes_nothing(
    client: httpx.AsyncClient, services: Services, widget
) -> None:
    await _identified(client, widget)
    headers = {"Idempotency-Key": "track-1"}
    body = widget("v1", name="trial-started", company_id="acme")
    first = await client.post(A + "track", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    before = dump(services.db.engine)
    again = await client.post(A + "track", json=body, headers=headers)
    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    assert dump(services.db.engine) == before


async def test_a_message_id_in_a_widget_body_works_as_a_key(
    client: httpx.AsyncClient, services: Services, widget
) -> None:
    await _identified(client, widget)
    body = widget("v1", name="plan-upgraded", message_id="m-1")
    first = await client.post(A + "track", json=body)
    again = await client.post(A + "track", json=body)
    assert again.json() == first.json()
    events = [e for e in (await services.activity.recent()).items if e.kind == "track"]
    assert len(events) == 1


async def test_the_same_key_with_another_body_is_refused(
    client: httpx.AsyncClient, services: Services, auth: dict[str, str]
) -> None:
    headers = {**auth, "Idempotency-Key": "create-1"}
    made = await client.post("/api/companies", json={"name": "Acme"}, headers=headers)
    assert made.status_code == 201, made.text
    before = dump(services.db.engine)
    other = await client.post("/api/companies", json={"name": "Globex"}, headers=headers)
    assert (other.status_code, other.json()["error"]) == (409, "idempotency_key_reused")
    assert dump(services.db.engine) == before


async def test_keys_are_per_route_and_a_refusal_is_not_remembered(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    headers = {**auth, "Idempotency-Key": "k"}
    refused = await client.post(
        "/api/companies", json={"name": "A", "stage": "Nope"}, headers=headers
    )
    assert refused.status_code == 400
    made = await client.post("/api/companies", json={"name": "A"}, headers=headers)
    assert made.status_code == 201, made.text
    edit = await client.patch(
        f"/api/companies/{made.json()['id']}", json={"name": "B"}, headers=headers
    )
    assert (edit.status_code, edit.json()["name"]) == (200, "B")


async def test_concurrent_repeats_write_once(
    client: httpx.AsyncClient, services: Services, widget
) -> None:
    await _identified(client, widget)
    body = widget("v1", name="deal-risk-changed", value="high", company_id="acme")
    answers = await asyncio.gather(
        *(
            client.post(A + "track", json=body, headers={"Idempotency-Key": "burst"})
            for _ in range(32)
        )
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.content for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 31
    history = (await services.companies.history("acme")).items
    assert len([h for h in history if h.type == "event"]) == 1


async def test_an_empty_or_overlong_key_is_refused(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    for key in ("", "k" * 256):
        answer = await client.post(
            "/api/companies", json={"name": "A"}, headers={**auth, "Idempotency-Key": key}
        )
        assert (answer.status_code, answer.json()["error"]) == (400, "invalid_request")


async def test_keys_are_per_project_on_the_account_and_public_routes(
    client: httpx.AsyncClient, services: Services, auth: dict[str, str]
) -> None:
    """The same key in two projects is two writes: an account request names its project with
    ``X-Project-Id``, a public API key belongs to its own."""
    await services.projects.create("p2")
    other = services.for_project("p2")
    key = {"Idempotency-Key": "same-key"}
    for project in ("local", "p2"):
        made = await client.post(
            "/api/companies",
            json={"name": "Acme"},
            headers={**auth, **key, "X-Project-Id": project},
        )
        assert made.status_code == 201, made.text
        assert "idempotent-replayed" not in made.headers
    assert [c.name for c in (await services.companies.all()).items] == ["Acme"]
    assert [c.name for c in (await other.companies.all()).items] == ["Acme"]

    for owner in (services, other):
        api_key = {"X-API-Key": (await owner.api_keys.create("tests")).key}
        made = await client.post(
            "/api/v1/contacts", json={"email": "jo@acme.com"}, headers={**api_key, **key}
        )
        assert made.status_code == 201, made.text
        assert "idempotent-replayed" not in made.headers
    for owner in (services, other):
        assert [c.email for c in (await owner.contacts.all()).items] == ["jo@acme.com"]


# Every write route of the OpenAPI document (POST /api/board/cards is a read sent as POST).
READS_AS_POST = {("POST", "/api/board/cards")}


async def test_every_write_route_replays_its_first_answer(
    client: httpx.AsyncClient, services: Services, auth: dict[str, str]
) -> None:
    """A repeat answers the first answer, byte for byte, on every write route: the answer
    stored with the key is the handler's own (not another write's of the same request, such
    as an API key's first-use touch)."""
    document = (await client.get("/schema/openapi.json")).json()
    writes = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}
    } - READS_AS_POST
    # A fresh key: its first use is the write below, so the guard touches it then.
    api_key = {"X-API-Key": (await services.api_keys.create("fresh")).key}
    seen: set[tuple[str, str]] = set()
    bad: list[str] = []

    async def twice(method: str, template: str, body: object = None, **ids: str) -> Any:
        headers = api_key if template.startswith("/api/v1/") else auth
        if template.startswith(A):
            headers = {}
        headers = {**headers, "Idempotency-Key": f"key-{len(seen)}"}
        path = template.format(**ids)
        first = await client.request(method, path, json=body, headers=headers)
        assert first.status_code < 300, (method, path, first.text)
        again = await client.request(method, path, json=body, headers=headers)
        if (again.status_code, again.content) != (first.status_code, first.content) or (
            again.headers.get("idempotent-replayed") != "true"
        ):
            bad.append(f"{method} {template}: {first.text[:60]!r} then {again.text[:60]!r}")
        seen.add((method, template))
        return first.json() if first.content else None

    w = {"app_id": "local", "visitor_id": "v1"}
    await client.post(A + "identify", json={**w, "visitor_id": "v2", "email": "z@gmail.com"})
    placeholder = next(c.id for c in (await services.companies.all()).items if c.is_placeholder)
    await twice("POST", A + "identify", {**w, "email": "a@acme.com", "company": {"id": "acme"}})
    await twice("POST", A + "set-properties", {**w, "properties": {"plan": "pro"}})
    await twice("POST", A + "track", {**w, "name": "signed-up"})
    await twice("POST", A + "set-stage", {**w, "stage": "Qualified"})
    await twice("POST", A + "set-deal", {**w, "deal_value": 5})
    await twice("POST", A + "chat/messages", {**w, "body": "hello"})
    contact = await twice("POST", "/api/v1/contacts", {"email": "d@x.com"})
    await twice("PATCH", "/api/v1/contacts/{contact_id}", {"name": "D"}, contact_id=contact["id"])
    talk = await twice(
        "POST",
        "/api/v1/conversations",
        {"contact_id": contact["id"], "message": {"author": "contact", "body": "hi"}},
    )
    cv = {"conversation_id": talk["id"]}
    await twice("POST", "/api/v1/conversations/{conversation_id}/messages",
                {"author": "agent", "body": "yes?"}, **cv)  # fmt: skip
    await twice("PATCH", "/api/v1/conversations/{conversation_id}", {"status": "snoozed"}, **cv)
    await twice("POST", "/api/conversations/{conversation_id}/messages",
                {"author": "agent", "body": "back"}, **cv)  # fmt: skip
    await twice("PATCH", "/api/conversations/{conversation_id}", {"status": "resolved"}, **cv)
    focus = {"company_id": "acme", "reason": "stalled", "state": "done"}
    await twice("POST", "/api/board/focus", focus)
    await twice("POST", "/api/companies", {"id": "globex", "name": "Globex"})
    globex = {"company_id": "globex"}
    await twice("PATCH", "/api/companies/{company_id}", {"industry": "Energy"}, **globex)
    acme = {"company_id": "acme"}
    await twice("POST", "/api/companies/{company_id}/move", {"stage": "Won"}, **acme)
    await twice("POST", "/api/companies/{company_id}/reopen", **acme)
    merged = await twice("POST", "/api/companies/{company_id}/merge", {"into_id": "globex"},
                         company_id=placeholder)  # fmt: skip
    await twice("POST", "/api/merges/undo", merged["undo"])
    made = await twice("POST", "/api/contacts", {"email": "c@x.com"})
    link = {"contact_id": made["id"], "company_id": "acme"}
    await twice("PATCH", "/api/contacts/{contact_id}", {"name": "C"}, contact_id=made["id"])
    await twice("PUT", "/api/contacts/{contact_id}/companies/{company_id}", **link)
    await twice("DELETE", "/api/contacts/{contact_id}/companies/{company_id}", **link)
    path = f"/api/contacts/{made['id']}/snapshot"
    kept = (await client.get(path, headers=auth)).json()
    await twice("DELETE", "/api/contacts/{contact_id}", contact_id=made["id"])
    await twice("POST", "/api/contacts/restores", kept)
    snapshot = (await client.get("/api/companies/globex/snapshot", headers=auth)).json()
    await twice("DELETE", "/api/companies/{company_id}", **globex)
    await twice("POST", "/api/restores", snapshot)
    await twice("PATCH", "/api/project", {"name": "Mine"})
    await twice("POST", "/api/project/secret")
    await twice("POST", "/api/projects", {"id": "p3"})
    stage = await twice("POST", "/api/stages", {"name": "Demo"})
    await twice("PATCH", "/api/stages/{stage_id}", {"probability": 30}, stage_id=stage["id"])
    await twice("DELETE", "/api/stages/{stage_id}", stage_id=stage["id"])
    step = await twice(
        "POST", "/api/tasks", {"company_id": "acme", "title": "Call", "due": "2030-01-02"}
    )
    task = {"task_id": step["id"]}
    await twice("PATCH", "/api/tasks/{task_id}", {"status": "done"}, **task)
    record = (await client.get(f"/api/tasks/{step['id']}", headers=auth)).json()
    await twice("DELETE", "/api/tasks/{task_id}", **task)
    await twice("POST", "/api/tasks/restores", record)
    hook = await twice(
        "POST", "/api/webhooks", {"url": "http://127.0.0.1:9/", "allow_private": True}
    )
    hooked = {"webhook_id": hook["id"]}
    await twice("PATCH", "/api/webhooks/{webhook_id}", {"description": "mine"}, **hooked)
    sent = await twice("POST", "/api/webhooks/{webhook_id}/test", **hooked)
    await twice("POST", "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
                delivery_id=sent["id"], **hooked)  # fmt: skip
    await twice("DELETE", "/api/webhooks/{webhook_id}", **hooked)

    assert bad == []
    assert writes - seen == set(), "a write route this test does not try"


async def test_a_message_id_that_is_not_a_string_is_400_on_every_widget_write(
    client: httpx.AsyncClient, services: Services, widget
) -> None:
    await _identified(client, widget)
    before = dump(services.db.engine)
    writes: dict[str, dict[str, Any]] = {
        "identify": {"email": "a@acme.com"},
        "set-properties": {"properties": {"a": 1}},
        "track": {"name": "x"},
        "set-stage": {"stage": "Won"},
        "set-deal": {"deal_value": 5},
        "chat/messages": {"body": "hello"},
    }
    for route, extra in writes.items():
        for message_id in (7, 1.5, True, ["m"], {"id": "m"}):
            body = widget("v1", **extra, message_id=message_id)
            answer = await client.post(A + route, json=body)
            assert answer.status_code == 400, (route, message_id, answer.text)
            assert answer.json()["error"] == "invalid_request"
    assert dump(services.db.engine) == before
