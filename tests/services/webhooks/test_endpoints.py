"""The webhook endpoints through the account API: every field, the secret, the refusals."""

from __future__ import annotations

import base64

import httpx
import pytest
from sqlalchemy import func, select

from halcrm.db.models import WebhookDelivery, WebhookEndpoint
from halcrm.services.container import Services

FIELDS = {
    "id",
    "url",
    "events",
    "description",
    "format",
    "allow_private",
    "enabled",
    "disabled_reason",
    "created_at",
}


async def test_create_show_list_edit_delete(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = {
        "url": "http://127.0.0.1:9/hook",
        "events": ["company.stage_changed", "deal.value_changed"],
        "description": "my backend",
        "allow_private": True,
    }
    made = await client.post("/api/webhooks", json=body, headers=auth)
    assert made.status_code == 201, made.text
    endpoint = made.json()
    assert FIELDS | {"secret"} <= set(endpoint)
    assert endpoint["id"].startswith("wh_")
    assert endpoint["events"] == body["events"]
    assert endpoint["format"] == "standard"
    assert endpoint["enabled"] is True
    assert endpoint["disabled_reason"] is None
    secret = endpoint["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret[6:])) == 24

    shown = (await client.get(f"/api/webhooks/{endpoint['id']}", headers=auth)).json()
    assert shown["secret"] == secret
    listed = (await client.get("/api/webhooks", headers=auth)).json()
    assert listed["next_cursor"] is None
    assert [e["id"] for e in listed["items"]] == [endpoint["id"]]
    assert "secret" not in listed["items"][0]

    edited = await client.patch(
        f"/api/webhooks/{endpoint['id']}",
        json={"events": ["*"], "format": "slack", "enabled": False, "description": None},
        headers=auth,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["events"] == ["*"]
    assert edited.json()["format"] == "slack"
    assert edited.json()["enabled"] is False
    assert edited.json()["disabled_reason"]
    assert "secret" not in edited.json()
    enabled = await client.patch(
        f"/api/webhooks/{endpoint['id']}", json={"enabled": True}, headers=auth
    )
    assert enabled.json()["enabled"] is True
    assert enabled.json()["disabled_reason"] is None

    gone = await client.delete(f"/api/webhooks/{endpoint['id']}", headers=auth)
    assert gone.status_code == 204
    missing = await client.get(f"/api/webhooks/{endpoint['id']}", headers=auth)
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"


async def test_defaults_and_auth(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    made = await client.post(
        "/api/webhooks", json={"url": "http://127.0.0.1/x", "allow_private": True}, headers=auth
    )
    assert made.json()["events"] == ["*"]
    assert made.json()["description"] is None
    assert (await client.get("/api/webhooks")).status_code == 401


REFUSED_URLS = [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://172.16.5.5/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://224.0.0.1/hook",
    "http://0.0.0.0/hook",
    "http://240.0.0.1/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
async def test_private_addresses_are_refused_and_nothing_written(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services, url: str
) -> None:
    answer = await client.post("/api/webhooks", json={"url": url}, headers=auth)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_request"
    assert "allow_private" in answer.json()["detail"]
    with services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://example.com/x"},
        {"url": "not a url"},
        {"url": "http://example.com/x", "events": ["company.exploded"]},
        {"url": "http://example.com/x", "events": []},
        {"url": "http://example.com/x", "format": "teams"},
        {"url": "http://example.com/x", "allow_private": "yes"},
        {"events": ["*"]},
    ],
)
async def test_bad_bodies_are_400_and_write_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services, body: dict[str, object]
) -> None:
    answer = await client.post("/api/webhooks", json=body, headers=auth)
    assert answer.status_code == 400, answer.text
    assert set(answer.json()) >= {"error", "detail"}
    with services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


async def test_an_edit_to_a_private_url_is_refused(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    made = (
        await client.post(
            "/api/webhooks", json={"url": "http://127.0.0.1/a", "allow_private": True}, headers=auth
        )
    ).json()
    refused = await client.patch(
        f"/api/webhooks/{made['id']}", json={"allow_private": False}, headers=auth
    )
    assert refused.status_code == 400
    shown = (await client.get(f"/api/webhooks/{made['id']}", headers=auth)).json()
    assert shown["allow_private"] is True


async def test_test_and_deliveries_and_unknown_ids(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    made = (
        await client.post(
            "/api/webhooks",
            json={"url": "http://127.0.0.1:9/a", "allow_private": True, "events": ["deal.stalled"]},
            headers=auth,
        )
    ).json()
    queued = await client.post(f"/api/webhooks/{made['id']}/test", headers=auth)
    assert queued.status_code == 202
    delivery = queued.json()
    assert delivery["id"].startswith("msg_")
    assert delivery["type"] == "webhook.test"
    assert delivery["status"] == "pending"
    assert delivery["attempts"] == 0
    page = (await client.get(f"/api/webhooks/{made['id']}/deliveries", headers=auth)).json()
    assert page["items"][0]["id"] == delivery["id"]
    assert {
        "id",
        "type",
        "status",
        "attempts",
        "last_status",
        "last_error",
        "next_attempt_at",
        "created_at",
        "delivered_at",
    } <= set(page["items"][0])
    for path in (
        "/api/webhooks/wh_nope/test",
        f"/api/webhooks/{made['id']}/deliveries/msg_nope/retry",
    ):
        assert (await client.post(path, headers=auth)).status_code == 404
    with services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1
