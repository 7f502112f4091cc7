"""``/api/tasks``: create, read, list, edit, complete, reopen, delete, and their events."""

from __future__ import annotations

from datetime import timedelta

from halcrm.domain.clock import MutableClock
from tests.conftest import FIXED_NOW
from tests.services.tasks.conftest import Api, company, task


async def test_a_next_step_is_created_read_edited_completed_and_deleted(
    api: Api, clock: MutableClock
) -> None:
    await company(api, "acme")
    contact = await api("POST", "/api/contacts", {"email": "jane@acme.com", "name": "Jane"}, 201)
    await api("PUT", f"/api/contacts/{contact['id']}/companies/acme")
    made = await task(
        api, "acme", "2026-12-01", title="  Send the proposal ", kind="email",
        contact_id=contact["id"], notes="v2 pricing",
    )  # fmt: skip
    assert made["id"].startswith("tk_")
    assert made["title"] == "Send the proposal"
    assert (made["kind"], made["status"], made["state"]) == ("email", "open", "upcoming")
    assert (made["due"], made["contact_id"], made["notes"]) == (
        "2026-12-01",
        contact["id"],
        "v2 pricing",
    )
    assert made["source"] == "account_api"
    assert made["done_at"] is None
    assert made["company_id"] == "acme"
    assert await api("GET", f"/api/tasks/{made['id']}") == made
    before = (await api("GET", "/api/companies/acme"))["last_activity_at"]

    clock.advance(hours=1)
    edited = await api(
        "PATCH", f"/api/tasks/{made['id']}", {"title": "Send v3", "due": "2026-11-27"}
    )
    assert (edited["title"], edited["due"], edited["state"]) == ("Send v3", "2026-11-27", "today")
    # Creating or editing a next step is not activity on the deal.
    assert (await api("GET", "/api/companies/acme"))["last_activity_at"] == before

    clock.advance(hours=1)
    done = await api("PATCH", f"/api/tasks/{made['id']}", {"status": "done"})
    assert (done["status"], done["state"]) == ("done", "done")
    assert done["done_at"] == "2026-11-27T14:00:00Z"
    # Completing one is: the company's last activity moves.
    assert (await api("GET", "/api/companies/acme"))["last_activity_at"] == "2026-11-27T14:00:00Z"

    reopened = await api("PATCH", f"/api/tasks/{made['id']}", {"status": "open"})
    assert (reopened["status"], reopened["done_at"]) == ("open", None)

    assert await api("DELETE", f"/api/tasks/{made['id']}") == {"id": made["id"], "deleted": True}
    await api("GET", f"/api/tasks/{made['id']}", expect=404)

    kinds = [
        (item["kind"], item["company_id"], item["data"].get("task_id"))
        for item in reversed((await api("GET", "/api/activity"))["items"])
        if item["kind"].startswith("task_")
    ]
    tid = made["id"]
    assert kinds == [
        ("task_created", "acme", tid),
        ("task_updated", "acme", tid),
        ("task_done", "acme", tid),
        ("task_updated", "acme", tid),
        ("task_deleted", "acme", tid),
    ]


async def test_the_list_filters_and_orders_by_due_then_creation(api: Api) -> None:
    await company(api, "acme")
    await company(api, "globex")
    late = await task(api, "acme", "2026-12-10", "late")
    first = await task(api, "globex", "2026-11-28T09:00:00Z", "first")
    same_a = await task(api, "acme", "2026-12-01", "same a")
    same_b = await task(api, "globex", "2026-12-01", "same b")
    done = await task(api, "acme", "2026-11-20", "done")
    await api("PATCH", f"/api/tasks/{done['id']}", {"status": "done"})

    def ids(page: dict) -> list[str]:
        return [t["id"] for t in page["items"]]

    assert ids(await api("GET", "/api/tasks")) == [
        first["id"],
        same_a["id"],
        same_b["id"],
        late["id"],
    ]
    assert ids(await api("GET", "/api/tasks", status="done")) == [done["id"]]
    assert len(ids(await api("GET", "/api/tasks", status="all"))) == 5
    assert ids(await api("GET", "/api/tasks", company_id="globex")) == [first["id"], same_b["id"]]
    assert ids(await api("GET", "/api/tasks", due_after="2026-12-01", due_before="2026-12-01")) == [
        same_a["id"],
        same_b["id"],
    ]
    assert ids(await api("GET", "/api/tasks", due_before="2026-11-28")) == [first["id"]]
    # Pages follow the same order.
    seen, cursor = [], None
    while True:
        page = await api("GET", "/api/tasks", limit=1, **({"cursor": cursor} if cursor else {}))
        seen += ids(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids(await api("GET", "/api/tasks"))
    await api("GET", "/api/tasks", expect=400, **{"status": "later"})
    await api("GET", "/api/tasks", expect=400, due_before="tomorrow")
    await api("GET", "/api/tasks", expect=404, company_id="nope")


async def test_task_events_reach_the_bus_with_their_task_id(api: Api, services) -> None:
    await company(api, "acme")
    sub = services.bus.subscribe()
    try:
        made = await task(api, "acme", "2026-12-01")
        await api("PATCH", f"/api/tasks/{made['id']}", {"status": "done"})
        events = []
        while sub.pending():
            events.append(sub.get_nowait())
    finally:
        sub.close()
    found = [(e.kind.value, e.task_id, e.wire_data()["task_id"]) for e in events if e.task_id]
    assert found == [
        ("task_created", made["id"], made["id"]),
        ("task_done", made["id"], made["id"]),
    ]


async def test_a_due_time_across_midnight(api: Api, clock: MutableClock) -> None:
    """A date-time is due at its moment: later than today's end is upcoming, then today once
    the day turns, then overdue once the moment passes."""
    await company(api, "acme")
    # 23:30 at UTC-2 is 01:30 UTC tomorrow: not today in a UTC project.
    made = await task(api, "acme", "2026-11-27T23:30:00-02:00")
    assert made["state"] == "upcoming"
    assert made["due"] == "2026-11-27T23:30:00-02:00"
    clock.set(FIXED_NOW.replace(hour=23, minute=59))
    assert (await api("GET", f"/api/tasks/{made['id']}"))["state"] == "upcoming"
    clock.advance(minutes=1)
    assert (await api("GET", f"/api/tasks/{made['id']}"))["state"] == "today"
    clock.advance(hours=1, minutes=29, seconds=59)
    assert (await api("GET", f"/api/tasks/{made['id']}"))["state"] == "today"
    clock.advance(seconds=1)
    assert (await api("GET", f"/api/tasks/{made['id']}"))["state"] == "overdue"


async def test_a_date_is_due_until_the_end_of_that_day_in_the_project_zone(
    api: Api, clock: MutableClock
) -> None:
    await company(api, "acme")
    made = await task(api, "acme", "2026-11-27")
    clock.set(FIXED_NOW.replace(hour=23, minute=59, second=59))
    assert (await api("GET", f"/api/tasks/{made['id']}"))["state"] == "today"
    clock.advance(seconds=1)
    assert (await api("GET", f"/api/tasks/{made['id']}"))["state"] == "overdue"


async def test_today_in_kiritimati_and_in_pago_pago(api: Api, clock: MutableClock) -> None:
    """At 12:00 UTC on 27 November it is already 02:00 on the 28th in Kiritimati (UTC+14)
    and still 01:00 on the 27th in Pago Pago (UTC-11)."""
    await company(api, "acme")
    await api("PATCH", "/api/project", {"time_zone": "Pacific/Kiritimati"})
    t27, t28 = await task(api, "acme", "2026-11-27"), await task(api, "acme", "2026-11-28")
    states = {t["due"]: t["state"] for t in (await api("GET", "/api/tasks"))["items"]}
    assert states == {"2026-11-27": "overdue", "2026-11-28": "today"}
    agenda = await api("GET", "/api/agenda")
    assert (agenda["date"], agenda["time_zone"]) == ("2026-11-28", "Pacific/Kiritimati")
    assert [t["id"] for t in agenda["overdue"]] == [t27["id"]]
    assert [t["id"] for t in agenda["today"]] == [t28["id"]]

    # The same dates in Pago Pago: the zone change moves when each date falls due.
    project = await api("PATCH", "/api/project", {"time_zone": "Pacific/Pago_Pago"})
    assert project["time_zone"] == "Pacific/Pago_Pago"
    states = {t["due"]: t["state"] for t in (await api("GET", "/api/tasks"))["items"]}
    assert states == {"2026-11-27": "today", "2026-11-28": "upcoming"}
    agenda = await api("GET", "/api/agenda")
    assert agenda["date"] == "2026-11-27"
    assert [t["id"] for t in agenda["today"]] == [t27["id"]]
    assert [t["id"] for t in agenda["upcoming"]] == [t28["id"]]
    # 10:59 UTC on the 28th is 23:59 on the 27th in Pago Pago: still today.
    clock.set(FIXED_NOW + timedelta(hours=22, minutes=59))
    assert (await api("GET", f"/api/tasks/{t27['id']}"))["state"] == "today"
    clock.advance(minutes=1)
    assert (await api("GET", f"/api/tasks/{t27['id']}"))["state"] == "overdue"
    assert (await api("GET", f"/api/tasks/{t28['id']}"))["state"] == "today"


async def test_the_agenda(api: Api, clock: MutableClock) -> None:
    await company(api, "big", deal_value=5000)
    await company(api, "small", deal_value=10.5)
    await company(api, "none")
    await company(api, "busy", deal_value=99)
    await company(api, "won", stage="Won", deal_value=10**6)
    await company(api, "loose", stage=None)
    overdue = await task(api, "busy", "2026-11-26", "overdue")
    passed = await task(api, "busy", "2026-11-27T11:00:00Z", "passed")
    today = await task(api, "busy", "2026-11-27T18:00:00Z", "today")
    week = await task(api, "busy", "2026-12-04", "in 7 days")
    await task(api, "busy", "2026-12-05", "in 8 days")
    done = await task(api, "small", "2026-11-27", "done")
    await api("PATCH", f"/api/tasks/{done['id']}", {"status": "done"})
    agenda = await api("GET", "/api/agenda")
    assert [t["id"] for t in agenda["overdue"]] == [overdue["id"], passed["id"]]
    assert [t["id"] for t in agenda["today"]] == [today["id"]]
    assert [t["id"] for t in agenda["upcoming"]] == [week["id"]]
    assert agenda["today"][0]["company_name"] == "Busy"
    assert agenda["no_next_step"] == [
        {"company_id": "big", "company_name": "Big", "stage": "Qualified", "deal_value": 5000},
        {"company_id": "small", "company_name": "Small", "stage": "Qualified", "deal_value": 10.5},
        {"company_id": "none", "company_name": "None", "stage": "Qualified", "deal_value": None},
    ]


async def test_a_contact_must_be_linked_to_the_company(api: Api) -> None:
    await company(api, "acme")
    other = await api("POST", "/api/contacts", {"email": "x@globex.com"}, 201)
    body = {"company_id": "acme", "title": "Call", "due": "2026-12-01", "contact_id": other["id"]}
    answer = await api("POST", "/api/tasks", body, 409)
    assert answer["error"] == "contact_not_linked"
    made = await task(api, "acme", "2026-12-01")
    answer = await api("PATCH", f"/api/tasks/{made['id']}", {"contact_id": other["id"]}, 409)
    assert answer["error"] == "contact_not_linked"
    assert (await api("GET", "/api/tasks"))["items"] == [made]


async def test_a_repeated_create_with_an_idempotency_key_makes_one_task(api: Api) -> None:
    await company(api, "acme")
    body = {"company_id": "acme", "title": "Call", "due": "2026-12-01"}
    headers = {**api.auth, "Idempotency-Key": "task-once"}
    first = await api.client.post("/api/tasks", json=body, headers=headers)
    again = await api.client.post("/api/tasks", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len((await api("GET", "/api/tasks"))["items"]) == 1


async def test_the_task_routes_need_the_account_token(client) -> None:
    for method, path in (
        ("GET", "/api/tasks"),
        ("POST", "/api/tasks"),
        ("GET", "/api/agenda"),
        ("GET", "/api/board/forecast"),
        ("DELETE", "/api/tasks/tk_x"),
    ):
        answer = await client.request(method, path)
        assert answer.status_code == 401, (method, path)
        assert answer.json()["error"] == "unauthorized"
