"""Account routes: project settings, stages, companies, contacts, links, history, activity."""

from __future__ import annotations

import httpx
import pytest

from tests.server.helpers import call, companies, company, history


async def test_every_account_route_needs_the_token(client):
    for method, path in [
        ("GET", "/api/project"),
        ("GET", "/api/stages"),
        ("GET", "/api/companies"),
        ("POST", "/api/companies"),
        ("GET", "/api/contacts"),
        ("GET", "/api/activity"),
    ]:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}):
            answer = await client.request(method, path, headers=headers, json={})
            assert answer.status_code == 401, (method, path, headers)
            assert answer.json()["error"] == "unauthorized"


async def test_project_settings(client, auth):
    project = (await client.get("/api/project", headers=auth)).json()
    assert project["id"] == "local"
    assert project["stage_update_mode"] == "advance_only"
    assert project["identity_verification"] == "off"
    assert len(project["secret"]) >= 32
    patched = await client.patch("/api/project", json={"name": "My SaaS"}, headers=auth)
    assert patched.status_code == 200
    assert patched.json()["name"] == "My SaaS"
    assert "secret" not in patched.json()
    bad = await client.patch("/api/project", json={"identity_verification": "maybe"}, headers=auth)
    assert bad.status_code == 400


async def test_default_pipeline(client, auth):
    stages = (await client.get("/api/stages", headers=auth)).json()
    assert stages["next_cursor"] is None
    items = stages["items"]
    assert [s["name"] for s in items] == [
        "Lead",
        "Qualified",
        "Proposal",
        "Negotiation",
        "Won",
        "Lost",
    ]
    assert [s["position"] for s in items] == [0, 1, 2, 3, 4, 5]
    assert [s["kind"] for s in items][-2:] == ["won", "lost"]
    assert all(0 <= s["probability"] <= 100 for s in items)
    assert items[-1]["stall_after_days"] is None


async def test_stage_create_reorder_rename_delete(client, auth):
    created = await client.post(
        "/api/stages", json={"name": "Demo", "position": 2, "probability": 40}, headers=auth
    )
    assert created.status_code == 201, created.text
    demo = created.json()
    assert (demo["position"], demo["kind"]) == (2, "open")
    names = [s["name"] for s in (await client.get("/api/stages", headers=auth)).json()["items"]]
    assert names[:4] == ["Lead", "Qualified", "Demo", "Proposal"]
    dup = await client.post("/api/stages", json={"name": "demo"}, headers=auth)
    assert dup.status_code == 409
    moved = await client.patch(f"/api/stages/{demo['id']}", json={"position": 0}, headers=auth)
    assert moved.json()["position"] == 0
    renamed = await client.patch("/api/stages/Demo", json={"name": "Discovery"}, headers=auth)
    assert renamed.json()["name"] == "Discovery"
    stall = await client.patch("/api/stages/won", json={"stall_after_days": 3}, headers=auth)
    assert stall.status_code == 400
    gone = await client.delete(f"/api/stages/{demo['id']}", headers=auth)
    assert gone.status_code == 200
    assert gone.json() == {"id": demo["id"], "deleted": True}
    missing = await client.delete("/api/stages/nope", headers=auth)
    assert missing.status_code == 400
    assert missing.json()["error"] == "unknown_stage"


async def test_stage_holding_companies_is_not_deleted(client, auth):
    await client.post("/api/companies", json={"name": "Acme", "stage": "Lead"}, headers=auth)
    refused = await client.delete("/api/stages/lead", headers=auth)
    assert refused.status_code == 409
    assert refused.json()["error"] == "stage_not_empty"
    assert "still holds 1 company;" in refused.json()["detail"]
    await client.post("/api/companies", json={"name": "Globex", "stage": "Lead"}, headers=auth)
    refused = await client.delete("/api/stages/lead", headers=auth)
    assert "still holds 2 companies;" in refused.json()["detail"]


async def test_company_crud(client, auth):
    created = await client.post(
        "/api/companies",
        json={
            "id": "acme",
            "name": "Acme",
            "domain": "acme.com",
            "industry": "Tools",
            "notes": "Met at SaaStr",
            "metadata": {"tier": "gold"},
            "deal_value": 12500.5,
            "stage": "Qualified",
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    acme = created.json()
    assert acme["stage"] == "Qualified"
    assert acme["stage_id"] == "qualified"
    assert acme["deal_value"] == 12500.5
    assert acme["contact_ids"] == []
    assert acme["is_placeholder"] is False
    assert acme["stalled"] is False
    for key in ("created_at", "updated_at", "last_activity_at"):
        assert acme[key].endswith("Z")
    dup = await client.post("/api/companies", json={"id": "acme", "name": "Again"}, headers=auth)
    assert dup.status_code == 409
    patched = await client.patch(
        "/api/companies/acme",
        json={"metadata": {"seats": 5, "tier": None}, "notes": None, "stage": "lead"},
        headers=auth,
    )
    assert patched.status_code == 200
    body = patched.json()
    assert body["metadata"] == {"seats": 5}
    assert body["notes"] is None
    assert body["stage"] == "Lead"
    rows = await history(client, auth, "acme")
    assert [(r["stage"], r["source"], r["mode"]) for r in rows] == [
        ("Lead", "account_api", "exact"),
        ("Qualified", "account_api", "exact"),
    ]
    deleted = await client.delete("/api/companies/acme", headers=auth)
    assert deleted.json() == {"id": "acme", "deleted": True}
    assert (await client.get("/api/companies/acme", headers=auth)).status_code == 404
    assert (await client.delete("/api/companies/acme", headers=auth)).json()["error"] == "not_found"


async def test_company_validation_writes_nothing(client, auth):
    for bad in (
        {},
        {"name": ""},
        {"name": "x", "deal_value": -5},
        {"name": "x", "deal_value": 1.001},
        {"name": "x", "stage": "Nope"},
        {"name": "x", "metadata": "text"},
    ):
        answer = await client.post("/api/companies", json=bad, headers=auth)
        assert answer.status_code == 400, bad
        assert answer.json()["error"] in ("invalid_request", "unknown_stage")
    assert await companies(client, auth) == []


async def test_company_list_filters_and_pages(client, auth):
    for i in range(7):
        stage = "Lead" if i % 2 else "Won"
        await client.post(
            "/api/companies", json={"name": f"Firm {i}", "stage": stage}, headers=auth
        )
    await client.post("/api/companies", json={"name": "Special_Co"}, headers=auth)
    assert len(await companies(client, auth, stage="lead")) == 3
    assert len(await companies(client, auth, stage="Won")) == 4
    assert [c["name"] for c in await companies(client, auth, q="special_")] == ["Special_Co"]
    assert await companies(client, auth, q="_x%") == []
    # Each word, in any order (a quoted phrase as written): "co special" finds Special_Co.
    assert [c["name"] for c in await companies(client, auth, q="co special")] == ["Special_Co"]
    assert await companies(client, auth, q='"co special"') == []
    assert len(await companies(client, auth, q="  ")) == 8
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/companies", headers=auth, params=params)).json()
        seen += [c["name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 8
    bad_stage = await client.get("/api/companies", headers=auth, params={"stage": "nope"})
    assert bad_stage.json()["error"] == "unknown_stage"
    bad_limit = await client.get("/api/companies", headers=auth, params={"limit": 0})
    assert bad_limit.status_code == 400
    bad_cursor = await client.get("/api/companies", headers=auth, params={"cursor": "!!"})
    assert bad_cursor.status_code == 400


async def test_contacts_crud_and_links(client, auth, widget):
    created = await client.post(
        "/api/contacts",
        json={"email": "Ann@Corp.io", "name": "Ann", "phone": "+1 555", "tags": ["vip"]},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    ann = created.json()
    assert ann["email"] == "ann@corp.io"
    assert ann["company_ids"] == []
    assert (await companies(client, auth)) == []
    dup = await client.post("/api/contacts", json={"email": "ann@corp.io"}, headers=auth)
    assert dup.status_code == 409
    found = await client.get("/api/contacts", headers=auth, params={"email": "ANN@corp.io"})
    assert [c["id"] for c in found.json()["items"]] == [ann["id"]]
    await client.post("/api/companies", json={"id": "corp", "name": "Corp"}, headers=auth)
    linked = await client.put(f"/api/contacts/{ann['id']}/companies/corp", headers=auth)
    assert linked.json()["company_ids"] == ["corp"]
    again = await client.put(f"/api/contacts/{ann['id']}/companies/corp", headers=auth)
    assert again.json()["company_ids"] == ["corp"]
    assert (await company(client, auth, "corp"))["contact_ids"] == [ann["id"]]
    missing = await client.put(f"/api/contacts/{ann['id']}/companies/none", headers=auth)
    assert missing.status_code == 404
    patched = await client.patch(
        f"/api/contacts/{ann['id']}", json={"metadata": {"a": 1}, "name": "Ann B"}, headers=auth
    )
    assert (patched.json()["metadata"], patched.json()["name"]) == ({"a": 1}, "Ann B")
    unlinked = await client.delete(f"/api/contacts/{ann['id']}/companies/corp", headers=auth)
    assert unlinked.json()["company_ids"] == []
    answer = await call(client, "/api/widget/identify", widget(email="ann@corp.io"))
    assert answer["contact_id"] == ann["id"]
    deleted = await client.delete(f"/api/contacts/{ann['id']}", headers=auth)
    assert deleted.json() == {"id": ann["id"], "deleted": True}
    assert (await client.get(f"/api/contacts/{ann['id']}", headers=auth)).status_code == 404


async def test_linking_a_real_company_lets_go_of_idle_placeholders(client, auth, widget):
    answer = await call(client, "/api/widget/identify", widget(email="p@newco.dev"))
    [placeholder] = answer["company_ids"]
    await client.post("/api/companies", json={"id": "newco", "name": "NewCo"}, headers=auth)
    linked = await client.put(f"/api/contacts/{answer['contact_id']}/companies/newco", headers=auth)
    assert linked.json()["company_ids"] == ["newco"]
    assert (await client.get(f"/api/companies/{placeholder}", headers=auth)).status_code == 404


async def test_activity_lists_signals_newest_first(client, auth, widget):
    await call(client, "/api/widget/identify", widget(email="a@acme.com", company={"id": "acme"}))
    await call(client, "/api/widget/set-stage", widget(stage="Proposal"))
    await call(client, "/api/widget/set-stage", widget(stage="Lead"))
    feed = (await client.get("/api/activity", headers=auth, params={"limit": 2})).json()
    first, second = feed["items"]
    assert first["kind"] == "stage_change"
    assert first["data"]["applied"] is False
    assert first["data"]["reason"] == "already_later"
    assert first["source"] == "widget"
    assert second["data"]["applied"] is True
    assert int(first["id"]) > int(second["id"])
    assert feed["next_cursor"]
    rest = await client.get("/api/activity", headers=auth, params={"cursor": feed["next_cursor"]})
    assert [i["kind"] for i in rest.json()["items"]] == ["identify"]


async def test_openapi_schema_is_served(client):
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/widget/identify", "/api/companies", "/api/contacts/{contact_id}"):
        assert path in paths


@pytest.mark.parametrize("name", ["Lead", "lead", "LEAD"])
async def test_a_stage_renamed_to_its_own_name_in_any_case_is_renamed(
    client: httpx.AsyncClient, auth: dict[str, str], name: str
):
    answer = await client.patch("/api/stages/lead", json={"name": name}, headers=auth)
    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == name
    stages = (await client.get("/api/stages", headers=auth)).json()["items"]
    assert stages[0]["name"] == name


async def test_q_ignores_case_and_accents_on_both_stores(client, auth):
    # As the board's filter reads names: "nunez" finds Núñez, "ZURICH" finds Zürich.
    for name in ("Zürich Holdings", "Zug AG", "École Lumière"):
        made = await client.post("/api/companies", json={"name": name}, headers=auth)
        assert made.status_code == 201
    body = {"email": "ana@zurich.example", "name": "Ana Núñez"}
    assert (await client.post("/api/contacts", json=body, headers=auth)).status_code == 201
    for q, wanted in (
        ("zurich", ["Zürich Holdings"]),
        ("ZÜRICH hold", ["Zürich Holdings"]),
        ("ecole lumiere", ["École Lumière"]),
        ("LUMIÈRE", ["École Lumière"]),
    ):
        assert [c["name"] for c in await companies(client, auth, q=q)] == wanted, q
    for q in ("nunez", "NÚÑEZ ana", "ana@zurich"):
        found = await client.get("/api/contacts", params={"q": q}, headers=auth)
        assert [c["name"] for c in found.json()["items"]] == ["Ana Núñez"], q
