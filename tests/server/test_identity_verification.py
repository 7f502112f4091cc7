"""Identity verification: what a ``user_hash`` proves, and what it never lets anyone take over.

Both hash forms of API.md (HAL's over the visitor id, Intercom's over the claimed identity),
later calls with and without the remembered hash, and an attacker holding a valid hash of its
own. Every refusal is checked against the database too.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx
import pytest

from halcrm.services.container import Services
from tests.services.test_refusals_write_nothing import dump

A = "/api/widget/"


def sign(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
async def secret(client: httpx.AsyncClient, auth: dict[str, str]) -> str:
    """Verification turned on; Alice (user u1) identified from her app with HAL's form."""
    patch = await client.patch(
        "/api/project", json={"identity_verification": "required"}, headers=auth
    )
    assert patch.status_code == 200, patch.text
    key = str((await client.get("/api/project", headers=auth)).json()["secret"])
    alice = {
        "app_id": "local",
        "visitor_id": "u1",
        "user_id": "u1",
        "email": "alice@acme.com",
        "company": {"id": "acme", "name": "Acme", "stage": "Lead"},
        "user_hash": sign(key, "u1"),
    }
    answer = await client.post(A + "identify", json=alice)
    assert answer.status_code == 200, answer.text
    assert answer.json()["verified"] is True
    return key


async def post(client: httpx.AsyncClient, route: str, **body: Any) -> httpx.Response:
    return await client.post(A + route, json={"app_id": "local", **body})


async def test_later_calls_carry_the_visitor_hash_or_are_refused(
    client: httpx.AsyncClient, secret: str
) -> None:
    signed = await post(
        client, "set-stage", visitor_id="u1", stage="Qualified", user_hash=sign(secret, "u1")
    )
    assert signed.status_code == 200, signed.text
    unsigned = await post(client, "set-stage", visitor_id="u1", stage="Proposal")
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "identity_verification_failed")


async def test_a_hash_over_the_claimed_email_proves_it_and_holds_for_later_calls(
    client: httpx.AsyncClient, secret: str
) -> None:
    bob = sign(secret, "bob@globex.com")
    answer = await post(
        client,
        "identify",
        visitor_id="anon-7",
        email="bob@globex.com",
        company={"id": "globex"},
        user_hash=bob,
    )
    assert (answer.status_code, answer.json()["verified"]) == (200, True), answer.text
    # The identity's hash and the visitor id's hash both hold for the visitor's later calls.
    for hashed in (bob, sign(secret, "anon-7")):
        deal = await post(client, "set-deal", visitor_id="anon-7", deal_value=10, user_hash=hashed)
        assert deal.status_code == 200, deal.text
    # A hash over some other identity does not.
    other = await post(
        client,
        "set-deal",
        visitor_id="anon-7",
        deal_value=20,
        user_hash=sign(secret, "alice@acme.com"),
    )
    assert other.status_code == 401


async def test_the_same_person_on_another_device_proves_her_email(
    client: httpx.AsyncClient, secret: str
) -> None:
    first = await post(client, "identify", visitor_id="u1", user_hash=sign(secret, "u1"))
    laptop = await post(
        client,
        "identify",
        visitor_id="laptop-2",
        email="alice@acme.com",
        user_hash=sign(secret, "alice@acme.com"),
    )
    assert laptop.status_code == 200, laptop.text
    assert laptop.json()["contact_id"] == first.json()["contact_id"]


@pytest.mark.parametrize(
    "claim",
    [
        {"email": "alice@acme.com"},
        {"email": "ALICE@acme.com", "name": "Mallory"},
        {"user_id": "u1"},
        {"user_id": "someone-else", "email": "mallory@evil.com"},
    ],
    ids=["her email", "her email in capitals", "her user_id", "a user_id not its own"],
)
async def test_an_attacker_with_a_valid_hash_of_its_own_takes_over_nothing(
    client: httpx.AsyncClient, services: Services, secret: str, claim: dict[str, Any]
) -> None:
    before = dump(services.db.engine)
    answer = await post(
        client, "identify", visitor_id="att-iv", user_hash=sign(secret, "att-iv"), **claim
    )
    assert (answer.status_code, answer.json()["error"]) == (403, "identity_conflict"), answer.text
    assert dump(services.db.engine) == before
    # Nothing was bound, so its CRM writes find no contact.
    deal = await post(
        client,
        "set-deal",
        visitor_id="att-iv",
        deal_value=1,
        stage="Lost",
        stage_update_mode="exact",
        user_hash=sign(secret, "att-iv"),
    )
    assert (deal.status_code, deal.json()["error"]) == (409, "visitor_not_identified")
    assert dump(services.db.engine) == before


async def test_a_visitor_hash_may_create_a_contact_or_take_an_unbound_one(
    client: httpx.AsyncClient, auth: dict[str, str], secret: str
) -> None:
    fresh = await post(
        client,
        "identify",
        visitor_id="v-new",
        email="carol@initech.com",
        user_hash=sign(secret, "v-new"),
    )
    assert fresh.status_code == 200, fresh.text
    made = await client.post("/api/contacts", json={"email": "dave@hooli.com"}, headers=auth)
    taken = await post(
        client,
        "identify",
        visitor_id="v-dave",
        email="dave@hooli.com",
        user_hash=sign(secret, "v-dave"),
    )
    assert (taken.status_code, taken.json()["contact_id"]) == (200, made.json()["id"])


@pytest.mark.parametrize("given", [None, "", "bad", "é", "0" * 64])
async def test_a_wrong_hash_is_refused_and_writes_nothing(
    client: httpx.AsyncClient, services: Services, secret: str, given: str | None
) -> None:
    before = dump(services.db.engine)
    for route, extra in (
        ("identify", {"email": "eve@acme.com"}),
        ("set-properties", {"properties": {"a": 1}}),
        ("track", {"name": "x"}),
        ("set-stage", {"stage": "Won"}),
        ("set-deal", {"deal_value": 5}),
    ):
        body: dict[str, Any] = {"visitor_id": "u1", **extra}
        if given is not None:
            body["user_hash"] = given
        answer = await post(client, route, **body)
        assert answer.status_code == 401, (route, answer.text)
        assert answer.json()["error"] == "identity_verification_failed"
    assert dump(services.db.engine) == before
