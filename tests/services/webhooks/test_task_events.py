"""Next steps reach webhooks: created, completed, and overdue once when one falls due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from halcrm.services.container import Services
from halcrm.services.tasks.overdue import record_overdue
from tests.services.webhooks.helpers import endpoint, settled
from tests.services.webhooks.receiver import Receiver


def _rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def test_task_events_reach_an_endpoint_and_overdue_is_said_once(
    client: httpx.AsyncClient, auth: dict[str, str], receiver: Receiver, services: Services
) -> None:
    made = await endpoint(
        client, auth, receiver, events=["task.created", "task.completed", "task.overdue"]
    )
    acme = (await client.post("/api/companies", json={"name": "Acme"}, headers=auth)).json()
    now = datetime.now(UTC)
    late = {
        "company_id": acme["id"],
        "title": "Call Jane",
        "due": _rfc3339(now - timedelta(hours=1)),
    }
    later = {
        "company_id": acme["id"],
        "title": "Send proposal",
        "due": _rfc3339(now + timedelta(days=3)),
    }
    old = {"company_id": acme["id"], "title": "Old one", "due": _rfc3339(now - timedelta(days=9))}
    first = (await client.post("/api/tasks", json=late, headers=auth)).json()
    second = (await client.post("/api/tasks", json=later, headers=auth)).json()
    await client.post("/api/tasks", json=old, headers=auth)
    done = await client.patch(f"/api/tasks/{second['id']}", json={"status": "done"}, headers=auth)
    assert done.status_code == 200, done.text

    # However often the periodic check runs, the late step is said once; the step nine days
    # late (seen for the first time) is overdue on the board but not announced.
    assert await services.db.write(record_overdue) == 1
    assert await services.db.write(record_overdue) == 0

    await settled(client, auth, made["id"], "delivered", count=5)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for got in receiver.at("/hook"):
        body = got.verified(made["secret"])
        by_type.setdefault(body["type"], []).append(body["data"])
    assert sorted((t, len(items)) for t, items in by_type.items()) == [
        ("task.completed", 1),
        ("task.created", 3),
        ("task.overdue", 1),
    ]
    [overdue] = by_type["task.overdue"]
    assert overdue["task_id"] == first["id"]
    assert overdue["title"] == "Call Jane"
    assert overdue["company_id"] == acme["id"]
    activity = (await client.get("/api/activity", headers=auth)).json()["items"]
    assert [item["kind"] for item in activity].count("task_overdue") == 1
