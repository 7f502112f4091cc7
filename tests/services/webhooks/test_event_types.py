"""Every event type of the contract, as a receiver gets it, in both formats."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from halcrm.services.container import Services
from halcrm.services.webhooks import notices
from tests.services.webhooks.helpers import endpoint, settled
from tests.services.webhooks.receiver import Receiver

Widget = Callable[..., dict[str, object]]


async def _changes(client: httpx.AsyncClient, auth: dict[str, str], widget: Widget) -> str:
    """One of each change; answers the widget company's id."""
    acme = (await client.post("/api/companies", json={"name": "Acme"}, headers=auth)).json()
    await client.patch(f"/api/companies/{acme['id']}", json={"domain": "acme.io"}, headers=auth)
    await client.patch(f"/api/companies/{acme['id']}", json={"deal_value": 1200}, headers=auth)
    await client.post("/api/contacts", json={"email": "jane@x.io", "name": "Jane"}, headers=auth)
    await client.delete(f"/api/companies/{acme['id']}", headers=auth)
    bob = widget("v-bob", email="bob@corp.io", company={"id": "co-corp", "name": "Corp"})
    assert (await client.post("/api/widget/identify", json=bob)).status_code == 200
    moved = await client.post("/api/widget/set-stage", json=widget("v-bob", stage="Proposal"))
    assert moved.json()["applied"] is True
    # A skipped widget write (already later) is no stage change.
    skipped = await client.post("/api/widget/set-stage", json=widget("v-bob", stage="Lead"))
    assert skipped.json()["applied"] is False
    sent = await client.post(
        "/api/widget/chat/messages", json=widget("v-bob", body="Is there a discount?")
    )
    assert sent.status_code == 201, sent.text
    return "co-corp"


async def test_every_event_type_reaches_a_star_endpoint(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    receiver: Receiver,
    widget: Widget,
    services: Services,
) -> None:
    made = await endpoint(client, auth, receiver)
    await _changes(client, auth, widget)
    # The project's Proposal stage stalls at once; the loop's periodic check finds it.
    await client.patch("/api/stages/Proposal", json={"stall_after_days": 0}, headers=auth)
    for _ in range(2):  # once per stalled deal, however often the check runs
        await services.db.write(notices.check_stalled)
    await client.post(f"/api/webhooks/{made['id']}/test", headers=auth)
    await settled(client, auth, made["id"], "delivered", count=11)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for got in receiver.at("/hook"):
        body = got.verified(made["secret"])
        by_type.setdefault(body["type"], []).append(body["data"])
    assert sorted(by_type) == [
        "company.created",
        "company.deleted",
        "company.stage_changed",
        "company.updated",
        "contact.created",
        "conversation.message_created",
        "deal.stalled",
        "deal.value_changed",
        "visitor.identified",
        "webhook.test",
    ]
    [moved] = by_type["company.stage_changed"]
    assert moved["company_id"] == "co-corp"
    assert moved["previous_stage"] is None
    assert moved["stage"] == "Proposal"
    assert moved["stage_id"]
    assert moved["source"] == "widget"
    assert moved["mode"] == "advance_only"
    assert by_type["deal.value_changed"][0]["value"] == 1200
    assert sorted(c["email"] for c in by_type["contact.created"]) == ["bob@corp.io", "jane@x.io"]
    [identified] = by_type["visitor.identified"]
    assert identified["visitor_id"] == "v-bob"
    assert identified["company_ids"] == ["co-corp"]
    [message] = by_type["conversation.message_created"]
    assert message["author"] == "visitor"
    assert message["body"] == "Is there a discount?"
    assert message["conversation_id"]
    [stalled] = by_type["deal.stalled"]
    assert stalled["company_id"] == "co-corp"
    assert stalled["stage"] == "Proposal"


async def test_slack_endpoints_get_one_sentence(
    client: httpx.AsyncClient, auth: dict[str, str], receiver: Receiver, widget: Widget
) -> None:
    made = await endpoint(
        client,
        auth,
        receiver,
        format="slack",
        events=["company.stage_changed", "conversation.message_created"],
    )
    bob = widget(
        "v-bob", email="bob@corp.io", name="Bob Ray", company={"id": "co-a", "name": "Acme"}
    )
    await client.post("/api/widget/identify", json=bob)
    await client.post("/api/widget/set-stage", json=widget("v-bob", stage="Qualified"))
    await client.post("/api/widget/set-stage", json=widget("v-bob", stage="Proposal"))
    await client.post("/api/widget/chat/messages", json=widget("v-bob", body="Hello there"))
    await settled(client, auth, made["id"], "delivered", count=3)
    # Sent concurrently: their order of arrival is not promised (Standard Webhooks neither).
    texts = sorted(got.verified(made["secret"])["text"] for got in receiver.at("/hook"))
    assert texts == [
        "Acme moved Qualified → Proposal (website)",
        "Acme moved to Qualified (website)",
        "Bob Ray wrote: Hello there",
    ]
