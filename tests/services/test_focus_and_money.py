"""Stalled deals, weighted pipeline money, the focus lane and placeholder merges (fixed clock)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from halcrm.db.models import Contact, ContactCompany, Event, StageChange
from halcrm.domain.clock import MutableClock
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate, CompanyPatch, ContactCreate
from halcrm.services.support.schemas import ConversationCreate, MessageCreate
from halcrm.services.widget.inputs import Identify, IdentifyCompany, SetStage, Track
from tests.conftest import FIXED_NOW


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(FIXED_NOW)


def body(**fields: object) -> Identify:
    return Identify(app_id="local", visitor_id="v1", **fields)  # type: ignore[arg-type]


async def test_stalled_boundary_is_per_stage_and_closed_never_stall(services: Services, clock):
    # Default limits: Qualified 14 d, Negotiation 7 d; Won has none.
    for cid, stage in [("q", "Qualified"), ("n", "Negotiation"), ("w", "Won")]:
        await services.companies.create(CompanyCreate(id=cid, name=cid, stage=stage))
    clock.advance(days=7)
    assert not (await services.companies.get("n")).stalled
    clock.advance(seconds=1)
    assert (await services.companies.get("n")).stalled
    assert not (await services.companies.get("q")).stalled
    clock.advance(days=30)
    assert (await services.companies.get("q")).stalled
    assert not (await services.companies.get("w")).stalled


async def test_signals_reset_the_stall_clock(services: Services, clock):
    await services.widget.identify(body(email="a@acme.com", company=IdentifyCompany(id="acme")))
    await services.companies.move("acme", "Negotiation")
    clock.advance(days=8)
    assert (await services.companies.get("acme")).stalled
    await services.widget.track(Track(app_id="local", visitor_id="v1", name="invited_teammate"))
    assert not (await services.companies.get("acme")).stalled
    clock.advance(days=8)
    await services.widget.identify(body(email="a@acme.com"))
    assert not (await services.companies.get("acme")).stalled
    clock.advance(days=8)
    await services.companies.update("acme", CompanyPatch(notes="called them"))
    assert not (await services.companies.get("acme")).stalled


async def test_weighted_totals_and_summary(services: Services, clock):
    await services.companies.create(
        CompanyCreate(name="a", deal_value=Decimal(1000), stage="Qualified")
    )
    await services.companies.create(
        CompanyCreate(name="b", deal_value=Decimal(2000), stage="Negotiation")
    )
    await services.companies.create(CompanyCreate(name="c", deal_value=Decimal(500), stage="Won"))
    await services.companies.create(CompanyCreate(name="d", deal_value=Decimal(300)))
    summary = await services.board.summary()
    by_stage = {s.stage_id: s for s in summary.stages}
    assert by_stage["qualified"].weighted_cents == 1000_00 * 25 // 100
    assert by_stage["negotiation"].weighted_cents == 2000_00 * 75 // 100
    assert by_stage[None].count == 1
    assert summary.open_total_cents == 3000_00
    assert summary.weighted_total_cents == 250_00 + 1500_00
    assert summary.won_this_month_cents == 500_00
    assert summary.stalled_value_cents == 0
    clock.advance(days=8)
    summary = await services.board.summary()
    assert (summary.stalled_count, summary.stalled_value_cents) == (1, 2000_00)


async def test_focus_lane_ranks_and_respects_answers(services: Services, clock):
    await services.companies.create(
        CompanyCreate(id="big", name="Big", deal_value=Decimal(90000), stage="Proposal")
    )
    await services.companies.create(
        CompanyCreate(id="small", name="Small", deal_value=Decimal(100), stage="Proposal")
    )
    await services.companies.create(
        CompanyCreate(id="cold", name="Cold", deal_value=Decimal(99999), stage="Lead")
    )
    clock.advance(days=11)
    lane = await services.board.focus_lane()
    # By value at risk: weighted value (Proposal 50 %, Lead 10 %) less what momentum keeps.
    assert [i.company_id for i in lane] == ["big", "cold", "small"]
    assert lane[0].reason == "stalled"
    assert lane[0].action.kind == "re_engage"
    assert "$90,000 in Proposal" in lane[0].text
    # A Lead does not stall (warm deals only) but it has no next step.
    assert (lane[1].reason, lane[1].action.kind) == ("no_next_step", "schedule_next_step")
    await services.board.answer_focus("big", "stalled", "dismissed")
    # A dismissed stall does not come back as "no next step" either.
    assert [i.company_id for i in await services.board.focus_lane()] == ["cold", "small"]
    await services.board.answer_focus(
        "small", "stalled", "snoozed", until=clock.now + timedelta(days=2)
    )
    assert [i.company_id for i in await services.board.focus_lane()] == ["cold"]
    clock.advance(days=3)
    assert [i.company_id for i in await services.board.focus_lane()] == ["cold", "small"]
    # Something new happening to a dismissed company brings it back.
    await services.companies.update("big", CompanyPatch(notes="new info"))
    clock.advance(days=11)
    assert "big" in [i.company_id for i in await services.board.focus_lane()]


async def test_a_waiting_customer_answered_itself_goes_answering_another_reason_does_not(
    services: Services, clock: MutableClock
) -> None:
    """A waiting customer is news: a lesser reason's answer leaves it in the lane; the
    founder's own answer to it (snoozed until tomorrow) takes it out until then."""
    body = CompanyCreate(id="acme", name="Acme", deal_value=Decimal(9000), stage="Proposal")
    await services.companies.create(body)
    await services.contacts.create(ContactCreate(id="jo", name="Jo"))
    await services.contacts.link("jo", "acme")
    words = MessageCreate(author="contact", body="Any news?")
    await services.support.create(ConversationCreate(contact_id="jo", message=words))
    clock.advance(days=11)  # stalled too, and still waiting

    async def reasons() -> list[str]:
        return [i.reason for i in await services.board.focus_lane() if i.company_id == "acme"]

    assert await reasons() == ["waiting_reply"]
    await services.board.answer_focus("acme", "stalled", "dismissed")
    assert await reasons() == ["waiting_reply"]
    until = clock.now + timedelta(days=1)
    await services.board.answer_focus("acme", "waiting_reply", "snoozed", until=until)
    assert await reasons() == []
    clock.advance(days=2)
    assert await reasons() == ["waiting_reply"]


async def test_a_short_lane_is_the_long_lanes_first_places(services: Services, clock):
    """A short lane measures only the companies that can reach its places (momentum is the
    costly part): its items, order and figures are still the long lane's first ones."""
    for n in range(45):
        value = Decimal(1000 + 37 * n)
        create = CompanyCreate(id=f"c{n:02d}", name=f"C{n:02d}", deal_value=value, stage="Proposal")
        await services.companies.create(create)
    clock.advance(days=11)  # every one stalled: Proposal allows 10 days
    for n in range(40, 45):  # the largest deals are alive: momentum lowers their value at risk
        for k in range(4):
            await services.companies.update(f"c{n:02d}", CompanyPatch(notes=f"call {k}"))
    whole = await services.board.focus_lane(100)
    assert len(whole) == 45
    assert whole[0].company_id == "c39"  # $2,443 idle passes $2,628 with momentum
    assert whole[-1].company_id == "c00"
    alive = {f"c{n}" for n in range(40, 45)}
    momentum = {i.company_id: i.momentum for i in whole}
    assert min(momentum[c] for c in alive) > max(m for c, m in momentum.items() if c not in alive)
    for limit in (1, 3, 8, 20, 40):
        assert await services.board.focus_lane(limit) == whole[:limit]


async def test_focus_lane_widget_advance_and_placeholder(services: Services, clock):
    await services.widget.identify(body(email="x@acme.com", company=IdentifyCompany(id="acme")))
    await services.widget.set_stage(SetStage(app_id="local", visitor_id="v1", stage="Qualified"))
    await services.widget.identify(Identify(app_id="local", visitor_id="p1", email="p1@ph.dev"))
    await services.widget.identify(Identify(app_id="local", visitor_id="p2", email="p2@ph.dev"))
    lane = {i.company_id: i for i in await services.board.focus_lane()}
    assert lane["acme"].reason == "widget_advanced"
    assert "Qualified" in lane["acme"].text
    [placeholder] = [i for i in lane.values() if i.reason == "placeholder"]
    assert "2 contacts" in placeholder.text


async def test_merge_moves_everything_and_undo_restores(services: Services, runtime):
    first = await services.widget.identify(body(email="m@merge.dev"))
    [placeholder] = first.company_ids
    await services.companies.update(
        placeholder, CompanyPatch(notes="from the trade show", metadata={"a": 1, "b": 2})
    )
    await services.widget.track(
        Track(app_id="local", visitor_id="v1", name="activated", company_id=placeholder)
    )
    await services.companies.move(placeholder, "Qualified")
    await services.companies.create(CompanyCreate(id="real", name="Real Inc", metadata={"b": 9}))
    result = await services.companies.merge(placeholder, "real")
    assert result.company.contact_ids == [first.contact_id]
    assert result.company.metadata == {"a": 1, "b": 9}
    assert result.company.notes == "from the trade show"
    history = (await services.companies.history("real")).items
    assert {h.type for h in history} == {"stage_change", "event"}
    with runtime.services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ContactCompany)) == 1
        orphans = session.scalar(
            select(func.count()).select_from(Event).where(Event.company_pk.is_(None))
        )
        assert orphans == 0
    restored = await services.companies.undo_merge(result.undo)
    assert restored.id == placeholder
    assert restored.is_placeholder
    assert restored.contact_ids == [first.contact_id]
    real = await services.companies.get("real")
    assert (real.contact_ids, real.metadata, real.notes) == ([], {"b": 9}, None)
    assert len((await services.companies.history(placeholder)).items) == 2
    with runtime.services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 1
        assert session.scalar(select(func.count()).select_from(StageChange)) == 1


async def test_reopen_goes_back_to_the_stage_it_was_closed_from(services: Services):
    await services.companies.create(CompanyCreate(id="x", name="X", stage="Negotiation"))
    await services.companies.move("x", "Lost", note="went with a competitor")
    history = (await services.companies.history("x")).items
    assert history[0].note == "went with a competitor"
    result = await services.companies.reopen("x")
    assert (result.stage, result.previous_stage) == ("Negotiation", "Lost")


async def test_stall_defaults_apply_to_a_new_project(services: Services):
    await services.projects.ensure("other", stall_defaults={"Proposal": 3, "won": 5})
    other = Services(services.db, "other")
    stages = {s.id: s.stall_after_days for s in (await other.stages.all()).items}
    assert stages["proposal"] == 3
    assert stages["lead"] == 14
    assert stages["won"] is None
