"""Limits: body size (413), metadata/properties bounds (400 naming the limit), rate limits (429)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from halcrm.domain import metadata
from halcrm.server.app import ServerConfig, create_app, server_config
from halcrm.server.ratelimit import Bucket, MemoryBuckets, RateLimit
from halcrm.services.container import Services
from halcrm.settings import Settings
from tests.asgi import asgi
from tests.conftest import TOKEN
from tests.server.helpers import call, refused
from tests.server.live import live_server

PROPS = "/api/widget/set-properties"
IDENTIFY = "/api/widget/identify"


async def _nothing_written(client, auth, services) -> None:
    assert (await services.activity.recent()).items == []
    assert (await client.get("/api/contacts", headers=auth)).json()["items"] == []


async def test_a_body_over_64_kib_is_refused_with_413(client, widget, auth, services):
    big = widget(properties={"blob": "x" * (64 * 1024)})
    answer = await client.post(PROPS, json=big)
    assert answer.status_code == 413
    assert answer.json()["error"] == "payload_too_large"
    assert answer.json()["detail"]
    await _nothing_written(client, auth, services)


async def test_a_chunked_body_without_length_is_counted_too(runtime, widget, auth, services):
    payload = b'{"app_id":"local","visitor_id":"v1","properties":{"blob":"' + b"x" * 70_000 + b'"}}'

    async def chunks():
        for start in range(0, len(payload), 8192):
            yield payload[start : start + 8192]

    async with (
        live_server(runtime, ServerConfig(account_token=TOKEN)) as live,
        httpx.AsyncClient(base_url=live.base_url, timeout=10) as http,
    ):
        answer = await http.post(
            PROPS, content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert answer.request.headers.get("transfer-encoding") == "chunked"
        assert "content-length" not in answer.request.headers
        assert answer.status_code == 413
        assert answer.json()["error"] == "payload_too_large"
        assert (await services.activity.recent()).items == []


LIMIT_CASES = [
    ({f"k{i}": i for i in range(metadata.MAX_KEYS + 1)}, f"more than {metadata.MAX_KEYS} keys"),
    ({"k" * (metadata.MAX_KEY_LENGTH + 1): 1}, f"longer than {metadata.MAX_KEY_LENGTH} char"),
    ({"s": "x" * (metadata.MAX_STRING_LENGTH + 1)}, f"longer than {metadata.MAX_STRING_LENGTH}"),
    ({"a": {"b": {"c": {"d": 1}}}}, f"deeper than {metadata.MAX_DEPTH} levels"),
    ({"l": list(range(metadata.MAX_KEYS + 1))}, f"longer than {metadata.MAX_KEYS} items"),
]


@pytest.mark.parametrize(("value", "named"), LIMIT_CASES)
async def test_each_properties_limit_is_named_and_writes_nothing(
    client, widget, auth, services, value, named
):
    answer = await refused(client, PROPS, widget(properties=value), 400, "invalid_request")
    assert named in answer["detail"]
    assert "properties" in answer["detail"]
    answer = await refused(
        client, IDENTIFY, widget(email="a@corp.io", metadata=value), 400, "invalid_request"
    )
    assert named in answer["detail"]
    assert "metadata" in answer["detail"]
    await _nothing_written(client, auth, services)


async def test_a_merge_over_the_key_limit_is_refused(client, widget, services):
    half = metadata.MAX_KEYS // 2 + 1
    await call(client, PROPS, widget(properties={f"a{i}": i for i in range(half)}))
    answer = await refused(
        client, PROPS, widget(properties={f"b{i}": i for i in range(half)}), 400, "invalid_request"
    )
    assert "after this merge" in answer["detail"]


@pytest.fixture
async def strict_client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """An app whose limits are tiny: 3 calls in a burst, then one every 100 seconds (slow
    enough that a busy test machine never refills a token mid-test)."""
    slow = RateLimit(0.01, 3)
    config = ServerConfig(account_token=TOKEN, widget_rate=slow, api_key_rate=slow)
    transport = asgi(create_app(services, config))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_widget_rate_limit_is_per_visitor(strict_client, widget, auth):
    for n in range(3):
        await call(strict_client, PROPS, widget("v1", properties={"n": n}))
    answer = await strict_client.post(PROPS, json=widget("v1", properties={"n": 99}))
    assert answer.status_code == 429
    assert answer.json()["error"] == "rate_limited"
    assert int(answer.headers["retry-after"]) >= 1
    # Another visitor is not slowed down by the first.
    await call(strict_client, PROPS, widget("v2", properties={"n": 1}))
    # The refused call wrote nothing: the last accepted value stands.
    visitor = await strict_client.get("/api/activity", headers=auth)
    keys = [item["data"].get("visitor_id") for item in visitor.json()["items"]]
    assert keys.count("v1") == 3


async def test_public_api_rate_limit_is_per_key(strict_client, services):
    first = {"X-API-Key": (await services.api_keys.create("a")).key}
    second = {"X-API-Key": (await services.api_keys.create("b")).key}
    for _ in range(3):
        assert (await strict_client.get("/api/v1/contacts", headers=first)).status_code == 200
    refused_call = await strict_client.post(
        "/api/v1/contacts", headers=first, json={"email": "x@corp.io"}
    )
    assert refused_call.status_code == 429
    assert refused_call.json()["error"] == "rate_limited"
    assert "retry-after" in refused_call.headers
    assert (await strict_client.get("/api/v1/contacts", headers=second)).json()["items"] == []


def test_token_bucket_refills_with_time():
    now = [0.0]
    buckets = MemoryBuckets(clock=lambda: now[0])
    bucket = [Bucket("k", RateLimit(2.0, 2), "visitor")]
    assert buckets.take_now(bucket) == (0.0, -1)
    assert buckets.take_now(bucket) == (0.0, -1)
    wait, refused = buckets.take_now(bucket)
    assert refused == 0
    assert wait == pytest.approx(0.5)
    now[0] = 0.5
    assert buckets.take_now(bucket)[1] == -1
    assert buckets.take_now(bucket)[1] == 0


def test_token_buckets_stay_bounded():
    buckets = MemoryBuckets(clock=lambda: 0.0, max_keys=100)
    for n in range(1000):
        buckets.take_now([Bucket(str(n), RateLimit(1.0, 1), "visitor")])
    assert len(buckets._full_at) <= 100


def test_limits_come_from_the_environment(tmp_path):
    env = {
        "HALCRM_DATA_DIR": str(tmp_path),
        "HALCRM_ACCOUNT_TOKEN": TOKEN,
        "HALCRM_WIDGET_RATE": "5",
        "HALCRM_WIDGET_BURST": "7",
        "HALCRM_API_KEY_RATE": "0",
        "HALCRM_MAX_BODY_BYTES": "1000",
    }
    config = server_config(Settings.from_env(env))
    assert config.widget_rate == RateLimit(5.0, 7)
    assert not config.api_key_rate.enabled
    assert config.max_body_bytes == 1000
    defaults = server_config(Settings.from_env({"HALCRM_DATA_DIR": str(tmp_path)}))
    assert defaults.widget_rate == RateLimit(20.0, 60)
    assert defaults.api_key_rate == RateLimit(50.0, 100)
    assert defaults.client_rate == RateLimit(100.0, 300)
    assert defaults.project_rate == RateLimit(1000.0, 3000)
    assert defaults.redis_url is None
    tuned = server_config(
        Settings.from_env(
            {
                "HALCRM_DATA_DIR": str(tmp_path),
                "HALCRM_CLIENT_RATE": "0",
                "HALCRM_PROJECT_RATE": "7.5",
                "HALCRM_PROJECT_BURST": "9",
                "HALCRM_REDIS_URL": "redis://127.0.0.1:6379/0",
            }
        )
    )
    assert not tuned.client_rate.enabled
    assert tuned.project_rate == RateLimit(7.5, 9)
    assert tuned.redis_url == "redis://127.0.0.1:6379/0"
    with pytest.raises(ValueError, match="HALCRM_WIDGET_BURST"):
        Settings.from_env({"HALCRM_WIDGET_BURST": "lots"})
