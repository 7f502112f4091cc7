"""The refined stall rule: an open next step due today or later means the founder has a plan;
an overdue one does not hide the stall (company record, card, summary and focus lane agree)."""

from __future__ import annotations

from halcrm.domain.clock import MutableClock
from halcrm.services.container import Services
from tests.services.tasks.conftest import Api, company, task


async def _stalled_everywhere(api: Api, services: Services, company_id: str) -> set[bool]:
    record = (await api("GET", f"/api/companies/{company_id}"))["stalled"]
    card = (await services.board.cards([company_id]))[0].stalled_days > 0
    summary = (await services.board.summary()).stalled_count > 0
    # The lane names an overdue step first; the stall is then in its evidence.
    lane = any(
        item.company_id == company_id
        and (item.reason == "stalled" or any("no activity for" in e for e in item.evidence))
        for item in await services.board.focus_lane(50)
    )
    return {record, card, summary, lane}


async def test_a_next_step_due_today_or_later_means_not_stalled(
    api: Api, services: Services, clock: MutableClock
) -> None:
    # Negotiation allows 7 days without activity.
    await company(api, "acme", stage="Negotiation", deal_value=1000)
    clock.advance(days=8)
    assert await _stalled_everywhere(api, services, "acme") == {True}
    step = await task(api, "acme", "2026-12-05T13:00:00Z")
    assert await _stalled_everywhere(api, services, "acme") == {False}
    # Due today (a date: until the day ends) still counts as a plan.
    await api("PATCH", f"/api/tasks/{step['id']}", {"due": "2026-12-05"})
    assert await _stalled_everywhere(api, services, "acme") == {False}
    # Overdue: the plan has lapsed, the deal is stalled again.
    clock.advance(days=1)
    assert await _stalled_everywhere(api, services, "acme") == {True}
    card = (await services.board.cards(["acme"]))[0]
    assert card.next_step_state == "overdue"
    [item] = [i for i in await services.board.focus_lane(50) if i.company_id == "acme"]
    assert (item.reason, item.action.kind) == ("overdue_step", "do_next_step")
    # A later step alongside the overdue one is a plan again.
    await task(api, "acme", "2026-12-20")
    assert await _stalled_everywhere(api, services, "acme") == {False}
    assert (await api("GET", "/api/companies/acme"))["next_step_state"] == "overdue"


async def test_completing_a_step_is_activity_that_unstalls(
    api: Api, services: Services, clock: MutableClock
) -> None:
    await company(api, "acme", stage="Negotiation")
    step = await task(api, "acme", "2026-11-28")
    clock.advance(days=9)
    assert await _stalled_everywhere(api, services, "acme") == {True}
    await api("PATCH", f"/api/tasks/{step['id']}", {"status": "done"})
    assert await _stalled_everywhere(api, services, "acme") == {False}
    assert (await services.board.cards(["acme"]))[0].next_step_state == "none"
