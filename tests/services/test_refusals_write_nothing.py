"""A refused call leaves the database exactly as it was, whatever it read or wrote first.

Every write route of the app (taken from its own route table, so a new route must get a row
here) and every write action of the board is refused in each way it can be, on a database
that holds real data; the logical content of every table, every row, is compared before and
after. Several refusals here fail only after the call has written something (a link, an
audit row, an edited name), which is what the transaction must undo.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from litestar.routes import HTTPRoute
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from halcrm.domain.errors import DomainError
from halcrm.domain.identity import user_hash
from halcrm.domain.stages import Source
from halcrm.server.app import ServerConfig, create_app
from halcrm.services.crm.inputs import CompanyPatch, ProjectPatch, StagePatch
from halcrm.services.facade import Services
from halcrm.services.support.schemas import ConversationPatch, MessageCreate
from tests.conftest import TOKEN


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            out[table] = sorted((tuple(row) for row in rows), key=repr)
    return out


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    body: Any
    status: int
    code: str
    headers: dict[str, str] = field(default_factory=dict)
    # With identity verification required: the value the body's user_hash is made over.
    signed: str | None = None


W = {"app_id": "local", "visitor_id": "v1"}
A = "/api/widget/"
CASES = [
    # identify: refused before and after it has linked something.
    Case("POST", A + "identify", {**W, "email": "not an address"}, 400, "invalid_request"),
    Case("POST", A + "identify", {**W, "company_ids": ["globex", "nope"]}, 404, "unknown_company"),
    Case(
        "POST",
        A + "identify",
        {**W, "visitor_id": "v9", "company": {"id": "x"}},
        409,
        "visitor_not_identified",
    ),
    Case(
        "POST",
        A + "identify",
        {**W, "metadata": {f"k{i}": i for i in range(101)}},
        400,
        "invalid_request",
    ),
    Case("POST", A + "identify", {"visitor_id": "v1", "app_id": "nope"}, 404, "unknown_project"),
    # identify with verification required (API.md, what a hash covers): a signed user_id with
    # someone else's email, a signed fullwidth or padded variant of someone else's address, a
    # shared company without its hash (or with a wrong one).
    Case(
        "POST",
        A + "identify",
        {**W, "visitor_id": "att", "user_id": "att", "email": "a@acme.com"},
        403,
        "identity_conflict",
        signed="att",
    ),
    Case(
        "POST",
        A + "identify",
        {**W, "visitor_id": "att", "email": "\uff41@acme.com"},
        403,
        "identity_conflict",
        signed="\uff41@acme.com",
    ),
    Case(
        "POST",
        A + "identify",
        {**W, "visitor_id": "att", "email": " a@acme.com"},
        403,
        "identity_conflict",
        signed=" a@acme.com",
    ),
    Case(
        "POST",
        A + "identify",
        {**W, "visitor_id": "att", "user_id": "att", "company_ids": ["globex", "acme"]},
        403,
        "company_not_verified",
        signed="att",
    ),
    Case(
        "POST",
        A + "identify",
        {**W, "visitor_id": "att", "user_id": "att", "company": {"id": "acme", "hash": "0"}},
        403,
        "company_not_verified",
        signed="att",
    ),
    Case("POST", A + "set-properties", {**W, "properties": [1]}, 400, "invalid_request"),
    Case("POST", A + "track", {**W, "name": "x", "company_id": "nope"}, 404, "unknown_company"),
    Case("POST", A + "track", {**W, "name": "x", "message_id": 7}, 400, "invalid_request"),
    Case("POST", A + "track", {**W, "name": "x", "message_id": {"a": 1}}, 400, "invalid_request"),
    Case(
        "POST", A + "track", {**W, "name": "x", "company_id": "initech"}, 403, "company_not_linked"
    ),
    Case(
        "POST",
        A + "track",
        {**W, "visitor_id": "v9", "name": "x", "company_id": "acme"},
        409,
        "visitor_not_identified",
    ),
    Case("POST", A + "set-stage", {**W, "stage": "Qualifed"}, 400, "unknown_stage"),
    Case(
        "POST",
        A + "set-stage",
        {**W, "stage": "Won", "company_id": "initech"},
        403,
        "company_not_linked",
    ),
    Case("POST", A + "set-deal", {**W, "deal_value": 10, "stage": "Nope"}, 400, "unknown_stage"),
    Case("POST", A + "set-deal", {**W, "deal_value": -1}, 400, "invalid_request"),
    # The chat: refused before anything is read, and after the visitor is found.
    Case("POST", A + "chat/messages", {**W, "body": ""}, 400, "invalid_request"),
    Case("POST", A + "chat/messages", {**W, "body": " \t\n"}, 400, "invalid_request"),
    Case("POST", A + "chat/messages", {**W, "body": "x" * 2001}, 400, "invalid_request"),
    Case(
        "POST",
        A + "chat/messages",
        {**W, "body": "<b>x</b>", "app_id": "nope"},
        404,
        "unknown_project",
    ),
    # The account API.
    Case("PATCH", "/api/project", {"stage_update_mode": "sometimes"}, 400, "invalid_request"),
    Case(
        "POST",
        "/api/project/secret",
        None,
        404,
        "unknown_project",
        headers={"X-Project-Id": "nope"},
    ),
    Case("POST", "/api/projects", {"id": "local"}, 409, "already_exists"),
    Case("POST", "/api/projects", {"id": "no spaces"}, 400, "invalid_request"),
    Case("POST", "/api/stages", {"name": "lead", "kind": "open"}, 409, "already_exists"),
    Case(
        "PATCH",
        "/api/stages/won",
        {"name": "Closed Won", "probability": 5, "stall_after_days": 3},
        400,
        "invalid_request",
    ),
    Case("PATCH", "/api/stages/lead", {"name": "Proposal"}, 409, "already_exists"),
    Case(
        "PATCH", "/api/stages/lead", {"kind": "won", "stall_after_days": 5}, 400, "invalid_request"
    ),
    Case("DELETE", "/api/stages/lead", None, 409, "stage_not_empty"),
    Case("DELETE", "/api/stages/nope", None, 400, "unknown_stage"),
    Case("POST", "/api/companies", {"id": "acme", "name": "Again"}, 409, "already_exists"),
    Case("POST", "/api/companies", {"name": "New", "stage": "Nope"}, 400, "unknown_stage"),
    Case(
        "PATCH", "/api/companies/acme", {"name": "Renamed", "stage": "Nope"}, 400, "unknown_stage"
    ),
    Case("PATCH", "/api/companies/nope", {"name": "x"}, 404, "not_found"),
    Case("DELETE", "/api/companies/nope", None, 404, "not_found"),
    Case("POST", "/api/contacts", {"email": "a@acme.com"}, 409, "already_exists"),
    Case(
        "PATCH",
        "/api/contacts/CONTACT",
        {"name": "X", "email": "b@globex.com"},
        409,
        "already_exists",
    ),
    Case("DELETE", "/api/contacts/nope", None, 404, "not_found"),
    Case("PUT", "/api/contacts/CONTACT/companies/nope", None, 404, "not_found"),
    Case("DELETE", "/api/contacts/nope/companies/acme", None, 404, "not_found"),
    # The board's account routes (halcrm board --connect).
    Case("POST", "/api/companies/acme/move", {"stage": "Nope"}, 400, "unknown_stage"),
    Case(
        "POST",
        "/api/companies/acme/move",
        {"stage": "Won"},
        400,
        "invalid_request",
        headers={"X-Halcrm-Source": "widget"},
    ),
    Case("POST", "/api/companies/nope/move", {"stage": "Won"}, 404, "not_found"),
    Case("POST", "/api/companies/acme/reopen", None, 400, "invalid_request"),
    Case("POST", "/api/companies/acme/merge", {"into_id": "nope"}, 404, "not_found"),
    Case("POST", "/api/companies/acme/merge", {"into_id": "acme"}, 400, "invalid_request"),
    Case("POST", "/api/merges/undo", {"into_id": "acme"}, 400, "invalid_request"),
    Case("POST", "/api/restores", {"company": {"id": "x"}}, 400, "invalid_request"),
    Case("POST", "/api/board/cards", {"ids": "acme"}, 400, "invalid_request"),
    Case(
        "POST",
        "/api/board/focus",
        {"company_id": "nope", "reason": "stalled", "state": "done"},
        404,
        "not_found",
    ),
    Case(
        "POST",
        "/api/board/focus",
        {"company_id": "acme", "reason": "stalled", "state": "snoozed"},
        400,
        "invalid_request",
    ),
    Case("PATCH", "/api/conversations/CONVERSATION", {"status": "closed"}, 400, "invalid_request"),
    Case(
        "POST",
        "/api/conversations/nope/messages",
        {"author": "agent", "body": "hi"},
        404,
        "not_found",
    ),
    # Webhooks (account token): an address not http(s), unknown webhooks and deliveries.
    Case("POST", "/api/webhooks", {"url": "ftp://example.com/x"}, 400, "invalid_request"),
    Case("PATCH", "/api/webhooks/nope", {"description": "x"}, 404, "not_found"),
    Case("DELETE", "/api/webhooks/nope", None, 404, "not_found"),
    Case("POST", "/api/webhooks/nope/test", None, 404, "not_found"),
    Case("POST", "/api/webhooks/nope/deliveries/nope/retry", None, 404, "not_found"),
    # The public API.
    Case("POST", "/api/v1/contacts", {"email": "a@acme.com"}, 409, "already_exists"),
    Case("PATCH", "/api/v1/contacts/nope", {"name": "x"}, 404, "not_found"),
    Case("POST", "/api/v1/conversations", {"contact_id": "nope"}, 404, "not_found"),
    Case(
        "PATCH", "/api/v1/conversations/CONVERSATION", {"status": "closed"}, 400, "invalid_request"
    ),
    Case(
        "POST",
        "/api/v1/conversations/nope/messages",
        {"author": "agent", "body": "hi"},
        404,
        "not_found",
    ),
]


def _write_routes() -> set[tuple[str, str]]:
    app = create_app(None, ServerConfig(account_token=TOKEN))  # type: ignore[arg-type]
    out = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            path = re.sub(r"\{([a-z_]+)(:\w+)?\}", r"{\1}", route.path)
            out |= {(m, path) for m in route.methods - {"GET", "HEAD", "OPTIONS"}}
    return out


def _template(case: Case) -> tuple[str, str]:
    path = case.path
    for name, param in (("CONTACT", "contact_id"), ("CONVERSATION", "conversation_id")):
        path = path.replace(name, "{" + param + "}")
    names = {
        "/api/stages/": "{stage_id}",
        "/api/companies/": "{company_id}",
        "/api/contacts/": "{contact_id}",
        "/api/v1/contacts/": "{contact_id}",
        "/api/v1/conversations/": "{conversation_id}",
        "/api/conversations/": "{conversation_id}",
        "/api/webhooks/": "{webhook_id}",
    }
    for prefix, param in names.items():
        if path.startswith(prefix):
            head, _, rest = path[len(prefix) :].partition("/")
            path = (
                prefix
                + (param if not head.startswith("{") else head)
                + ("/" + rest if rest else "")
            )
    path = re.sub(r"/companies/(?!\{)[^/]+$", "/companies/{company_id}", path)
    path = re.sub(r"/deliveries/(?!\{)[^/]+/", "/deliveries/{delivery_id}/", path)
    return case.method, path


def test_every_write_route_has_refusal_cases() -> None:
    covered = {_template(case) for case in CASES}
    assert _write_routes() <= covered, _write_routes() - covered


@pytest.fixture
async def seeded(services: Services, client: httpx.AsyncClient) -> dict[str, str]:
    """acme (Lead, linked to the visitor's contact), globex (linked too), initech (not)."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for company in ("globex", "initech"):
        answer = await client.post(
            "/api/companies",
            json={"id": company, "name": company.title(), "domain": f"{company}.com"},
            headers=auth,
        )
        assert answer.status_code == 201, answer.text
    body = {
        **W,
        "email": "a@acme.com",
        "company": {"id": "acme", "name": "Acme", "stage": "Lead"},
        "company_ids": ["globex"],
    }
    assert (await client.post(A + "identify", json=body)).status_code == 200
    await client.post(A + "identify", json={**W, "company": {"id": "acme"}})
    other = await client.post("/api/contacts", json={"email": "b@globex.com"}, headers=auth)
    key = (await services.create_api_key("tests")).key
    contact = (
        await client.get("/api/contacts", params={"email": "a@acme.com"}, headers=auth)
    ).json()["items"][0]["id"]
    conversation = await client.post(
        "/api/v1/conversations",
        headers={"X-API-Key": key},
        json={"contact_id": contact, "message": {"author": "contact", "body": "hello"}},
    )
    assert other.status_code == 201, other.text
    assert conversation.status_code == 201, conversation.text
    return {"key": key, "contact": contact, "conversation": conversation.json()["id"]}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path} {c.code}")
async def test_a_refused_call_writes_nothing(
    case: Case, services: Services, client: httpx.AsyncClient, seeded: dict[str, str]
) -> None:
    path = case.path.replace("CONTACT", seeded["contact"]).replace(
        "CONVERSATION", seeded["conversation"]
    )
    headers = {"X-API-Key": seeded["key"]} if path.startswith("/api/v1/") else {}
    if not path.startswith(("/api/v1/", A)):
        headers = {"Authorization": f"Bearer {TOKEN}"}
    headers |= case.headers
    body = case.body
    if case.signed is not None:
        await services.update_project(ProjectPatch(identity_verification="required"))
        secret = str((await services.project()).secret)
        body = {**body, "user_hash": user_hash(secret, case.signed)}
    before = dump(services.db.engine)
    answer = await client.request(case.method, path, json=body, headers=headers)
    assert (answer.status_code, answer.json()["error"]) == (case.status, case.code), answer.text
    assert dump(services.db.engine) == before


BoardAction = Callable[[Services, dict[str, str]], Awaitable[Any]]
BOARD: dict[str, BoardAction] = {
    "move to an unknown stage": lambda s, _: s.move_company("acme", "Nope"),
    "move an unknown company": lambda s, _: s.move_company("nope", "Won"),
    "edit with an unknown stage": lambda s, _: s.update_company(
        "acme", CompanyPatch(name="Renamed", stage="Nope"), Source.BOARD
    ),
    "delete an unknown company": lambda s, _: s.delete_company("nope", Source.BOARD),
    "reopen an open deal": lambda s, _: s.reopen("acme"),
    "merge into itself": lambda s, _: s.merge_companies("acme", "acme"),
    "merge into an unknown company": lambda s, _: s.merge_companies("acme", "nope"),
    "stage edit that breaks a rule": lambda s, _: s.update_stage(
        "lead", StagePatch(kind="won", stall_after_days=5), Source.BOARD
    ),
    "reply to an unknown conversation": lambda s, _: s.add_message(
        "nope", MessageCreate(author="agent", body="hi"), Source.BOARD
    ),
    "a snooze date on an open conversation": lambda s, ids: s.update_conversation(
        ids["conversation"],
        ConversationPatch(status="open", snoozed_until=datetime(2030, 1, 1, tzinfo=UTC)),
        Source.BOARD,
    ),
    "answer the focus lane for an unknown company": lambda s, _: s.answer_focus(
        "nope", "stalled", "done"
    ),
}


@pytest.mark.parametrize("action", sorted(BOARD))
async def test_a_refused_board_action_writes_nothing(
    action: str, services: Services, seeded: dict[str, str]
) -> None:
    before = dump(services.db.engine)
    with pytest.raises(DomainError):
        await BOARD[action](services, seeded)
    assert dump(services.db.engine) == before
