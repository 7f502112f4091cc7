"""Tasks out and in: ``halcrm export tasks`` / ``GET /api/export/tasks``, and ``halcrm import``
of halcrm's tasks file and of Pipedrive's activities export (dry run, partial, refusal)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from halcrm.db.models import Task
from halcrm.services.container import Services
from halcrm.services.crm.transfer.report import ImportOptions, ImportRefused
from tests.services.tasks.conftest import Api, company, task

PIPEDRIVE = (
    "Activity - Subject,Activity - Type,Activity - Due date,Activity - Due time,"
    "Organization - Name,Activity - Done,Activity - Note\n"
    "Intro call,Call,2026-12-01,14:30,Acme,Not done,first contact\n"
    "Send deck,Email,2026-11-20,,acme,Done,\n"
    "Lunch,Lunch,2026-12-03,,Globex,Not done,\n"
    "Demo,Meeting,2026-12-04,,Nowhere Inc,Not done,\n"
)


def _tasks(services: Services) -> int:
    with services.db.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Task)) or 0)


async def test_export_and_import_tasks_roundtrip(
    api: Api, services: Services, tmp_path: Path, client
) -> None:
    await company(api, "acme")
    contact = await api("POST", "/api/contacts", {"email": "jane@acme.com"}, 201)
    await api("PUT", f"/api/contacts/{contact['id']}/companies/acme")
    one = await task(api, "acme", "2026-12-01", "Call Jane", kind="call", contact_id=contact["id"])
    two = await task(api, "acme", "2026-11-30T09:00:00+01:00", 'Send, "quoted" deck')
    await api("PATCH", f"/api/tasks/{two['id']}", {"status": "done"})
    answer = await client.get("/api/export/tasks", headers=api.auth)
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["id"] for r in rows] == [one["id"], two["id"]]
    assert rows[0]["contact_id"] == contact["id"]
    assert (rows[1]["title"], rows[1]["status"], rows[1]["due"]) == (
        "Send, \"quoted\" deck", "done", "2026-11-30T09:00:00+01:00",
    )  # fmt: skip
    as_json = await client.get("/api/export/tasks", params={"format": "json"}, headers=api.auth)
    assert [r["id"] for r in as_json.json()] == [one["id"], two["id"]]

    path = tmp_path / "tasks.csv"
    path.write_text(answer.text, encoding="utf-8")
    again = await services.transfer.import_file(path, ImportOptions())
    assert again.tasks is not None
    assert again.tasks.as_dict() == {"new": 0, "updated": 0, "unchanged": 2}
    await api("DELETE", f"/api/tasks/{one['id']}")
    await api("PATCH", f"/api/tasks/{two['id']}", {"title": "Renamed"})
    report = await services.transfer.import_file(path, ImportOptions())
    assert report.tasks is not None
    assert report.tasks.as_dict() == {"new": 1, "updated": 1, "unchanged": 0}
    assert report.applied
    back = await api("GET", f"/api/tasks/{one['id']}")
    assert (back["title"], back["contact_id"], back["source"]) == (
        "Call Jane", contact["id"], "import",
    )  # fmt: skip
    assert (await api("GET", f"/api/tasks/{two['id']}"))["title"] == 'Send, "quoted" deck'
    kinds = [i["kind"] for i in (await api("GET", "/api/activity"))["items"]]
    assert kinds[0] == "imported"


async def test_pipedrive_activities_with_dry_run_partial_and_refusal(
    api: Api, services: Services, tmp_path: Path
) -> None:
    await company(api, "acme", name="Acme")
    await company(api, "globex")
    path = tmp_path / "activities.csv"
    path.write_text(PIPEDRIVE, encoding="utf-8")
    before = _tasks(services)
    with pytest.raises(ImportRefused) as refused:
        await services.transfer.import_file(path, ImportOptions())
    [why] = refused.value.report.rejected
    assert (why.row, why.column) == (5, "Organization - Name")
    assert "no company is named 'Nowhere Inc'" in why.reason
    assert _tasks(services) == before
    dry = await services.transfer.import_file(path, ImportOptions(dry_run=True, partial=True))
    assert dry.tasks is not None
    assert dry.tasks.new == 3
    assert not dry.applied
    assert _tasks(services) == before
    report = await services.transfer.import_file(path, ImportOptions(partial=True))
    assert report.tasks is not None
    assert report.tasks.new == 3
    assert report.applied
    tasks = (await api("GET", "/api/tasks", status="all"))["items"]
    found = {t["title"]: t for t in tasks}
    assert found["Intro call"]["kind"] == "call"
    assert found["Intro call"]["due"] == "2026-12-01T14:30:00+00:00"
    assert found["Intro call"]["notes"] == "first contact"
    assert (found["Send deck"]["status"], found["Send deck"]["kind"]) == ("done", "email")
    assert (found["Lunch"]["kind"], found["Lunch"]["company_id"]) == ("task", "globex")
    # The same file again: the rows are known (company, title and due), nothing doubles.
    second = await services.transfer.import_file(path, ImportOptions(partial=True))
    assert second.tasks is not None
    assert second.tasks.as_dict() == {"new": 0, "updated": 0, "unchanged": 3}
    assert _tasks(services) == before + 3


async def test_a_bad_row_is_rejected_with_its_column(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "id,company_id,title,due,status\n"
        "tk_1,acme,,2026-12-01,open\n"
        "tk_2,acme,Call,someday,open\n"
        "tk_3,acme,Call,2026-12-01,maybe\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRefused) as refused:
        await services.transfer.import_file(path, ImportOptions())
    found = [(r.row, r.column) for r in refused.value.report.rejected]
    assert found == [(2, "title"), (3, "due"), (4, "status")]
