"""identify rules 7-9 (API.md): an unknown stage name loses nothing, anonymous properties reach
the contact, and a new colleague joins the real company of their email's domain."""

from __future__ import annotations

import httpx

from tests.server.helpers import call, companies, company, contact, history

A = "/api/widget/"


async def test_an_unknown_stage_name_writes_everything_else(
    client: httpx.AsyncClient, auth: dict[str, str], widget
) -> None:
    body = widget(
        "v1",
        email="alice@acme.com",
        metadata={"plan": "enterprise"},
        company={"id": "acme", "name": "Acme Inc", "stage": "Closed Won", "metadata": {"a": 1}},
    )
    answer = await call(client, A + "identify", body)
    assert answer["stage"]["applied"] is False
    assert answer["stage"]["reason"] == "unknown_stage"
    assert answer["stage"]["requested_stage"] == "Closed Won"
    assert (await contact(client, auth, answer["contact_id"]))["metadata"] == {"plan": "enterprise"}
    acme = await company(client, auth, "acme")
    assert (acme["name"], acme["metadata"], acme["stage"]) == ("Acme Inc", {"a": 1}, None)
    skipped = (await history(client, auth, "acme"))[0]
    assert (skipped["applied"], skipped["reason"]) == (False, "unknown_stage")
    feed = (await client.get("/api/activity", headers=auth)).json()["items"]
    assert any("Closed Won skipped (unknown_stage)" in item["summary"] for item in feed)
    # set-stage still refuses the same name.
    refused = await client.post(A + "set-stage", json=widget("v1", stage="Closed Won"))
    assert (refused.status_code, refused.json()["error"]) == (400, "unknown_stage")
    assert isinstance(refused.json()["valid_stages"], list | str)


async def test_properties_set_while_anonymous_reach_the_contact(
    client: httpx.AsyncClient, auth: dict[str, str], widget
) -> None:
    await call(client, A + "set-properties", widget("v2", properties={"plan": "pro", "seats": 5}))
    await client.post(
        "/api/contacts",
        json={"email": "bob@globex.com", "metadata": {"seats": 9}},
        headers=auth,
    )
    answer = await call(
        client, A + "identify", widget("v2", email="bob@globex.com", metadata={"role": "cto"})
    )
    meta = (await contact(client, auth, answer["contact_id"]))["metadata"]
    # The contact's own key wins; the identify's metadata goes on top.
    assert meta == {"plan": "pro", "seats": 9, "role": "cto"}


async def test_a_new_colleague_joins_the_real_company_of_their_domain(
    client: httpx.AsyncClient, auth: dict[str, str], widget
) -> None:
    made = await client.post(
        "/api/companies",
        json={"id": "globex", "name": "Globex", "domain": "globex.com"},
        headers=auth,
    )
    assert made.status_code == 201, made.text
    answer = await call(client, A + "identify", widget("v3", email="bob@globex.com"))
    assert answer["company_ids"] == ["globex"]
    assert not [c for c in await companies(client, auth) if c["is_placeholder"]]
    # Two real companies on one domain: no guess, a placeholder as before.
    await client.post(
        "/api/companies",
        json={"id": "globex-eu", "name": "Globex EU", "domain": "globex.com"},
        headers=auth,
    )
    other = await call(client, A + "identify", widget("v4", email="carol@globex.com"))
    assert other["company_ids"] != ["globex"]
    placeholder = await company(client, auth, other["company_ids"][0])
    assert placeholder["is_placeholder"] is True
