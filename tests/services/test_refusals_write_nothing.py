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
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyPatch, ProjectPatch, StagePatch
from halcrm.services.support.schemas import ConversationPatch, MessageCreate
from halcrm.services.tasks.inputs import TaskCreate, TaskPatch
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
T = {"company_id": "acme", "title": "Call Jane", "due": "2026-12-01"}
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
    # Webhooks: a private address, an unknown event type, unknown endpoints and deliveries.
    Case("POST", "/api/webhooks", {"url": "http://127.0.0.1:9/"}, 400, "invalid_request"),
    Case("POST", "/api/webhooks", {"url": "http://10.1.2.3/"}, 400, "invalid_request"),
    Case(
        "POST",
        "/api/webhooks",
        {"url": "https://hooks.example.com/", "events": ["nope"]},
        400,
        "invalid_request",
    ),
    Case("PATCH", "/api/webhooks/wh_nope", {"enabled": False}, 404, "not_found"),
    Case("DELETE", "/api/webhooks/wh_nope", None, 404, "not_found"),
    Case("POST", "/api/webhooks/wh_nope/test", None, 404, "not_found"),
    Case("POST", "/api/webhooks/wh_nope/deliveries/msg_nope/retry", None, 404, "not_found"),
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
    Case("POST", "/api/contacts/restores", {"contact": {"id": "x"}}, 400, "invalid_request"),
    Case(
        "POST",
        "/api/contacts/restores",
        {
            "contact": {
                "id": "x",
                "email": "a@acme.com",
                "created_at": "2026-11-27T12:00:00Z",
                "updated_at": "2026-11-27T12:00:00Z",
            }
        },
        409,
        "already_exists",
    ),
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
    # Next steps, the project's zone and hints, a company's expected close.
    Case("POST", "/api/tasks", {**T, "company_id": "nope"}, 404, "unknown_company"),
    Case("POST", "/api/tasks", {**T, "due": "next week"}, 400, "invalid_request"),
    Case("POST", "/api/tasks", {**T, "due": "2026-12-01T10:00:00"}, 400, "invalid_request"),
    Case("POST", "/api/tasks", {**T, "title": " \t "}, 400, "invalid_request"),
    Case("POST", "/api/tasks", {**T, "kind": "lunch"}, 400, "invalid_request"),
    Case("POST", "/api/tasks", {**T, "contact_id": "OTHER"}, 409, "contact_not_linked"),
    Case("POST", "/api/tasks", {**T, "contact_id": "nope"}, 404, "not_found"),
    Case("POST", "/api/tasks", {**T, "id": "tk_seed"}, 409, "already_exists"),
    Case("POST", "/api/tasks/restores", {"id": "tk_x"}, 400, "invalid_request"),
    Case("PATCH", "/api/tasks/tk_seed", {"title": "New", "due": "soon"}, 400, "invalid_request"),
    Case(
        "PATCH",
        "/api/tasks/tk_seed",
        {"title": "New", "status": "done", "contact_id": "OTHER"},
        409,
        "contact_not_linked",
    ),
    Case("PATCH", "/api/tasks/tk_seed", {"status": "later"}, 400, "invalid_request"),
    Case("PATCH", "/api/tasks/nope", {"status": "done"}, 404, "not_found"),
    Case("DELETE", "/api/tasks/nope", None, 404, "not_found"),
    Case("PATCH", "/api/project", {"time_zone": "Mars/Olympus"}, 400, "invalid_request"),
    Case("PATCH", "/api/project", {"name": "Renamed", "time_zone": "utc "}, 400, "invalid_request"),
    Case(
        "PATCH",
        "/api/project",
        {"time_zone": "Europe/Paris", "stage_hints": {"trial-started": "Nope"}},
        400,
        "unknown_stage",
    ),
    Case("PATCH", "/api/companies/acme", {"expected_close": "2026-13-01"}, 400, "invalid_request"),
    Case(
        "PATCH",
        "/api/companies/acme",
        {"expected_close": "2026-12-31", "stage": "Nope"},
        400,
        "unknown_stage",
    ),
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
    out: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            path = re.sub(r"\{([a-z_]+)(:\w+)?\}", r"{\1}", route.path)
            out |= {(m, path) for m in route.methods - {"GET", "HEAD", "OPTIONS"}}
    return out


def _template(case: Case) -> tuple[str, str]:
    path = case.path
    if path in ("/api/tasks/restores", "/api/contacts/restores"):
        return case.method, path
    for name, param in (("CONTACT", "contact_id"), ("CONVERSATION", "conversation_id")):
        path = path.replace(name, "{" + param + "}")
    names = {
        "/api/stages/": "{stage_id}",
        "/api/companies/": "{company_id}",
        "/api/contacts/": "{contact_id}",
        "/api/v1/contacts/": "{contact_id}",
        "/api/v1/conversations/": "{conversation_id}",
        "/api/conversations/": "{conversation_id}",
        "/api/tasks/": "{task_id}",
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
    path = re.sub(r"/webhooks/wh_[^/]+", "/webhooks/{webhook_id}", path)
    path = re.sub(r"/deliveries/msg_[^/]+", "/deliveries/{delivery_id}", path)
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
    key = (await services.api_keys.create("tests")).key
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
    seed = {**T, "id": "tk_seed", "contact_id": contact}
    assert (await client.post("/api/tasks", json=seed, headers=auth)).status_code == 201
    return {
        "key": key,
        "contact": contact,
        "conversation": conversation.json()["id"],
        "other": other.json()["id"],
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path} {c.code}")
async def test_a_refused_call_writes_nothing(
    case: Case, services: Services, client: httpx.AsyncClient, seeded: dict[str, str]
) -> None:
    path = case.path.replace("CONTACT", seeded["contact"]).replace(
        "CONVERSATION", seeded["conversation"]
    )
    body = case.body
    if isinstance(body, dict) and body.get("contact_id") == "OTHER":
        body = {**body, "contact_id": seeded["other"]}
    headers = {"X-API-Key": seeded["key"]} if path.startswith("/api/v1/") else {}
    if not path.startswith(("/api/v1/", A)):
        headers = {"Authorization": f"Bearer {TOKEN}"}
    headers |= case.headers
    if case.signed is not None:
        await services.projects.update(ProjectPatch(identity_verification="required"))
        secret = str((await services.projects.get()).secret)
        body = {**body, "user_hash": user_hash(secret, case.signed)}
    before = dump(services.db.engine)
    answer = await client.request(case.method, path, json=body, headers=headers)
    assert (answer.status_code, answer.json()["error"]) == (case.status, case.code), answer.text
    assert dump(services.db.engine) == before


BoardAction = Callable[[Services, dict[str, str]], Awaitable[Any]]
BOARD: dict[str, BoardAction] = {
    "move to an unknown stage": lambda s, _: s.companies.move("acme", "Nope"),
    "move an unknown company": lambda s, _: s.companies.move("nope", "Won"),
    "edit with an unknown stage": lambda s, _: s.companies.update(
        "acme", CompanyPatch(name="Renamed", stage="Nope"), Source.BOARD
    ),
    "delete an unknown company": lambda s, _: s.companies.delete("nope", Source.BOARD),
    "reopen an open deal": lambda s, _: s.companies.reopen("acme"),
    "merge into itself": lambda s, _: s.companies.merge("acme", "acme"),
    "merge into an unknown company": lambda s, _: s.companies.merge("acme", "nope"),
    "stage edit that breaks a rule": lambda s, _: s.stages.update(
        "lead", StagePatch(kind="won", stall_after_days=5), Source.BOARD
    ),
    "reply to an unknown conversation": lambda s, _: s.support.add_message(
        "nope", MessageCreate(author="agent", body="hi"), Source.BOARD
    ),
    "a snooze date on an open conversation": lambda s, ids: s.support.update(
        ids["conversation"],
        ConversationPatch(status="open", snoozed_until=datetime(2030, 1, 1, tzinfo=UTC)),
        Source.BOARD,
    ),
    "answer the focus lane for an unknown company": lambda s, _: s.board.answer_focus(
        "nope", "stalled", "done"
    ),
    "a next step on an unknown company": lambda s, _: s.tasks.create(
        TaskCreate(company_id="nope", title="Call", due="2026-12-01"), Source.BOARD
    ),
    "a next step due on no date": lambda s, _: s.tasks.create(
        TaskCreate(company_id="acme", title="Call", due="friday"), Source.BOARD
    ),
    "complete an unknown next step": lambda s, _: s.tasks.complete("nope", Source.BOARD),
    "reschedule a next step to no date": lambda s, _: s.tasks.update(
        "tk_seed", TaskPatch(title="Renamed", due="later"), Source.BOARD
    ),
    "delete an unknown next step": lambda s, _: s.tasks.delete("nope", Source.BOARD),
}


@pytest.mark.parametrize("action", sorted(BOARD))
async def test_a_refused_board_action_writes_nothing(
    action: str, services: Services, seeded: dict[str, str]
) -> None:
    before = dump(services.db.engine)
    with pytest.raises(DomainError):
        await BOARD[action](services, seeded)
    assert dump(services.db.engine) == before
