"""The stage-write decision and money rules, as pure functions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from halcrm.domain.errors import InvalidRequest, UnknownStage
from halcrm.domain.money import format_money, from_cents, to_cents
from halcrm.domain.stages import StageInfo, StageKind, StageMode, decide, resolve_stage

LEAD = StageInfo("lead", "Lead", 0, StageKind.OPEN)
PROPOSAL = StageInfo("proposal", "Proposal", 2, StageKind.OPEN)
WON = StageInfo("won", "Won", 4, StageKind.WON)
LOST = StageInfo("lost", "Lost", 5, StageKind.LOST)
ADV = StageMode.ADVANCE_ONLY


@pytest.mark.parametrize(
    ("current", "requested", "mode", "applied", "reason"),
    [
        (None, LEAD, ADV, True, None),
        (LEAD, PROPOSAL, ADV, True, None),
        (PROPOSAL, LEAD, ADV, False, "already_later"),
        (PROPOSAL, PROPOSAL, ADV, False, "same_stage"),
        (WON, LOST, ADV, False, "closed"),
        (LOST, WON, ADV, False, "closed"),
        (PROPOSAL, LOST, ADV, True, None),
        (WON, LEAD, StageMode.EXACT, True, None),
        (PROPOSAL, LEAD, StageMode.EXACT, True, None),
    ],
)
def test_decide(current, requested, mode, applied, reason):
    decision = decide(current, requested, mode)
    assert decision.applied is applied
    assert (decision.reason.value if decision.reason else None) == reason


def test_resolve_by_id_or_name_any_case():
    stages = [LEAD, PROPOSAL, WON]
    assert resolve_stage(stages, "proposal") is PROPOSAL
    assert resolve_stage(stages, "  WON ") is WON
    with pytest.raises(UnknownStage, match="Lead, Proposal, Won"):
        resolve_stage(stages, "Pilot")


@pytest.mark.parametrize(
    ("value", "cents"),
    [(Decimal("0"), 0), (Decimal("12.5"), 1250), (Decimal("0.01"), 1), (1234, 123400)],
)
def test_to_cents_is_exact(value, cents):
    assert to_cents(value) == cents


@pytest.mark.parametrize("bad", [Decimal("-1"), Decimal("1.001"), Decimal("NaN"), True, "x"])
def test_to_cents_refuses(bad):
    with pytest.raises(InvalidRequest):
        to_cents(bad)


def test_money_out():
    assert from_cents(1250) == 12.5
    assert from_cents(1200) == 12
    assert from_cents(None) is None
    assert format_money(123456) == "$1,234.56"
    assert format_money(1250000) == "$12,500"
