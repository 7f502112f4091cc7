"""Next steps' webhooks: task.created and task.completed as they happen, task.overdue once per
due time from the loop's periodic check, and deal.stalled only for deals without a plan."""

from __future__ import annotations

from typing import Any

import httpx

from halcrm.services.facade import Services
from halcrm.services.webhooks import notices
from tests.webhooks.helpers import endpoint, settled
from tests.webhooks.receiver import Receiver

# company.created and company.stage_changed twice, task.created twice, task.overdue,
# deal.stalled, task.completed.
TOTAL = 9


async def test_task_events_and_overdue_notices(
    client: httpx.AsyncClient, auth: dict[str, str], receiver: Receiver, services: Services
) -> None:
    made = await endpoint(client, auth, receiver)
    for cid, stage in (("acme", "Proposal"), ("planned", "Proposal")):
        body = {"id": cid, "name": cid.title(), "stage": stage}
        assert (await client.post("/api/companies", json=body, headers=auth)).status_code == 201
    late = {"company_id": "acme", "title": "Send the deck", "due": "2020-01-01"}
    task = (await client.post("/api/tasks", json=late, headers=auth)).json()
    later = {"company_id": "planned", "title": "Call", "due": "2099-01-01"}
    assert (await client.post("/api/tasks", json=later, headers=auth)).status_code == 201
    await client.patch("/api/stages/Proposal", json={"stall_after_days": 0}, headers=auth)
    for _ in range(2):  # once per task and due time, however often the check runs
        await services.db.write(notices.check_overdue)
        await services.db.write(notices.check_stalled)
    done = await client.patch(f"/api/tasks/{task['id']}", json={"status": "done"}, headers=auth)
    assert done.status_code == 200
    await settled(client, auth, made["id"], "delivered", count=TOTAL)
    assert len(receiver.at("/hook")) == TOTAL
    by_type: dict[str, list[dict[str, Any]]] = {}
    for got in receiver.at("/hook"):
        body = got.verified(made["secret"])
        by_type.setdefault(body["type"], []).append(body["data"])
    assert by_type["task.created"][0]["task_id"] == task["id"]
    assert len(by_type["task.created"]) == 2
    [overdue] = by_type["task.overdue"]
    assert (overdue["task_id"], overdue["company_id"], overdue["title"]) == (
        task["id"],
        "acme",
        "Send the deck",
    )
    [completed] = by_type["task.completed"]
    assert completed["task_id"] == task["id"]
    # "planned" has a step due later: a plan, so it never stalled; acme's step was overdue.
    assert [d["company_id"] for d in by_type["deal.stalled"]] == ["acme"]
