"""The SDK sends a ``message_id`` with every call and sends it again when a call got no answer,
so a retried call is written once (API.md, Idempotency)."""

from __future__ import annotations

import json
from typing import Any

from halcrm.embed import embed_snippet
from tests.browser.test_widget_sdk import SETTLE, open_founder_app, settle
from tests.conftest import TOKEN
from tests.live import halcrm_server, serving, static_pages


def failing_once(bodies: list[dict[str, Any]]) -> Any:
    """Wraps halcrm: the first track is written, then answered 503 as a proxy would answer a
    server that went away; every track body is kept."""

    def wrap(app: Any) -> Any:
        failed = False

        async def handler(scope: Any, receive: Any, send: Any) -> None:
            nonlocal failed
            if scope.get("method") != "POST" or scope["path"] != "/api/widget/track":
                await app(scope, receive, send)
                return
            chunks: list[bytes] = []
            while True:
                message = await receive()
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    break
            body = b"".join(chunks)
            bodies.append(json.loads(body))
            replay = [{"type": "http.request", "body": body, "more_body": False}]

            async def again() -> Any:
                return replay.pop() if replay else {"type": "http.disconnect"}

            if failed:
                await app(scope, again, send)
                return
            failed = True

            async def swallow(message: Any) -> None:
                """The answer is lost on the way back."""

            await app(scope, again, swallow)
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"access-control-allow-origin", b"*"),
                        (b"content-type", b"application/json"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b'{"error":"unavailable"}'})

        return handler

    return wrap


async def test_a_call_that_lost_its_answer_is_sent_again_and_written_once(services, page):
    bodies: list[dict[str, Any]] = []
    async with halcrm_server(services, TOKEN, wrap=failing_once(bodies)) as halcrm_url:
        html = (
            "<!doctype html><html><head>"
            + embed_snippet(halcrm_url, "local")
            + f"<script>{SETTLE}</script></head></html>"
        )
        async with serving(static_pages({"/": html})) as app_url:
            await open_founder_app(page, app_url)
            assert (await settle(page, "HalWidget.identify({ email: 'kim@acme.com' })"))["ok"]
            tracked = await settle(page, "HalWidget.track({ name: 'trial-started' })")
            assert tracked["ok"], tracked
            other = await settle(page, "HalWidget.track({ name: 'plan-upgraded' })")
            assert other["ok"], other
    assert len(bodies) == 3
    assert bodies[0]["message_id"] == bodies[1]["message_id"]
    assert bodies[2]["message_id"] != bodies[0]["message_id"]
    tracks = [e for e in (await services.activity.recent()).items if e.kind == "track"]
    assert sorted(e.data["name"] for e in tracks) == ["plan-upgraded", "trial-started"]
