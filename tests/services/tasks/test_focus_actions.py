"""The focus lane's recommended action, evidence, momentum and order (API.md), fixed clock."""

from __future__ import annotations

from datetime import timedelta

import httpx

from halcrm.domain.clock import MutableClock
from halcrm.services.board.momentum import pulse
from halcrm.services.container import Services
from tests.conftest import FIXED_NOW
from tests.services.tasks.conftest import Api, company, task

W = {"app_id": "local"}


async def _widget(client: httpx.AsyncClient, route: str, visitor: str, **body: object) -> dict:
    answer = await client.post(f"/api/widget/{route}", json={**W, "visitor_id": visitor, **body})
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


async def _lane(api: Api) -> list[dict]:
    return list(await api("GET", "/api/board/focus", limit=20))


async def test_every_item_carries_an_action_in_the_contract_order(
    api: Api, client: httpx.AsyncClient, clock: MutableClock
) -> None:
    # A customer waiting on a reply (a contact of acme), written 3 hours ago.
    await _widget(client, "identify", "v1", email="jane@acme.com", name="Jane Doe",
                  company={"id": "acme", "name": "Acme", "stage": "Qualified"})  # fmt: skip
    await _widget(client, "chat/messages", "v1", body="Can I get a quote?")
    clock.advance(hours=1)
    # An anonymous visitor waiting too, 2 hours.
    await _widget(client, "chat/messages", "anon-7", body="Hello?")
    clock.advance(hours=1)
    # An overdue next step (due 1 hour after the start), a passed close date, a big open deal
    # without a next step, and a small one.
    await company(api, "late", stage="Proposal", deal_value=1000)
    step = await task(api, "late", "2026-11-27T13:00:00Z", "Send the proposal")
    await company(api, "closing", stage="Negotiation", deal_value=500,
                  expected_close="2026-11-20")  # fmt: skip
    await task(api, "closing", "2026-12-20", "Contract review")
    await company(api, "big", stage="Proposal", deal_value=80000)
    await company(api, "small", stage="Proposal", deal_value=10)
    clock.advance(hours=1)

    lane = await _lane(api)
    order = [(i["company_id"], i["action"]["kind"]) for i in lane]
    assert order[:3] == [("acme", "reply"), (None, "reply"), ("late", "do_next_step")]
    assert order[3:] == [
        ("big", "schedule_next_step"),
        ("closing", "update_close_date"),
        ("small", "schedule_next_step"),
    ]
    reply, anonymous, overdue = lane[0], lane[1], lane[2]
    assert reply["action"]["label"] == "Reply to Jane Doe (waiting 3 h)"
    assert reply["action"]["conversation_id"]
    assert reply["evidence"][0] == "Jane Doe has waited 3 h for your reply"
    assert (anonymous["company_name"], anonymous["visitor_id"]) == ("Visitor anon-7", "anon-7")
    assert anonymous["action"]["label"] == "Reply to visitor anon-7 (waiting 2 h)"
    assert overdue["action"] == {
        "kind": "do_next_step",
        "label": "Do “Send the proposal” (2 h overdue)",
        "conversation_id": None,
        "task_id": step["id"],
        "contact_id": None,
        "stage": None,
    }
    closing = lane[4]
    assert closing["evidence"][0] == "expected close 2026-11-20 passed 7 days ago"
    assert closing["action"]["label"] == "Update Closing's expected close (passed 7 d ago)"
    big = lane[3]
    assert big["deal_value"] == 80000
    assert big["evidence"][0] == "no next step scheduled; $80,000 in Proposal (50 %)"
    assert any(line.startswith("momentum ") for line in big["evidence"])
    for item in lane:
        assert 0 <= item["momentum"] <= 100
        assert item["trend"] in ("rising", "steady", "falling")


async def test_a_stalled_deal_gets_re_engage_with_the_contact_seen_last(
    api: Api, client: httpx.AsyncClient, clock: MutableClock
) -> None:
    await _widget(client, "identify", "v1", email="old@acme.com", name="Old Timer",
                  company={"id": "acme", "name": "Acme", "stage": "Negotiation"})  # fmt: skip
    clock.advance(days=1)
    await _widget(client, "identify", "v2", email="new@acme.com", name="New Face",
                  company={"id": "acme"})  # fmt: skip
    await api("PATCH", "/api/companies/acme", {"deal_value": 3000})
    clock.advance(days=9)
    [item] = [i for i in await _lane(api) if i["company_id"] == "acme"]
    assert item["reason"] == "stalled"
    assert item["action"]["kind"] == "re_engage"
    assert item["action"]["label"] == "Check in with New Face"
    contacts = (await api("GET", "/api/contacts", email="new@acme.com"))["items"]
    assert item["action"]["contact_id"] == contacts[0]["id"]
    assert item["evidence"][0] == "no activity for 9 days; Negotiation allows 7"
    # A step planned for later takes it out of the stall (and the lane, as it has a plan).
    await task(api, "acme", "2026-12-10")
    assert [i for i in await _lane(api) if i["company_id"] == "acme"] == []


async def test_a_hinted_milestone_suggests_the_later_stage(
    api: Api, client: httpx.AsyncClient, clock: MutableClock
) -> None:
    await api("PATCH", "/api/project", {"stage_hints": {"plan-upgraded": "Proposal"}})
    for cid, stage in (("acme", "Qualified"), ("ahead", "Negotiation")):
        await _widget(client, "identify", f"v-{cid}", email=f"a@{cid}.com",
                      company={"id": cid, "name": cid.title(), "stage": stage})  # fmt: skip
        await task(api, cid, "2026-12-10")
        await _widget(client, "track", f"v-{cid}", name="plan-upgraded", company_id=cid)
    clock.advance(days=2)
    lane = {i["company_id"]: i for i in await _lane(api)}
    assert lane["acme"]["action"] == {
        "kind": "advance_stage",
        "label": "Move Acme to Proposal",
        "conversation_id": None,
        "task_id": None,
        "contact_id": None,
        "stage": "Proposal",
    }
    assert lane["acme"]["evidence"][:2] == [
        "milestone plan-upgraded 2 d ago; the stage hints say Proposal",
        "still in Qualified",
    ]
    assert "last milestone plan-upgraded 2 d ago" in lane["acme"]["evidence"]
    # Already past the hinted stage: nothing to suggest (its widget move is shown instead).
    assert lane["ahead"]["action"]["kind"] == "do_next_step"
    assert lane["ahead"]["reason"] == "widget_advanced"
    # Nothing moved by itself.
    assert (await api("GET", "/api/companies/acme"))["stage"] == "Qualified"
    await api("POST", "/api/companies/acme/move", {"stage": "Proposal"})
    assert "acme" not in {i["company_id"] for i in await _lane(api)}


def test_momentum_and_trend_with_a_fixed_clock() -> None:
    now = FIXED_NOW
    assert pulse([], now).momentum == 0
    assert pulse([], now).trend == "steady"
    # One fresh milestone: raw 15, 100 * (1 - e^(-15/30)) = 39.3.
    assert pulse([("milestone", now, "signup")], now).momentum == 39
    # The same milestone one half-life (14 days) old counts half: raw 7.5 -> 22.1, and it is
    # still in the last 14 days.
    old = pulse([("milestone", now - timedelta(days=14), "signup")], now)
    assert (old.momentum, old.trend) == (22, "rising")
    # A day older it falls in the 14 days before: raw 15 * 2^(-15/14) = 7.16 -> 21.2.
    older = pulse([("milestone", now - timedelta(days=15), "signup")], now)
    assert (older.momentum, older.trend) == (21, "falling")
    # A founder reply (10) and a completed step (12), both fresh: raw 22 -> 52.
    both = pulse([("founder_reply", now, None), ("step_done", now, None)], now)
    assert (both.momentum, both.trend) == (52, "rising")
    # Three widget calls now against three 20 days ago: equal weights, steady.
    mixed = [("widget", now, None)] * 3 + [("widget", now - timedelta(days=20), None)] * 3
    assert pulse(mixed, now).trend == "steady"
    assert pulse([("milestone", now, None)] * 40, now).momentum == 100


async def test_completing_a_step_raises_momentum(
    api: Api, services: Services, clock: MutableClock
) -> None:
    await company(api, "acme", stage="Proposal", deal_value=100)
    first = await task(api, "acme", "2026-11-28")
    clock.advance(days=20)
    [before] = [i for i in await services.board.focus_lane(20) if i.company_id == "acme"]
    await api("PATCH", f"/api/tasks/{first['id']}", {"status": "done"})
    [after] = [i for i in await services.board.focus_lane(20) if i.company_id == "acme"]
    assert after.momentum > before.momentum
    assert after.trend == "rising"
