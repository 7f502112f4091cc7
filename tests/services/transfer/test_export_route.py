"""``GET /api/export/{what}`` through the real ASGI app: streamed, authenticated, documented."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import httpx

from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate, StageCreate, StagePatch


async def test_export_streams_csv_and_json(
    client: httpx.AsyncClient, services: Services, auth: dict[str, str]
) -> None:
    await services.companies.create(
        CompanyCreate(id="acme", name="Acme", deal_value=Decimal("15000.50"))
    )
    answer = await client.get("/api/export/companies", headers=auth)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="halcrm-companies.csv"' in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["id"], r["name"], r["deal_value"]) for r in rows] == [("acme", "Acme", "15000.5")]

    answer = await client.get("/api/export/contacts", params={"format": "json"}, headers=auth)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json() == []


async def test_export_refusals_carry_the_error_body(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    answer = await client.get("/api/export/companies")
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthorized"
    answer = await client.get("/api/export/visitors", headers=auth)
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"
    assert "companies, contacts, activity" in answer.json()["detail"]
    answer = await client.get("/api/export/companies", params={"format": "xml"}, headers=auth)
    assert answer.status_code == 400
    assert set(answer.json()) >= {"error", "detail"}


async def test_export_is_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    operation = document["paths"]["/api/export/{what}"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"text/csv", "application/json"}
    assert operation["security"] == [{"bearer": []}]
    assert {"401", "404"} <= set(operation["responses"])


async def test_export_stages_gives_the_whole_pipeline_in_board_order(
    client: httpx.AsyncClient, services: Services, auth: dict[str, str]
) -> None:
    await services.stages.create(
        StageCreate(name="Demo", kind="open", probability=40, stall_after_days=5, position=2)
    )
    await services.stages.create(StageCreate(name="Parked", kind="lost"))
    await services.stages.update("negotiation", StagePatch(name="Closing", probability=80))
    answer = await client.get("/api/export/stages", headers=auth)
    assert answer.status_code == 200
    assert 'filename="halcrm-stages.csv"' in answer.headers["content-disposition"]
    assert answer.text.startswith("id,name,kind,position,probability,stall_after_days\r\n")
    rows = [tuple(row.values()) for row in csv.DictReader(io.StringIO(answer.text))]
    assert rows == [
        ("lead", "Lead", "open", "0", "10", "14"),
        ("qualified", "Qualified", "open", "1", "25", "14"),
        ("demo", "Demo", "open", "2", "40", "5"),
        ("proposal", "Proposal", "open", "3", "50", "10"),
        ("negotiation", "Closing", "open", "4", "80", "7"),
        ("won", "Won", "won", "5", "100", ""),
        ("lost", "Lost", "lost", "6", "0", ""),
        ("parked", "Parked", "lost", "7", "0", ""),
    ]
    answer = await client.get("/api/export/stages", params={"format": "json"}, headers=auth)
    stages = answer.json()
    assert stages[2] == {
        "id": "demo", "name": "Demo", "kind": "open", "position": 2, "probability": 40,
        "stall_after_days": 5,
    }  # fmt: skip
    assert stages[-1]["stall_after_days"] is None
    assert [s["name"] for s in stages] == [s.name for s in (await services.stages.all()).items]


def test_the_route_names_every_kind_the_exporter_has() -> None:
    # The route is registered from ``kinds`` so the server's start does not load the exporter.
    from halcrm.services.crm.transfer.exporter import COLUMNS
    from halcrm.services.crm.transfer.kinds import KINDS

    assert tuple(COLUMNS) == KINDS
