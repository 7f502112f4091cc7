"""Idempotent writes (API.md, Idempotency): a repeat is answered from the first answer and
writes nothing; another body under the same key is refused; concurrent repeats write once."""

from __future__ import annotations

import asyncio

import httpx

from halcrm.services.facade import Services
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
    events = [e for e in (await services.activity()).items if e.kind == "track"]
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
    history = (await services.company_history("acme")).items
    assert len([h for h in history if h.type == "event"]) == 1


async def test_an_empty_or_overlong_key_is_refused(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    for key in ("", "k" * 256):
        answer = await client.post(
            "/api/companies", json={"name": "A"}, headers={**auth, "Idempotency-Key": key}
        )
        assert (answer.status_code, answer.json()["error"]) == (400, "invalid_request")
