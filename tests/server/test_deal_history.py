"""A company's history shows every change of its deal value (old → new, and who made it: the
board, the account API, the widget, an import, a merge) beside its stage changes, newest first
(``GET /api/companies/{id}/history``, both stores)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from halcrm.domain.clock import MutableClock
from halcrm.services.container import Services
from halcrm.services.crm.transfer.report import ImportOptions
from tests.conftest import FIXED_NOW

W = {"app_id": "local", "visitor_id": "v1"}


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(FIXED_NOW)


def changes(history: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The deal value and stage entries as a user reads them, newest first."""
    out: list[tuple[Any, ...]] = []
    for item in history:
        if item["type"] == "deal_value":
            out.append(("deal", item["source"], item["previous_deal_value"], item["deal_value"]))
        elif item["type"] == "stage_change":
            out.append(("stage", item["source"], item["previous_stage"], item["stage"]))
    return out


async def test_every_deal_value_change_is_in_the_history_with_who_made_it(
    services: Services,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clock: MutableClock,
    tmp_path: Path,
) -> None:
    board = {**auth, "X-Halcrm-Source": "board"}
    made = {"id": "acme", "name": "Acme", "domain": "acme.com", "deal_value": 1000}
    assert (await client.post("/api/companies", json=made, headers=auth)).status_code == 201
    clock.advance(minutes=1)
    edit = await client.patch("/api/companies/acme", json={"deal_value": 2500.5}, headers=auth)
    assert edit.status_code == 200, edit.text
    clock.advance(minutes=1)
    moved = await client.post("/api/companies/acme/move", json={"stage": "Lead"}, headers=board)
    assert moved.status_code == 200, moved.text
    clock.advance(minutes=1)
    edit = await client.patch("/api/companies/acme", json={"deal_value": 3000}, headers=board)
    assert edit.status_code == 200, edit.text
    clock.advance(minutes=1)
    identify = {**W, "email": "jane@acme.com", "company": {"id": "acme"}}
    assert (await client.post("/api/widget/identify", json=identify)).status_code == 200
    deal = {**W, "deal_value": 4000, "company_id": "acme"}
    assert (await client.post("/api/widget/set-deal", json=deal)).status_code == 200
    clock.advance(minutes=1)
    # The same value again from the widget is a signal, not a change: not in the history.
    assert (await client.post("/api/widget/set-deal", json=deal)).status_code == 200
    clock.advance(minutes=1)
    # A name change alone is no deal value change either.
    renamed = await client.patch("/api/companies/acme", json={"name": "Acme Inc"}, headers=auth)
    assert renamed.status_code == 200, renamed.text
    clock.advance(minutes=1)
    sheet = tmp_path / "companies.csv"
    sheet.write_text("id,name,deal_value\nacme,Acme Inc,5000\n", encoding="utf-8")
    report = await services.transfer.import_file(sheet, ImportOptions())
    assert report.companies.updated == 1
    clock.advance(minutes=1)
    cleared = await client.patch("/api/companies/acme", json={"deal_value": None}, headers=auth)
    assert cleared.status_code == 200, cleared.text

    answer = await client.get("/api/companies/acme/history", headers=auth)
    assert answer.status_code == 200, answer.text
    history = answer.json()["items"]
    assert changes(history) == [
        ("deal", "account_api", 5000, None),
        ("deal", "import", 4000, 5000),
        ("deal", "widget", 3000, 4000),
        ("deal", "board", 2500.5, 3000),
        ("stage", "board", None, "Lead"),
        ("deal", "account_api", 1000, 2500.5),
    ]
    times = [item["at"] for item in history]
    assert times == sorted(times, reverse=True)
    first = next(item for item in history if item["type"] == "deal_value")
    assert first["id"]
    assert first["stage"] is None  # an entry of its own, not a stage write


async def test_a_merge_and_its_undo_are_deal_value_changes(
    services: Services, client: httpx.AsyncClient, auth: dict[str, str], clock: MutableClock
) -> None:
    for body in (
        {"id": "acme", "name": "Acme"},
        {"id": "tmp", "name": "acme.com", "deal_value": 900},
    ):
        assert (await client.post("/api/companies", json=body, headers=auth)).status_code == 201
    clock.advance(minutes=1)
    merged = await client.post("/api/companies/tmp/merge", json={"into_id": "acme"}, headers=auth)
    assert merged.status_code == 200, merged.text
    assert merged.json()["company"]["deal_value"] == 900
    clock.advance(minutes=1)
    undone = await client.post("/api/merges/undo", json=merged.json()["undo"], headers=auth)
    assert undone.status_code == 200, undone.text
    history = (await client.get("/api/companies/acme/history", headers=auth)).json()["items"]
    assert changes(history) == [
        ("deal", "account_api", 900, None),
        ("deal", "account_api", None, 900),
    ]


async def test_a_company_made_again_with_a_deleted_ones_id_has_only_its_own_changes(
    services: Services, client: httpx.AsyncClient, auth: dict[str, str], clock: MutableClock
) -> None:
    body = {"id": "acme", "name": "Acme", "deal_value": 10}
    assert (await client.post("/api/companies", json=body, headers=auth)).status_code == 201
    patch = await client.patch("/api/companies/acme", json={"deal_value": 20}, headers=auth)
    assert patch.status_code == 200
    assert (await client.delete("/api/companies/acme", headers=auth)).status_code == 200
    clock.advance(minutes=1)
    assert (await client.post("/api/companies", json=body, headers=auth)).status_code == 201
    history = (await client.get("/api/companies/acme/history", headers=auth)).json()["items"]
    assert changes(history) == []
