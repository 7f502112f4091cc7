"""Pipeline stages and the stage-write decision (exact versus advance_only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from halcrm.domain.errors import UnknownStage


class StageKind(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class StageMode(StrEnum):
    EXACT = "exact"
    ADVANCE_ONLY = "advance_only"


class Source(StrEnum):
    """Who wrote a stage; manual sources (board, account API) outrank the widget."""

    WIDGET = "widget"
    ACCOUNT_API = "account_api"
    BOARD = "board"
    PUBLIC_API = "public_api"
    # ``halcrm import``: a person's records brought from a spreadsheet or another CRM.
    IMPORT = "import"


class SkipReason(StrEnum):
    ALREADY_LATER = "already_later"
    SAME_STAGE = "same_stage"
    CLOSED = "closed"
    # identify rule 7: a stage name the project does not have skips the write, not the call.
    UNKNOWN_STAGE = "unknown_stage"


def weighted_cents(total_cents: int, probability: int) -> int:
    """A stage's deal total weighted by its win probability (percent), in whole cents: the
    summary's figure and the board header's, from one rule."""
    return total_cents * probability // 100


@dataclass(frozen=True, slots=True)
class StageInfo:
    """A stage as the rules see it."""

    id: str
    name: str
    position: int
    kind: StageKind
    probability: int = 0
    stall_after_days: int | None = None

    @property
    def is_closed(self) -> bool:
        return self.kind is not StageKind.OPEN


@dataclass(frozen=True, slots=True)
class StageDecision:
    applied: bool
    reason: SkipReason | None


@dataclass(frozen=True, slots=True)
class DefaultStage:
    id: str
    name: str
    kind: StageKind
    probability: int
    stall_after_days: int | None


DEFAULT_PIPELINE: tuple[DefaultStage, ...] = (
    DefaultStage("lead", "Lead", StageKind.OPEN, 10, 14),
    DefaultStage("qualified", "Qualified", StageKind.OPEN, 25, 14),
    DefaultStage("proposal", "Proposal", StageKind.OPEN, 50, 10),
    DefaultStage("negotiation", "Negotiation", StageKind.OPEN, 75, 7),
    DefaultStage("won", "Won", StageKind.WON, 100, None),
    DefaultStage("lost", "Lost", StageKind.LOST, 0, None),
)


def decide(current: StageInfo | None, requested: StageInfo, mode: StageMode) -> StageDecision:
    """Decides whether a stage write moves the company.

    ``exact`` always sets the stage (downgrades included). ``advance_only`` moves a company only
    forward, never out of a won or lost stage, and reports why it did not.
    """
    if mode is StageMode.EXACT:
        return StageDecision(True, None)
    if current is None:
        return StageDecision(True, None)
    if current.id == requested.id:
        return StageDecision(False, SkipReason.SAME_STAGE)
    if current.is_closed:
        return StageDecision(False, SkipReason.CLOSED)
    if requested.position > current.position:
        return StageDecision(True, None)
    return StageDecision(False, SkipReason.ALREADY_LATER)


def resolve_stage(stages: Sequence[StageInfo], ref: str) -> StageInfo:
    """Finds a stage by id, or by name case-insensitively, or refuses with the valid names."""
    for stage in stages:
        if stage.id == ref:
            return stage
    folded = ref.strip().casefold()
    for stage in stages:
        if stage.name.casefold() == folded:
            return stage
    names = [s.name for s in sorted(stages, key=lambda s: s.position)]
    raise UnknownStage(
        f"unknown stage {ref!r}; valid stages: {', '.join(names)}", valid_stages=names
    )


def is_stalled(
    stage: StageInfo | None, last_activity_at: datetime, now: datetime, planned: bool = False
) -> bool:
    """An open stage with a limit stalls a company whose last activity is older than the limit,
    unless it is ``planned``: it has an open next step due today or later (the founder has a
    plan; an overdue step does not count)."""
    if planned or stage is None or stage.is_closed or stage.stall_after_days is None:
        return False
    return now - last_activity_at > timedelta(days=stage.stall_after_days)


def stall_days(
    stage: StageInfo | None, last_activity_at: datetime, now: datetime, planned: bool = False
) -> int:
    """Whole days since the last activity, for the board's "N d" badge (0 when not stalled)."""
    if not is_stalled(stage, last_activity_at, now, planned):
        return 0
    return (now - last_activity_at).days
