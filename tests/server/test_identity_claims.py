"""What a hash covers, exactly (API.md, round 3): the identity matrix's mixed, normalised and
company-claim cases, and the secret's rotation.

Verification is required throughout. The victim is Alice (user ``u1``, ``alice@acme.com``,
company acme), identified from her app; every refusal is checked against the database too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from halcrm.services.container import Services
from tests.server.test_identity_verification import post, sign
from tests.services.test_refusals_write_nothing import dump

AUTH_PATCH = {"identity_verification": "required"}


@pytest.fixture
async def secret(client: httpx.AsyncClient, auth: dict[str, str]) -> str:
    """Verification required; Alice identified with a hash over her user_id."""
    patched = await client.patch("/api/project", json=AUTH_PATCH, headers=auth)
    assert patched.status_code == 200, patched.text
    key = str((await client.get("/api/project", headers=auth)).json()["secret"])
    alice = await post(
        client,
        "identify",
        visitor_id="u1",
        user_id="u1",
        email="alice@acme.com",
        company={"id": "acme", "name": "Acme", "stage": "Lead"},
        user_hash=sign(key, "u1"),
    )
    assert alice.status_code == 200, alice.text
    return key


async def refused(
    client: httpx.AsyncClient, services: Services, code: str, route: str, **body: Any
) -> None:
    """The call is 403 ``code`` and the database is as it was."""
    before = dump(services.db.engine)
    answer = await post(client, route, **body)
    assert (answer.status_code, answer.json()["error"]) == (403, code), answer.text
    assert dump(services.db.engine) == before


async def contact(client: httpx.AsyncClient, auth: dict[str, str], email: str) -> dict[str, Any]:
    found = await client.get("/api/contacts", params={"email": email}, headers=auth)
    return dict(found.json()["items"][0])


# 1. Mixed identity.


async def test_a_hash_over_ones_own_user_id_cannot_reach_the_victims_email(
    client: httpx.AsyncClient, services: Services, secret: str
) -> None:
    body = {"visitor_id": "att", "user_id": "att", "email": "alice@acme.com"}
    await refused(
        client, services, "identity_conflict", "identify", **body, user_hash=sign(secret, "att")
    )
    # Nor once the attacker's own contact exists (two contacts named).
    own = await post(
        client, "identify", visitor_id="att", user_id="att", user_hash=sign(secret, "att")
    )
    assert own.status_code == 200, own.text
    await refused(
        client, services, "identity_conflict", "identify", **body, user_hash=sign(secret, "att")
    )


async def test_a_hash_over_a_fresh_email_cannot_reach_the_victims_user_id(
    client: httpx.AsyncClient, services: Services, secret: str
) -> None:
    await refused(
        client,
        services,
        "identity_conflict",
        "identify",
        visitor_id="att",
        user_id="u1",
        email="fresh@evil.example",
        user_hash=sign(secret, "fresh@evil.example"),
    )


async def test_the_signed_field_names_the_contact_and_the_other_fills_only_it(
    client: httpx.AsyncClient, auth: dict[str, str], secret: str
) -> None:
    alice = await contact(client, auth, "alice@acme.com")
    both = await post(
        client,
        "identify",
        visitor_id="phone",
        user_id="u1",
        email="alice@acme.com",
        user_hash=sign(secret, "alice@acme.com"),
    )
    assert (both.status_code, both.json()["contact_id"]) == (200, alice["id"]), both.text
    # A new user_id with a new email: one new contact holding both.
    bob = await post(
        client,
        "identify",
        visitor_id="b",
        user_id="u2",
        email="bob@globex.example",
        user_hash=sign(secret, "u2"),
    )
    assert bob.status_code == 200, bob.text
    made = await contact(client, auth, "bob@globex.example")
    assert (made["id"], made["user_id"]) == (bob.json()["contact_id"], "u2")
    # A signed email whose contact has no user_id yet gets the body's.
    carol = await client.post(
        "/api/contacts", json={"email": "carol@initech.example"}, headers=auth
    )
    signed = await post(
        client,
        "identify",
        visitor_id="c",
        user_id="u3",
        email="carol@initech.example",
        user_hash=sign(secret, "carol@initech.example"),
    )
    assert signed.json()["contact_id"] == carol.json()["id"], signed.text
    assert (await contact(client, auth, "carol@initech.example"))["user_id"] == "u3"


async def test_the_tester_case_leaves_the_victims_company_and_contact_alone(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services, secret: str
) -> None:
    deal = await post(
        client,
        "set-deal",
        visitor_id="u1",
        deal_value=50000,
        stage="Negotiation",
        stage_update_mode="exact",
        user_hash=sign(secret, "u1"),
    )
    assert deal.status_code == 200, deal.text
    await refused(
        client,
        services,
        "identity_conflict",
        "identify",
        visitor_id="att",
        user_id="att",
        email="alice@acme.com",
        user_hash=sign(secret, "att"),
    )
    move = await post(
        client,
        "set-deal",
        visitor_id="att",
        deal_value=1,
        stage="Lost",
        stage_update_mode="exact",
        user_hash=sign(secret, "att"),
    )
    assert (move.status_code, move.json()["error"]) == (409, "visitor_not_identified")
    acme = (await client.get("/api/companies/acme", headers=auth)).json()
    assert (acme["stage"], acme["deal_value"]) == ("Negotiation", 50000), acme
    assert (await contact(client, auth, "alice@acme.com"))["user_id"] == "u1"


# 2. A hash proves the string it covers.


@pytest.mark.parametrize(
    "signed",
    [
        "\u212aate@victim.example",  # the Kelvin sign for K
        "\u212bsa@victim.example",  # the Angstrom sign for Å
        "jose\u0301@victim.example",  # NFD: e and a combining accent
        " ceo@victim.example ",  # padded
        "\u212aATE@victim.example",  # the Kelvin sign in capitals
    ],
    ids=["kelvin", "angstrom", "nfd", "padded", "kelvin-upper"],
)
async def test_a_hash_over_a_variant_of_an_address_is_refused(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services, secret: str, signed: str
) -> None:
    for email in (
        "kate@victim.example",
        "åsa@victim.example",
        "josé@victim.example",
        "ceo@victim.example",
    ):
        made = await client.post("/api/contacts", json={"email": email}, headers=auth)
        assert made.status_code == 201, made.text
    await refused(
        client,
        services,
        "identity_conflict",
        "identify",
        visitor_id="att",
        email=signed,
        user_hash=sign(secret, signed),
    )


async def test_letter_case_alone_is_the_same_address(
    client: httpx.AsyncClient, auth: dict[str, str], secret: str
) -> None:
    """API.md: only a difference of more than letter case is refused; addresses match
    case-insensitively, so the signed capitals reach the one contact of that address."""
    alice = await contact(client, auth, "alice@acme.com")
    for signed in ("ALICE@ACME.COM", "alice@acme.com"):
        answer = await post(
            client, "identify", visitor_id="tab", email=signed, user_hash=sign(secret, signed)
        )
        assert (answer.status_code, answer.json()["contact_id"]) == (200, alice["id"]), answer.text


async def test_with_verification_off_the_variants_are_simply_unverified(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    key = (await client.get("/api/project", headers=auth)).json()["secret"]
    signed = "\u212aate@victim.example"
    answer = await post(
        client, "identify", visitor_id="v", email=signed, user_hash=sign(key, signed)
    )
    assert (answer.status_code, answer.json()["verified"]) == (200, False), answer.text


# 3. Companies are claims too.


@pytest.mark.parametrize("form", ["company.id", "company_ids"])
async def test_linking_a_shared_company_needs_its_hash(
    client: httpx.AsyncClient, services: Services, secret: str, form: str
) -> None:
    me = {"visitor_id": "att", "user_id": "att", "user_hash": sign(secret, "att")}
    assert (await post(client, "identify", **me)).status_code == 200

    def claim(hashed: str | None) -> dict[str, Any]:
        if form == "company.id":
            return {"company": {"id": "acme", "hash": hashed}}
        return {"company_ids": ["acme"], "company_hashes": [hashed]}

    await refused(client, services, "company_not_verified", "identify", **me, **claim(None))
    await refused(
        client, services, "company_not_verified", "identify", **me, **claim(sign(secret, "nope"))
    )
    await refused(client, services, "company_not_verified", "identify", **me, **claim("x" * 64))
    signed = await post(client, "identify", **me, **claim(sign(secret, "acme")))
    assert signed.status_code == 200, signed.text
    assert "acme" in signed.json()["company_ids"]


async def test_a_new_company_or_ones_own_needs_no_hash(
    client: httpx.AsyncClient, auth: dict[str, str], secret: str
) -> None:
    me = {"visitor_id": "b", "user_id": "u2", "user_hash": sign(secret, "u2")}
    new = await post(client, "identify", **me, company={"id": "globex", "name": "Globex"})
    assert new.status_code == 200, new.text
    again = await post(client, "identify", **me, company={"id": "globex", "stage": "Qualified"})
    assert again.status_code == 200, again.text
    # A company with no contact at all (made by the founder) is not anyone's claim yet.
    made = await client.post("/api/companies", json={"id": "hooli", "name": "Hooli"}, headers=auth)
    assert made.status_code == 201, made.text
    linked = await post(client, "identify", **me, company_ids=["hooli"])
    assert linked.status_code == 200, linked.text
    # And Alice's own company is hers: no hash to name it again.
    alice = await post(
        client,
        "identify",
        visitor_id="u1",
        user_id="u1",
        company={"id": "acme"},
        user_hash=sign(secret, "u1"),
    )
    assert alice.status_code == 200, alice.text


async def test_with_verification_off_company_claims_are_as_before(
    client: httpx.AsyncClient,
) -> None:
    first = await post(
        client, "identify", visitor_id="a", email="a@acme.com", company={"id": "acme"}
    )
    second = await post(
        client, "identify", visitor_id="b", email="b@acme.com", company_ids=["acme"]
    )
    assert (first.status_code, second.status_code) == (200, 200), second.text


# 13. The secret's rotation.


async def test_a_rotated_secret_keeps_the_previous_one_for_a_day(
    client: httpx.AsyncClient, auth: dict[str, str], services: Services, secret: str
) -> None:
    rotated = await client.post("/api/project/secret", headers=auth)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != secret
    assert (await client.get("/api/project", headers=auth)).json()["secret"] == new
    for key in (secret, new):
        ok = await post(
            client, "set-stage", visitor_id="u1", stage="Qualified", user_hash=sign(key, "u1")
        )
        assert ok.status_code == 200, ok.text
    # A day later (the rotation moved back; touching the name makes every cache read it again).
    with services.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE projects SET secret_rotated_at = :at, name = name"),
            {"at": services.db.clock() - timedelta(hours=24, seconds=1)},
        )
    old = await post(
        client, "set-stage", visitor_id="u1", stage="Proposal", user_hash=sign(secret, "u1")
    )
    assert (old.status_code, old.json()["error"]) == (401, "identity_verification_failed")
    fresh = await post(
        client, "set-stage", visitor_id="u1", stage="Proposal", user_hash=sign(new, "u1")
    )
    assert fresh.status_code == 200, fresh.text
