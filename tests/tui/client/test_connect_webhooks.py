"""``RemoteWebhooks``: the board --connect's webhooks over a real ``halcrm serve``: the
overview and a retry; an endpoint added (its secret once), refused on a private address until
allowed, tested, turned off and deleted, as the area in process answers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from halcrm.domain.errors import InvalidRequest, NotFound
from halcrm.services.webhooks.inputs import WebhookCreate, WebhookPatch
from halcrm.tui.client.login import Connected, connected
from tests.processes import free_port, halcrm_serve, wait_until_up
from tests.services.webhooks.helpers import deliveries, until
from tests.services.webhooks.receiver import Reply, receiving
from tests.tui.client.test_connect_board import (  # noqa: F401 (fixtures)
    Server,
    link,
    server,
    server_stack,
)

TOKEN = "connect-token-" + "w" * 20
AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def test_overview_and_retry_through_the_server(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with receiving() as receiver:
        receiver.replies["/hook"] = lambda _: Reply(status=500)
        with halcrm_serve(tmp_path / "data", port, TOKEN) as proc:
            await wait_until_up(base, proc)
            async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=10) as http:
                made = (
                    await http.post(
                        "/api/webhooks", json={"url": receiver.url(), "allow_private": True}
                    )
                ).json()
                test = (await http.post(f"/api/webhooks/{made['id']}/test")).json()

                async def attempted() -> bool:
                    return bool((await deliveries(http, {}, made["id"]))[0]["attempts"])

                await until(attempted)
                async with connected(base, TOKEN) as link:
                    remote = link.services.webhooks
                    [item] = await remote.overview()
                    assert item.endpoint.id == made["id"]
                    assert item.failing
                    assert [d.id for d in item.deliveries] == [test["id"]]
                    assert item.deliveries[0].last_status == 500
                    again = await remote.retry(made["id"], test["id"])
                    assert again.id == test["id"]
                    with pytest.raises(NotFound):
                        await remote.retry(made["id"], "msg_nope")


HOOK = "http://127.0.0.1:9/hook"


async def test_add_test_turn_off_and_delete_answer_as_in_process(
    server: Server,  # noqa: F811 (the fixture)
    link: Connected,  # noqa: F811
) -> None:
    hooks = link.services.webhooks
    with pytest.raises(InvalidRequest, match="private"):
        await hooks.create(WebhookCreate(url=HOOK))
    assert await hooks.overview() == []
    made = await hooks.create(WebhookCreate(url=HOOK, allow_private=True, events=["*"]))
    assert made.secret.startswith("whsec_")
    sent = await hooks.test(made.id)
    assert (sent.endpoint_id, sent.type, sent.status) == (made.id, "webhook.test", "pending")
    off = await hooks.update(made.id, WebhookPatch(enabled=False))
    assert (off.enabled, off.disabled_reason) == (False, "disabled by hand")
    [listed] = await hooks.overview()
    assert (listed.endpoint.id, [d.id for d in listed.deliveries]) == (made.id, [sent.id])
    await hooks.delete(made.id)
    assert await hooks.overview() == []
