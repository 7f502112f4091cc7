"""Two projects in one database never see or touch each other; widgets write only where linked."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from halcrm.cli.serve import warn_if_public
from halcrm.server.app import ServerConfig, create_app
from halcrm.services.container import Services
from halcrm.settings import Settings
from tests.asgi import asgi
from tests.conftest import TOKEN
from tests.server.helpers import call, refused
from tests.server.live import live_server, next_data_event, sse_events


def body(project: str, visitor: str = "v1", **fields: object) -> dict[str, object]:
    return {"app_id": project, "visitor_id": visitor, **fields}


@pytest.fixture
async def other(services: Services) -> Services:
    await services.projects.ensure("other")
    return Services(services.db, "other")


@pytest.fixture
async def other_client(other: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(other, ServerConfig(account_token=TOKEN))
    transport = asgi(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://other") as http:
        yield http


async def _seed(client, project: str, deal: int) -> dict[str, str]:
    """The same visitor, email and company id in a project, with its own deal value."""
    who = await call(
        client,
        "/api/widget/identify",
        body(project, email="jane@acme.com", company={"id": "acme", "name": f"Acme {project}"}),
    )
    await call(client, "/api/widget/set-deal", body(project, deal_value=deal, stage="Proposal"))
    await call(client, "/api/widget/track", body(project, name="signup", company_id="acme"), 201)
    return who


async def test_equal_ids_stay_separate_across_projects(client, other_client, auth, other):
    mine = await _seed(client, "local", 100)
    theirs = await _seed(client, "other", 5)
    assert mine["contact_id"] != theirs["contact_id"]
    acme = (await client.get("/api/companies/acme", headers=auth)).json()
    other_acme = (await other_client.get("/api/companies/acme", headers=auth)).json()
    assert (acme["name"], acme["deal_value"]) == ("Acme local", 100)
    assert (other_acme["name"], other_acme["deal_value"]) == ("Acme other", 5)
    assert acme["contact_ids"] == [mine["contact_id"]]
    assert other_acme["contact_ids"] == [theirs["contact_id"]]

    # Reads through the other project's app never show the first project's records.
    listed = await other_client.get("/api/contacts", headers=auth)
    assert [c["id"] for c in listed.json()["items"]] == [theirs["contact_id"]]
    feed = (await other_client.get("/api/activity", headers=auth)).json()["items"]
    assert feed
    assert all(item["company_name"] in (None, "Acme other") for item in feed)
    hist = (await other_client.get("/api/companies/acme/history", headers=auth)).json()["items"]
    assert {item.get("contact_id") for item in hist} <= {None, theirs["contact_id"]}

    # Writes through the other project's app cannot reach the first project's contact.
    cid = mine["contact_id"]
    for method, path, payload in [
        ("GET", f"/api/contacts/{cid}", None),
        ("PATCH", f"/api/contacts/{cid}", {"name": "Hacked"}),
        ("DELETE", f"/api/contacts/{cid}", None),
        ("PUT", f"/api/contacts/{cid}/companies/acme", None),
    ]:
        answer = await other_client.request(method, path, headers=auth, json=payload)
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.json()["error"] == "not_found"
    # Deleting "acme" in the other project leaves the first project's acme alone.
    assert (await other_client.delete("/api/companies/acme", headers=auth)).status_code == 200
    still = (await client.get("/api/companies/acme", headers=auth)).json()
    assert (still["name"], still["deal_value"], still["contact_ids"]) == ("Acme local", 100, [cid])
    person = (await client.get(f"/api/contacts/{cid}", headers=auth)).json()
    assert person["name"] is None


async def test_company_and_stage_routes_stay_in_their_project(client, other_client, auth, other):
    made = await client.post("/api/companies", headers=auth, json={"id": "only-local", "name": "L"})
    assert made.status_code == 201
    for method, path, payload in [
        ("GET", "/api/companies/only-local", None),
        ("PATCH", "/api/companies/only-local", {"name": "Hacked", "deal_value": 1}),
        ("DELETE", "/api/companies/only-local", None),
        ("GET", "/api/companies/only-local/history", None),
    ]:
        answer = await other_client.request(method, path, headers=auth, json=payload)
        assert answer.status_code == 404, (method, path, answer.text)
    listed = (await other_client.get("/api/companies", headers=auth)).json()["items"]
    assert listed == []
    # Stage ids are the same default pipeline in both projects: an edit stays in its own.
    stage = (await other_client.get("/api/stages", headers=auth)).json()["items"][0]
    renamed = await other_client.patch(
        f"/api/stages/{stage['id']}", headers=auth, json={"name": "Prospect"}
    )
    assert renamed.status_code == 200
    mine = (await client.get("/api/stages", headers=auth)).json()["items"][0]
    assert (mine["id"], mine["name"]) == (stage["id"], "Lead")
    still = (await client.get("/api/companies/only-local", headers=auth)).json()
    assert (still["name"], still["deal_value"]) == ("L", None)


async def test_widget_cannot_reach_another_projects_company(client, auth, other):
    await _seed(client, "local", 100)
    await call(client, "/api/widget/identify", body("other", email="eve@evil.io"))
    await client.post("/api/companies", headers=auth, json={"id": "only-local", "name": "L"})
    await refused(
        client,
        "/api/widget/track",
        body("other", name="x", company_id="only-local"),
        404,
        "unknown_company",
    )
    await refused(
        client,
        "/api/widget/identify",
        body("other", email="eve@evil.io", company_ids=["only-local"]),
        404,
        "unknown_company",
    )
    company = (await client.get("/api/companies/only-local", headers=auth)).json()
    assert company["contact_ids"] == []


async def test_public_api_keys_and_conversations_are_per_project(
    client, other_client, services, other
):
    mine = await _seed(client, "local", 100)
    key = {"X-API-Key": (await services.api_keys.create("local")).key}
    other_key = {"X-API-Key": (await other.api_keys.create("other")).key}
    conv = await client.post(
        "/api/v1/conversations", headers=key, json={"contact_id": mine["contact_id"]}
    )
    assert conv.status_code == 201
    conv_id = conv.json()["id"]
    # A key works on its own project whichever server it reaches, and on nothing else.
    via_other = (await other_client.get("/api/v1/contacts", headers=key)).json()["items"]
    assert [c["id"] for c in via_other] == [mine["contact_id"]]
    assert (await client.get("/api/v1/contacts", headers=other_key)).json()["items"] == []
    assert (await other_client.get("/api/v1/conversations", headers=other_key)).json()[
        "items"
    ] == []
    for method, path, payload in [
        ("GET", f"/api/v1/conversations/{conv_id}", None),
        ("PATCH", f"/api/v1/conversations/{conv_id}", {"status": "resolved"}),
        ("POST", f"/api/v1/conversations/{conv_id}/messages", {"author": "agent", "body": "x"}),
        ("POST", "/api/v1/conversations", {"contact_id": mine["contact_id"]}),
    ]:
        answer = await other_client.request(method, path, headers=other_key, json=payload)
        assert answer.status_code == 404, (method, path, answer.text)
    shown = (await client.get(f"/api/v1/conversations/{conv_id}", headers=key)).json()
    assert (shown["status"], shown["message_count"]) == ("open", 0)


async def test_event_stream_shows_only_its_own_project(runtime, other):
    async with (
        live_server(runtime, ServerConfig(account_token=TOKEN), services=other) as live,
        httpx.AsyncClient(base_url=live.base_url, timeout=10) as http,
        http.stream("GET", "/api/events", headers={"Authorization": f"Bearer {TOKEN}"}) as s,
    ):
        events = sse_events(s)
        await anext(events)
        await call(http, "/api/widget/set-properties", body("local", properties={"a": 1}))
        await call(http, "/api/widget/set-properties", body("other", properties={"b": 2}))
        first = await asyncio.wait_for(next_data_event(events), 10)
        assert first.json()["project_id"] == "other"
        assert first.json()["data"]["keys"] == ["b"]


async def test_widget_never_writes_to_an_unlinked_company(client, widget, auth):
    await call(
        client, "/api/widget/identify", widget(email="jane@acme.com", company={"id": "acme"})
    )
    created = await client.post("/api/companies", headers=auth, json={"id": "globex", "name": "G"})
    assert created.status_code == 201
    writes: list[tuple[str, dict[str, Any]]] = [
        ("/api/widget/set-stage", {"stage": "Won"}),
        ("/api/widget/set-deal", {"deal_value": 999}),
        ("/api/widget/track", {"name": "x"}),
    ]
    for path, extra in writes:
        await refused(client, path, widget(company_id="globex", **extra), 403, "company_not_linked")
    globex = (await client.get("/api/companies/globex", headers=auth)).json()
    assert (globex["stage"], globex["deal_value"], globex["contact_ids"]) == (None, None, [])
    hist = (await client.get("/api/companies/globex/history", headers=auth)).json()["items"]
    assert hist == []


def test_the_server_binds_loopback_by_default_and_warns_otherwise(tmp_path, capsys):
    default = Settings.from_env({"HALCRM_DATA_DIR": str(tmp_path)})
    assert default.host == "127.0.0.1"
    warn_if_public(default)
    assert capsys.readouterr().err == ""
    public = Settings.from_env({"HALCRM_DATA_DIR": str(tmp_path), "HALCRM_HOST": "0.0.0.0"})
    warn_if_public(public)
    err = capsys.readouterr().err
    assert "WARNING" in err
    assert "0.0.0.0" in err
    assert sys.stderr is not None
