"""Refused widget calls leave a trace: an INFO log line and a live event, never a stored row."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx

from halcrm.domain.events import EventKind
from halcrm.server.app import ServerConfig
from tests.conftest import TOKEN
from tests.server.helpers import call, refused
from tests.server.live import live_server, next_data_event, sse_events

AUTH = {"Authorization": f"Bearer {TOKEN}"}
SET_STAGE = "/api/widget/set-stage"


async def _drain(sub) -> list:
    await asyncio.sleep(0)
    out = []
    while sub.pending():
        out.append(sub.get_nowait())
    return out


async def test_an_unknown_stage_is_logged_published_and_not_stored(
    client, widget, services, caplog
):
    caplog.set_level(logging.INFO, logger="halcrm")
    await call(client, "/api/widget/identify", widget(email="a@corp.io", company={"id": "acme"}))
    before = [item.id for item in (await services.activity.recent()).items]
    sub = services.bus.subscribe()
    try:
        answer = await refused(client, SET_STAGE, widget(stage="Qualifed"), 400, "unknown_stage")
        assert answer["valid_stages"] == [
            "Lead",
            "Qualified",
            "Proposal",
            "Negotiation",
            "Won",
            "Lost",
        ]
        events = [e for e in await _drain(sub) if e.kind is EventKind.REFUSED]
    finally:
        sub.close()
    assert len(events) == 1
    event = events[0]
    assert event.id == 0
    assert event.source == "widget"
    assert event.project_id == "local"
    assert event.summary == "set-stage refused: unknown_stage"
    assert event.data["route"] == "set-stage"
    assert event.data["visitor_id"] == "v1"
    assert event.data["code"] == "unknown_stage"
    assert "Qualifed" in event.data["detail"]
    assert event.data["count"] == 1
    # Published, not stored: the activity log is what it was.
    assert [item.id for item in (await services.activity.recent()).items] == before
    lines = [r.getMessage() for r in caplog.records if r.name == "halcrm.server.refusals"]
    assert len(lines) == 1
    assert "route=set-stage" in lines[0]
    assert "visitor=v1" in lines[0]
    assert "code=unknown_stage" in lines[0]
    assert all(r.levelno == logging.INFO for r in caplog.records if "refused" in r.getMessage())


async def test_malformed_json_is_a_refusal_too(client, services, caplog):
    caplog.set_level(logging.INFO, logger="halcrm")
    sub = services.bus.subscribe()
    try:
        answer = await client.post(
            "/api/widget/identify", content=b"{nope", headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 400
        events = [e for e in await _drain(sub) if e.kind is EventKind.REFUSED]
    finally:
        sub.close()
    assert [e.data["code"] for e in events] == ["invalid_request"]
    assert events[0].data["visitor_id"] is None
    assert events[0].project_id == "local"
    assert (await services.activity.recent()).items == []
    assert any("route=identify" in r.getMessage() for r in caplog.records)


async def test_a_flood_is_coalesced_with_a_count(client, widget, services):
    sub = services.bus.subscribe()
    started = time.monotonic()
    try:
        for n in range(40):
            answer = await client.post(SET_STAGE, json=widget(f"v{n}", stage="Nope"))
            assert answer.status_code in (400, 409)
        windows = int((time.monotonic() - started) / 0.25) + 2
        # Wait out the coalescing window (0.25 s): its summary event is then published.
        events: list = []
        for _ in range(100):
            events += [e for e in await _drain(sub) if e.kind is EventKind.REFUSED]
            if sum(e.data["count"] for e in events) >= 40:
                break
            await asyncio.sleep(0.05)
    finally:
        sub.close()
    assert sum(e.data["count"] for e in events) == 40
    # One at once, then at most one per window while the flood lasts.
    assert len(events) <= windows
    assert events[0].data["count"] == 1


async def test_account_refusals_are_not_widget_refusals(client, services):
    sub = services.bus.subscribe()
    try:
        answer = await client.get("/api/companies/nope", headers=AUTH)
        assert answer.status_code == 404
        assert [e for e in await _drain(sub) if e.kind is EventKind.REFUSED] == []
    finally:
        sub.close()


async def test_the_stream_sends_refusals_without_an_id(runtime):
    config = ServerConfig(account_token=TOKEN, sse_keepalive=0.2)
    async with (
        live_server(runtime, config) as live,
        httpx.AsyncClient(base_url=live.base_url, timeout=10) as http,
        http.stream("GET", "/api/events", headers=AUTH) as stream,
    ):
        events = sse_events(stream)
        await anext(events)
        body = {"app_id": "local", "visitor_id": "v1", "stage": "Nope"}
        assert (await http.post(SET_STAGE, json=body)).status_code == 409
        event = await asyncio.wait_for(next_data_event(events), 10)
        assert event.event == "refused"
        assert event.id is None
        assert not any(line.startswith("id:") for line in event.lines)
        assert event.json()["data"]["code"] == "visitor_not_identified"


async def test_a_nul_in_a_widget_query_is_a_refusal_too(client, widget, services):
    sub = services.bus.subscribe()
    try:
        answer = await client.post("/api/widget/track?x=%00", json=widget(name="signup"))
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_request"
        assert answer.headers["access-control-allow-origin"] == "*"
        events = [e for e in await _drain(sub) if e.kind is EventKind.REFUSED]
    finally:
        sub.close()
    assert [(e.data["route"], e.data["code"]) for e in events] == [("track", "invalid_request")]
    assert (await services.activity.recent()).items == []
