"""Typed events: what ``Tx.record`` is given comes back as the same fields from the stored log,
from the bus, and from the wire the ``--connect`` board reads, and the wire keeps its shape."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from halcrm.db.event_log import to_domain_event
from halcrm.db.models import Activity
from halcrm.db.tx import Tx
from halcrm.domain.events import DomainEvent, EventKind
from halcrm.runtime import Runtime
from halcrm.tui.client.stream import decode_event

# As API.md has it: the typed fields travel inside ``data``, beside the display extras.
WIRE_DATA = {
    "action": "message",
    "author": "contact",
    "company_ids": ["acme", "birch"],
    "deleted_company_ids": [],
    "conversation_id": "cv_1",
    "task_id": "tk_1",
}


def _record(tx: Tx) -> None:
    tx.record(
        tx.project("local"),
        EventKind.MESSAGE,
        "widget",
        "Jane: hello",
        data={"action": "message", "author": "contact"},
        company_ids=["acme", "birch"],
        deleted_company_ids=[],
        conversation_id="cv_1",
        task_id="tk_1",
    )


def _assert_typed(event: DomainEvent) -> None:
    assert event.kind is EventKind.MESSAGE
    assert event.company_ids == ("acme", "birch")
    assert event.deleted_company_ids == ()  # an empty set is still one: the wire keeps `[]`
    assert event.conversation_id == "cv_1"
    assert event.task_id == "tk_1"
    assert event.data == {"action": "message", "author": "contact"}
    assert event.to_dict()["data"] == WIRE_DATA


def _stored(tx: Tx) -> list[tuple[dict[str, Any], DomainEvent]]:
    rows = tx.session.execute(select(Activity).where(Activity.kind == "message")).scalars()
    return [(dict(row.data), to_domain_event(row, "local")) for row in rows]


async def test_an_event_comes_back_with_its_typed_fields_from_the_log_the_bus_and_the_wire(
    runtime: Runtime,
) -> None:
    db = runtime.services.db
    sub = runtime.bus.subscribe()
    try:
        await db.write(_record)
        live = await asyncio.wait_for(sub.get(), 5)
    finally:
        sub.close()
    assert live is not None
    _assert_typed(live)
    [(row_data, stored)] = await db.read(_stored)
    assert row_data == WIRE_DATA  # the stored row is what it was before the fields were typed
    _assert_typed(stored)
    assert stored.id == live.id
    remote = decode_event(json.dumps(stored.to_dict()))
    assert remote is not None
    _assert_typed(remote)
    assert remote == stored


async def test_an_event_without_typed_fields_sends_none_of_their_keys(runtime: Runtime) -> None:
    def track(tx: Tx) -> None:
        tx.record(tx.project("local"), EventKind.TRACK, "widget", "signup", data={"name": "x"})

    sub = runtime.bus.subscribe()
    try:
        await runtime.services.db.write(track)
        live = await asyncio.wait_for(sub.get(), 5)
    finally:
        sub.close()
    assert live is not None
    assert (live.company_ids, live.deleted_company_ids, live.conversation_id) == (None,) * 3
    assert live.to_dict()["data"] == {"name": "x"}


async def test_a_typed_field_given_in_data_is_refused_and_nothing_is_stored(
    runtime: Runtime,
) -> None:
    def stringly(tx: Tx) -> None:
        data = {"conversation_id": "cv_1"}
        tx.record(tx.project("local"), EventKind.MESSAGE, "widget", "hi", data=data)

    with pytest.raises(ValueError, match="conversation_id"):
        await runtime.services.db.write(stringly)

    def count(tx: Tx) -> int:
        stmt = select(func.count()).select_from(Activity).where(Activity.kind == "message")
        return int(tx.session.scalar(stmt) or 0)

    assert await runtime.services.db.read(count) == 0
