"""Deliveries to a real receiver on 127.0.0.1: signatures, retries, failures, manual retry."""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy import func, select, update

from halcrm.db.models import WebhookDelivery, WebhookEndpoint
from halcrm.runtime import Runtime
from halcrm.services.container import Services
from halcrm.services.webhooks.schedule import RETRY_AFTER, retry_after
from tests.services.webhooks.helpers import deliveries, endpoint, settled, until
from tests.services.webhooks.receiver import Receiver, Reply


async def test_a_change_is_delivered_signed(
    client: httpx.AsyncClient, auth: dict[str, str], receiver: Receiver
) -> None:
    made = await endpoint(client, auth, receiver, events=["company.created"])
    company = await client.post("/api/companies", json={"name": "Acme"}, headers=auth)
    assert company.status_code == 201
    [got] = await receiver.wait_for(1)
    body = got.verified(made["secret"])
    assert body["type"] == "company.created"
    assert body["timestamp"].endswith("Z")
    assert body["data"]["company_id"] == company.json()["id"]
    assert body["data"]["company_name"] == "Acme"
    assert got.headers["content-type"] == "application/json"
    [delivery] = await settled(client, auth, made["id"], "delivered")
    assert delivery["id"] == got.headers["webhook-id"]
    assert delivery["attempts"] == 1
    assert delivery["last_status"] == 200
    assert delivery["delivered_at"] is not None


async def test_filters_send_only_the_subscribed_types(
    client: httpx.AsyncClient, auth: dict[str, str], receiver: Receiver
) -> None:
    deals = await endpoint(client, auth, receiver, "/deals", events=["deal.value_changed"])
    created = await endpoint(client, auth, receiver, "/created", events=["company.created"])
    company = (await client.post("/api/companies", json={"name": "Acme"}, headers=auth)).json()
    await client.patch(f"/api/companies/{company['id']}", json={"deal_value": 500}, headers=auth)
    await settled(client, auth, deals["id"], "delivered")
    await settled(client, auth, created["id"], "delivered")
    assert [r.json["type"] for r in receiver.at("/deals")] == ["deal.value_changed"]
    assert [r.json["type"] for r in receiver.at("/created")] == ["company.created"]
    deal = receiver.at("/deals")[0].json["data"]
    assert deal["previous_value"] is None
    assert deal["value"] == 500


async def test_failures_are_retried_on_the_schedule_then_failed(
    client: httpx.AsyncClient, auth: dict[str, str], receiver: Receiver
) -> None:
    receiver.replies["/hook"] = lambda _: Reply(status=500)
    made = await endpoint(client, auth, receiver)
    await client.post(f"/api/webhooks/{made['id']}/test", headers=auth)
    [delivery] = await settled(client, auth, made["id"], "failed")
    # The tests' schedule (two retries): three attempts, one id.
    assert delivery["attempts"] == 3
    assert delivery["last_status"] == 500
    assert delivery["last_error"] == "HTTP 500"
    assert delivery["next_attempt_at"] is None
    assert {r.headers["webhook-id"] for r in receiver.at("/hook")} == {delivery["id"]}
    assert len(receiver.at("/hook")) == 3


def test_the_contract_schedule_is_the_default() -> None:
    assert retry_after({}) == RETRY_AFTER == (5, 300, 1800, 7200, 18000, 36000, 36000)


async def test_a_redirect_fails_and_is_not_followed(
    client: httpx.AsyncClient, auth: dict[str, str], receiver: Receiver
) -> None:
    receiver.replies["/hook"] = lambda _: Reply(status=302, headers={"location": "/elsewhere"})
    made = await endpoint(client, auth, receiver)
    await client.post(f"/api/webhooks/{made['id']}/test", headers=auth)
    [delivery] = await settled(client, auth, made["id"], "failed")
    assert delivery["last_status"] == 302
    assert "not followed" in delivery["last_error"]
    assert receiver.at("/elsewhere") == []


async def test_a_manual_retry_sends_the_same_id_again(
    client: httpx.AsyncClient, auth: dict[str, str], receiver: Receiver
) -> None:
    receiver.replies["/hook"] = lambda _: Reply(status=503)
    made = await endpoint(client, auth, receiver)
    test = (await client.post(f"/api/webhooks/{made['id']}/test", headers=auth)).json()
    await settled(client, auth, made["id"], "failed")
    receiver.replies["/hook"] = lambda _: Reply(status=204)
    path = f"/api/webhooks/{made['id']}/deliveries/{test['id']}/retry"
    retried = await client.post(path, headers=auth)
    assert retried.status_code == 202
    assert retried.json()["id"] == test["id"]
    [delivery] = await settled(client, auth, made["id"], "delivered")
    assert delivery["id"] == test["id"]
    assert delivery["attempts"] == 4
    assert receiver.at("/hook")[-1].headers["webhook-id"] == test["id"]
    receiver.at("/hook")[-1].verified(made["secret"])


async def test_a_slow_endpoint_holds_up_no_other_and_times_out(
    client: httpx.AsyncClient, auth: dict[str, str], receiver: Receiver
) -> None:
    receiver.replies["/slow"] = lambda _: Reply(delay=12)
    slow = await endpoint(client, auth, receiver, "/slow", events=["company.created"])
    fast = await endpoint(client, auth, receiver, "/hook", events=["company.created"])
    await client.post("/api/companies", json={"name": "Slowpoke"}, headers=auth)
    await settled(client, auth, fast["id"], "delivered")
    assert (await deliveries(client, auth, slow["id"]))[0]["attempts"] == 0
    await client.post("/api/companies", json={"name": "Second"}, headers=auth)
    await settled(client, auth, fast["id"], "delivered", count=2)

    async def attempted() -> bool:
        return bool((await deliveries(client, auth, slow["id"]))[-1]["attempts"])

    await until(attempted, within=30)
    found = await deliveries(client, auth, slow["id"])
    assert found[-1]["last_error"] == "no answer within 10 s"
    assert found[-1]["last_status"] is None


async def test_the_address_is_checked_again_at_each_delivery(
    client: httpx.AsyncClient, auth: dict[str, str], receiver: Receiver, services: Services
) -> None:
    made = await endpoint(client, auth, receiver)
    # As if the name now resolved to a private address: the endpoint no longer allows it.
    with services.db.session() as session, session.begin():
        session.execute(update(WebhookEndpoint).values(allow_private=False))
    await client.post(f"/api/webhooks/{made['id']}/test", headers=auth)
    [delivery] = await settled(client, auth, made["id"], "failed")
    assert "not sent" in delivery["last_error"]
    assert "127.0.0.1" in delivery["last_error"]
    assert receiver.got == []


async def test_an_endpoint_failing_for_5_days_is_disabled(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    receiver: Receiver,
    services: Services,
    runtime: Runtime,
) -> None:
    receiver.replies["/hook"] = lambda _: Reply(status=500)
    made = await endpoint(client, auth, receiver)
    await client.post(f"/api/webhooks/{made['id']}/test", headers=auth)
    await settled(client, auth, made["id"], "failed")
    shown = (await client.get(f"/api/webhooks/{made['id']}", headers=auth)).json()
    assert shown["enabled"] is True
    assert shown["failing_since"] is not None
    with services.db.session() as session, session.begin():
        row = session.scalar(select(WebhookEndpoint))
        assert row is not None
        assert row.failing_since is not None
        row.failing_since = row.failing_since.replace(year=row.failing_since.year - 1)
    await client.post(f"/api/webhooks/{made['id']}/test", headers=auth)

    async def disabled() -> bool:
        shown = await client.get(f"/api/webhooks/{made['id']}", headers=auth)
        return shown.json()["enabled"] is False

    await until(disabled)
    shown = (await client.get(f"/api/webhooks/{made['id']}", headers=auth)).json()
    assert "5 days" in shown["disabled_reason"]
    # A delivery that succeeds again after a re-enable clears the failures.
    receiver.replies["/hook"] = lambda _: Reply(status=200)
    await client.patch(f"/api/webhooks/{made['id']}", json={"enabled": True}, headers=auth)
    await client.post(f"/api/webhooks/{made['id']}/test", headers=auth)
    await settled(client, auth, made["id"], "delivered")
    shown = (await client.get(f"/api/webhooks/{made['id']}", headers=auth)).json()
    assert shown["failing_since"] is None


async def test_a_write_with_no_endpoint_queues_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    await client.post("/api/companies", json={"name": "Quiet"}, headers=auth)
    with services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


async def test_the_secret_never_reaches_the_log(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    receiver.replies["/hook"] = lambda _: Reply(status=500)
    made = await endpoint(client, auth, receiver)
    await client.post(f"/api/webhooks/{made['id']}/test", headers=auth)
    await settled(client, auth, made["id"], "failed")
    assert caplog.text
    assert made["secret"] not in caplog.text
    assert made["secret"].removeprefix("whsec_") not in caplog.text
