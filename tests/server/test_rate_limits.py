"""Rate limits that cannot be turned against a visitor, or around: per visitor (keyed with the
hash), per client address and per project, in memory and in the real Redis at 127.0.0.1:6379."""

from __future__ import annotations

import secrets
import socket
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from halcrm.domain.identity import user_hash
from halcrm.server.app import ServerConfig, create_app, server_config
from halcrm.server.ratelimit import Bucket, Limits, MemoryBuckets, RateLimit, RedisBuckets
from halcrm.services.container import Services
from halcrm.settings import Settings
from tests.asgi import asgi
from tests.conftest import TOKEN
from tests.live import serving

PROPS = "/api/widget/set-properties"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REDIS_URL = "redis://127.0.0.1:6379/0"
# Slow enough that a busy test machine never refills a token mid-test.
SLOW = 0.01
OFF = RateLimit(0, 0)


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


STORES = [
    "memory",
    pytest.param(
        "redis",
        marks=pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379"),
    ),
]

Factory = Callable[..., httpx.AsyncClient]


@pytest.fixture(params=STORES)
async def make_client(request: pytest.FixtureRequest, services: Services) -> AsyncIterator[Factory]:
    """Builds clients of one app (or of several apps sharing one Redis namespace, like worker
    processes), each from its own client address."""
    namespace = f"halcrm_test_{secrets.token_hex(6)}"
    opened: list[httpx.AsyncClient] = []
    stores: list[RedisBuckets] = []

    def build(
        widget: RateLimit = OFF,
        client: RateLimit = OFF,
        project: RateLimit = OFF,
        address: str = "127.0.0.1",
        app=None,
    ) -> httpx.AsyncClient:
        if app is None:
            config = ServerConfig(
                account_token=TOKEN,
                widget_rate=widget,
                client_rate=client,
                project_rate=project,
            )
            app = create_app(services, config)
            if request.param == "redis":
                store = RedisBuckets(REDIS_URL, namespace=namespace)
                stores.append(store)
                app.state.limits.store = store
        transport = asgi(app, client=(address, 40000))
        http = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        http.app = app  # type: ignore[attr-defined]
        opened.append(http)
        return http

    yield build
    for http in opened:
        await http.aclose()
    for store in stores:
        await store.store.delete_all()
        await store.close()


def _body(visitor: str, n: int = 0, **extra: object) -> dict[str, object]:
    return {"app_id": "local", "visitor_id": visitor, "properties": {"n": n}, **extra}


async def _written_for(http: httpx.AsyncClient, visitor: str) -> int:
    items = (await http.get("/api/activity", headers=AUTH, params={"limit": 500})).json()
    return [item["data"].get("visitor_id") for item in items["items"]].count(visitor)


async def test_per_visitor_with_retry_after(make_client):
    http = make_client(widget=RateLimit(SLOW, 3))
    for n in range(3):
        assert (await http.post(PROPS, json=_body("v1", n))).status_code == 200
    refused = await http.post(PROPS, json=_body("v1", 99))
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert "visitor" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 1
    assert (await http.post(PROPS, json=_body("v2"))).status_code == 200
    assert await _written_for(http, "v1") == 3


async def test_refused_calls_never_spend_the_real_visitors_bucket(make_client, services):
    http = make_client(widget=RateLimit(SLOW, 5))
    answer = await http.patch(
        "/api/project", json={"identity_verification": "required"}, headers=AUTH
    )
    assert answer.status_code == 200
    secret = (await http.get("/api/project", headers=AUTH)).json()["secret"]
    # 70 calls with a wrong hash for someone else's visitor id: 401 while its own bucket
    # lasts, 429 afterwards; the real visitor's bucket is another one.
    statuses = {
        (await http.post(PROPS, json=_body("victim", user_hash="bad"))).status_code
        for _ in range(70)
    }
    assert statuses == {401, 429}
    good = user_hash(secret, "victim")
    for n in range(5):
        answer = await http.post(PROPS, json=_body("victim", n, user_hash=good))
        assert answer.status_code == 200, answer.text
    assert (await http.post(PROPS, json=_body("victim", 9, user_hash=good))).status_code == 429
    assert await _written_for(http, "victim") == 5


async def test_rotating_visitor_ids_meets_the_client_address_ceiling(make_client):
    http = make_client(widget=RateLimit(20, 60), client=RateLimit(SLOW, 10))
    statuses = [(await http.post(PROPS, json=_body(f"rot-{n}"))).status_code for n in range(40)]
    assert statuses.count(200) == 10
    assert statuses[10:] == [429] * 30
    refused = await http.post(PROPS, json=_body("rot-last"))
    assert "client address" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 1
    # Another address is not slowed down by the first.
    other = make_client(address="10.0.0.2", app=http.app)  # type: ignore[attr-defined]
    assert (await other.post(PROPS, json=_body("rot-other"))).status_code == 200
    items = (await http.get("/api/activity", headers=AUTH, params={"limit": 500})).json()
    assert len(items["items"]) == 11


async def test_the_project_ceiling_holds_across_addresses(make_client):
    first = make_client(project=RateLimit(SLOW, 6), address="10.0.0.1")
    statuses = []
    for n in range(12):
        http = make_client(address=f"10.0.1.{n}", app=first.app)  # type: ignore[attr-defined]
        statuses.append((await http.post(PROPS, json=_body(f"p-{n}"))).status_code)
    assert statuses == [200] * 6 + [429] * 6
    refused = await first.post(PROPS, json=_body("p-x"))
    assert "project" in refused.json()["detail"]
    assert "retry-after" in refused.headers


async def test_a_flood_from_a_few_addresses_leaves_the_bystanders_their_calls(make_client):
    """The issue's flood (rotating visitor ids from three addresses) against a project
    ceiling of 40: each address spends its share (2) and is refused there, the ceiling keeps
    the rest, and ten bystanders from other addresses all get through."""
    first = make_client(widget=RateLimit(20, 60), project=RateLimit(SLOW, 40), address="10.6.0.1")
    app = first.app  # type: ignore[attr-defined]
    flooders = [first] + [make_client(address=f"10.6.0.{n}", app=app) for n in (2, 3)]
    flood = []
    for n in range(30):
        for k, http in enumerate(flooders):
            flood.append((await http.post(PROPS, json=_body(f"f-{k}-{n}"))).status_code)
    assert flood.count(200) == 6
    refused = await first.post(PROPS, json=_body("f-last"))
    assert (refused.status_code, refused.json()["limit"]) == (
        429,
        "client address's share of the project",
    )
    for n in range(10):
        bystander = make_client(address=f"10.7.0.{n}", app=app)
        answer = await bystander.post(PROPS, json=_body(f"b-{n}"))
        assert answer.status_code == 200, answer.text


async def test_a_call_refused_by_one_ceiling_spends_nothing_elsewhere(make_client):
    http = make_client(widget=RateLimit(SLOW, 2), client=RateLimit(SLOW, 3))
    assert (await http.post(PROPS, json=_body("a"))).status_code == 200
    assert (await http.post(PROPS, json=_body("a"))).status_code == 200
    # The visitor's bucket is empty: these are refused and leave the address bucket alone.
    for _ in range(5):
        assert (await http.post(PROPS, json=_body("a"))).status_code == 429
    assert (await http.post(PROPS, json=_body("b"))).status_code == 200
    assert (await http.post(PROPS, json=_body("c"))).status_code == 429


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
async def test_two_processes_share_their_limits_through_redis(services):
    namespace = f"halcrm_test_{secrets.token_hex(6)}"
    apps = []
    stores = []
    for _ in range(2):
        config = ServerConfig(account_token=TOKEN, widget_rate=RateLimit(SLOW, 4))
        app = create_app(services, config)
        store = RedisBuckets(REDIS_URL, namespace=namespace)
        app.state.limits.store = store
        apps.append(app)
        stores.append(store)
    try:
        statuses = []
        for n in range(10):
            transport = asgi(apps[n % 2])
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                statuses.append((await http.post(PROPS, json=_body("shared", n))).status_code)
        assert statuses.count(200) == 4
        assert statuses[4:] == [429] * 6
    finally:
        await stores[0].store.delete_all()
        for store in stores:
            await store.close()


async def test_an_unreachable_redis_pauses_the_limits_instead_of_failing():
    limits = Limits(RateLimit(SLOW, 1), OFF, store=RedisBuckets("redis://127.0.0.1:1/0"))
    try:
        for _ in range(3):
            await limits.api_key_call("k")  # no refusal, no error: the limits pause
    finally:
        await limits.close()


def test_memory_buckets_take_all_or_nothing():
    buckets = MemoryBuckets(clock=lambda: 0.0)
    roomy = Bucket("roomy", RateLimit(1, 10), "visitor")
    tight = Bucket("tight", RateLimit(1, 1), "project")
    assert buckets.take_now([roomy, tight]) == (0.0, -1)
    wait, refused = buckets.take_now([roomy, tight])
    assert refused == 1
    assert wait == pytest.approx(1.0)
    # The refused call took nothing from the roomy bucket: 9 tokens are left in it.
    assert all(buckets.take_now([roomy])[1] == -1 for _ in range(9))
    assert buckets.take_now([roomy])[1] == 0


@pytest.mark.parametrize(
    ("trusted", "forged_counts"), [("", False), ("127.0.0.1", True), ("10.0.0.0/8", False)]
)
async def test_forwarded_addresses_are_believed_only_from_trusted_proxies(
    services, trusted: str, forged_counts: bool
):
    """A real uvicorn: X-Forwarded-For from 127.0.0.1 names the client only when 127.0.0.1 is
    a trusted proxy (HALCRM_TRUSTED_PROXIES); by default every call counts for 127.0.0.1."""
    config = ServerConfig(
        account_token=TOKEN, client_rate=RateLimit(SLOW, 2), trusted_proxies=trusted
    )
    async with serving(create_app(services, config)) as url, httpx.AsyncClient() as http:
        statuses = []
        for n in range(4):
            forged = {"X-Forwarded-For": f"203.0.113.{n}"}
            answer = await http.post(url + PROPS, json=_body(f"x-{n}"), headers=forged)
            statuses.append(answer.status_code)
    assert statuses == ([200] * 4 if forged_counts else [200, 200, 429, 429])


def test_the_settings_read_the_trusted_proxies() -> None:
    assert Settings.from_env({}).trusted_proxies == ""
    env = {"HALCRM_ACCOUNT_TOKEN": TOKEN, "HALCRM_TRUSTED_PROXIES": " 10.0.0.1,10.1.0.0/16 "}
    given = Settings.from_env(env)
    assert server_config(given).trusted_proxies == "10.0.0.1,10.1.0.0/16"
