"""A company's expected close and next step, the project's time zone and stage hints, and a
deleted company's tasks brought back by the board's undo."""

from __future__ import annotations

from sqlalchemy import func, select

from halcrm.db.models import Task
from halcrm.domain.clock import MutableClock
from halcrm.domain.stages import Source
from halcrm.services.container import Services
from tests.services.tasks.conftest import Api, company, task


async def test_a_company_shows_its_next_step_and_expected_close(
    api: Api, clock: MutableClock
) -> None:
    made = await company(api, "acme")
    assert (made["expected_close"], made["next_step"], made["next_step_state"]) == (
        None,
        None,
        "none",
    )
    edited = await api("PATCH", "/api/companies/acme", {"expected_close": "2026-12-31"})
    assert edited["expected_close"] == "2026-12-31"
    later = await task(api, "acme", "2026-12-10", "later")
    first = await task(api, "acme", "2026-11-27", "first")
    found = await api("GET", "/api/companies/acme")
    assert found["next_step"] == {
        "id": first["id"],
        "title": "first",
        "due": "2026-11-27",
        "state": "today",
        "due_at": "2026-11-28T00:00:00Z",
    }
    assert found["next_step_state"] == "today"
    clock.advance(days=1)
    listed = (await api("GET", "/api/companies"))["items"][0]
    assert (listed["next_step"]["id"], listed["next_step_state"]) == (first["id"], "overdue")
    await api("PATCH", f"/api/tasks/{first['id']}", {"status": "done"})
    found = await api("GET", "/api/companies/acme")
    assert (found["next_step"]["id"], found["next_step_state"]) == (later["id"], "upcoming")
    cleared = await api("PATCH", "/api/companies/acme", {"expected_close": None})
    assert cleared["expected_close"] is None
    made = await api(
        "POST", "/api/companies", {"name": "Globex", "expected_close": "2027-01-15"}, 201
    )
    assert made["expected_close"] == "2027-01-15"


async def test_the_project_time_zone_and_stage_hints(api: Api) -> None:
    project = await api("GET", "/api/project")
    assert (project["time_zone"], project["stage_hints"]) == ("UTC", {})
    body = {"time_zone": "Europe/Paris", "stage_hints": {"plan-upgraded": "proposal"}}
    edited = await api("PATCH", "/api/project", body)
    assert (edited["time_zone"], edited["stage_hints"]) == (
        "Europe/Paris",
        {"plan-upgraded": "Proposal"},
    )
    # Hints follow a renamed stage.
    await api("PATCH", "/api/stages/proposal", {"name": "Offer"})
    assert (await api("GET", "/api/project"))["stage_hints"] == {"plan-upgraded": "Offer"}
    answer = await api("PATCH", "/api/project", {"time_zone": "Europe/Atlantis"}, 400)
    assert answer["error"] == "invalid_request"
    assert "Europe/Atlantis" in answer["detail"]
    answer = await api("PATCH", "/api/project", {"stage_hints": {"x": "Nope"}}, 400)
    assert answer["error"] == "unknown_stage"
    assert (await api("GET", "/api/project"))["time_zone"] == "Europe/Paris"


async def test_deleting_a_company_deletes_its_tasks_and_undo_brings_them_back(
    api: Api, services: Services
) -> None:
    await company(api, "acme")
    contact = await api("POST", "/api/contacts", {"email": "jane@acme.com"}, 201)
    await api("PUT", f"/api/contacts/{contact['id']}/companies/acme")
    open_one = await task(api, "acme", "2026-12-01", "open", contact_id=contact["id"])
    done_one = await task(api, "acme", "2026-11-20", "done")
    done_one = await api("PATCH", f"/api/tasks/{done_one['id']}", {"status": "done"})
    snapshot = await services.companies.capture("acme")
    await services.companies.delete("acme", Source.BOARD)
    assert (await api("GET", "/api/tasks", status="all"))["items"] == []
    with services.db.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Task)) == 0
    await services.companies.restore(snapshot)
    back = (await api("GET", "/api/tasks", status="all"))["items"]
    assert back == [done_one, open_one]


async def test_the_undo_of_a_delete_over_http_brings_tasks_back(api: Api) -> None:
    """The --connect board's undo: snapshot, delete, post the snapshot to /api/restores."""
    await company(api, "acme", expected_close="2026-12-31")
    made = await task(api, "acme", "2026-12-01T10:00:00+01:00")
    snapshot = await api("GET", "/api/companies/acme/snapshot")
    await api("DELETE", "/api/companies/acme")
    restored = await api("POST", "/api/restores", snapshot, 201)
    assert restored["expected_close"] == "2026-12-31"
    assert (await api("GET", "/api/tasks"))["items"] == [made]


async def test_a_deleted_task_comes_back_as_it_was(api: Api) -> None:
    await company(api, "acme")
    made = await task(api, "acme", "2026-11-20")
    done = await api("PATCH", f"/api/tasks/{made['id']}", {"status": "done"})
    await api("DELETE", f"/api/tasks/{made['id']}")
    back = await api("POST", "/api/tasks/restores", done, 201)
    assert back == done
    assert await api("GET", f"/api/tasks/{made['id']}") == done


async def test_a_merge_moves_tasks_and_its_undo_moves_them_back(
    api: Api, services: Services
) -> None:
    await company(api, "holder", stage=None)
    await company(api, "acme", expected_close=None)
    await api("PATCH", "/api/companies/holder", {"expected_close": "2027-02-01"})
    moved = await task(api, "holder", "2026-12-01", "moved")
    kept = await task(api, "acme", "2026-12-02", "kept")
    result = await services.companies.merge("holder", "acme")
    assert str(result.company.expected_close) == "2027-02-01"  # a date, not None
    listed = (await api("GET", "/api/tasks", company_id="acme"))["items"]
    assert [t["id"] for t in listed] == [moved["id"], kept["id"]]
    await services.companies.undo_merge(result.undo)
    assert (await api("GET", "/api/tasks", company_id="holder"))["items"] == [moved]
    assert (await api("GET", "/api/tasks", company_id="acme"))["items"] == [kept]
    assert (await api("GET", "/api/companies/acme"))["expected_close"] is None
