"""Limits without holes: metadata limits at every nesting level, deal values that are numbers."""

from __future__ import annotations

import pytest

from halcrm.domain import metadata
from tests.server.helpers import call, refused

PROPS = "/api/widget/set-properties"
IDENTIFY = "/api/widget/identify"
SET_DEAL = "/api/widget/set-deal"

NESTED_CASES = [
    ({"n": {f"k{i}": i for i in range(4000)}}, f"more than {metadata.MAX_KEYS} keys"),
    ({"n": {"m": {f"k{i}": i for i in range(metadata.MAX_KEYS + 1)}}}, "more than"),
    ({"n": [{f"k{i}": i for i in range(metadata.MAX_KEYS + 1)}]}, "more than"),
    ({"n": {"k" * (metadata.MAX_KEY_LENGTH + 1): 1}}, "key longer than"),
    ({"n": ["x" * (metadata.MAX_STRING_LENGTH + 1)]}, "value longer than"),
    ({"n": {"l": list(range(metadata.MAX_KEYS + 1))}}, "list longer than"),
]


@pytest.mark.parametrize(("value", "named"), NESTED_CASES)
async def test_nested_metadata_is_held_to_the_same_limits(
    client, widget, auth, services, value, named
):
    answer = await refused(client, PROPS, widget(properties=value), 400, "invalid_request")
    assert named in answer["detail"]
    body = widget(email="a@corp.io", metadata=value)
    assert named in (await refused(client, IDENTIFY, body, 400, "invalid_request"))["detail"]
    created = await client.post(
        "/api/companies", json={"name": "Acme", "metadata": value}, headers=auth
    )
    assert created.status_code == 400, created.text
    assert named in created.json()["detail"]
    assert (await services.activity.recent()).items == []
    assert (await client.get("/api/companies", headers=auth)).json()["items"] == []


async def test_metadata_at_the_limits_is_accepted(client, widget):
    value = {"n": {f"k{i}": i for i in range(metadata.MAX_KEYS)}, "d": {"a": {"b": 1}}}
    await call(client, PROPS, widget(properties=value))


@pytest.mark.parametrize("bad", ["1e5", " 12 ", "12", True, [1], {"v": 1}])
async def test_deal_value_must_be_a_json_number(client, widget, auth, bad):
    await call(client, IDENTIFY, widget(email="a@corp.io", company={"id": "acme"}))
    answer = await refused(client, SET_DEAL, widget(deal_value=bad), 400, "invalid_request")
    assert "deal_value" in answer["detail"]
    assert (await client.get("/api/companies/acme", headers=auth)).json()["deal_value"] is None
    created = await client.post(
        "/api/companies", json={"name": "B", "deal_value": bad}, headers=auth
    )
    assert created.status_code == 400, created.text
    patched = await client.patch("/api/companies/acme", json={"deal_value": bad}, headers=auth)
    assert patched.status_code == 400, patched.text
    listed = await client.get("/api/companies", headers=auth)
    assert [(c["id"], c["deal_value"]) for c in listed.json()["items"]] == [("acme", None)]


async def test_deal_value_numbers_stay_exact(client, widget, auth):
    await call(client, IDENTIFY, widget(email="a@corp.io", company={"id": "acme"}))
    answer = await call(client, SET_DEAL, widget(deal_value=1234.56))
    assert answer["deal_value"] == 1234.56
    answer = await call(client, SET_DEAL, widget(deal_value=100000))
    assert answer["deal_value"] == 100000
