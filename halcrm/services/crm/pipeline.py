"""Stage writes: the one place a company's stage changes, audited whether applied or skipped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from halcrm.db.models import Company
from halcrm.db.project_cache import ProjectSnapshot
from halcrm.db.records import CompanyRow, of_model
from halcrm.db.tables import stage_changes
from halcrm.db.tx import ProjectKeys, Tx
from halcrm.domain.errors import UnknownStage
from halcrm.domain.events import EventKind
from halcrm.domain.money import from_cents
from halcrm.domain.stages import (
    SkipReason,
    Source,
    StageInfo,
    StageMode,
    decide,
    resolve_stage,
)
from halcrm.services.crm.records import StageResult
from halcrm.services.ids import new_id

MANUAL_SOURCES = frozenset({Source.BOARD, Source.ACCOUNT_API, Source.PUBLIC_API})


@dataclass(frozen=True)
class _Write:
    """What a stage write decided: the stages before, asked for and after, and why."""

    current: StageInfo | None
    requested: StageInfo | None
    new: StageInfo | None
    applied: bool
    reason: SkipReason | None
    unknown: str | None  # a name the project does not have (identify rule 7)

    @property
    def requested_name(self) -> str | None:
        return self.requested.name if self.requested else self.unknown


def _decide(
    pipeline: ProjectSnapshot,
    company: CompanyRow,
    ref: str | None,
    mode: StageMode,
    unknown_ok: bool,
) -> _Write:
    current = pipeline.by_pk.get(company.stage_pk) if company.stage_pk else None
    try:
        requested = resolve_stage(pipeline.infos, ref) if ref is not None else None
    except UnknownStage:
        if not unknown_ok:
            raise
        return _Write(current, None, current, False, SkipReason.UNKNOWN_STAGE, ref)
    if requested is None:
        # Clearing a stage is a manual correction; advance_only never moves a company backwards.
        applied = mode is StageMode.EXACT
        return _Write(current, None, None if applied else current, applied, None, None)
    decision = decide(current, requested, mode)
    new = requested if decision.applied else current
    return _Write(current, requested, new, decision.applied, decision.reason, None)


def apply_stage(
    tx: Tx,
    project: ProjectKeys,
    company: CompanyRow,
    ref: str | None,
    mode: StageMode,
    source: Source,
    note: str | None = None,
    *,
    also: Mapping[str, Any] | None = None,
    unknown_ok: bool = False,
) -> StageResult:
    """Writes a stage under ``mode`` and records the write (applied or skipped) and its event.

    Args:
        ref: The requested stage's id or name; ``None`` clears the stage (exact writes only).
        note: An optional reason stored with the audit row (e.g. why a deal was lost).
        also: Other columns of the company the caller changes, written in the same UPDATE.
        unknown_ok: An unknown ``ref`` is a skipped write (``unknown_stage``), not a refusal
            (identify rule 7).
    """
    pipeline = tx.snapshot(project.id)
    write = _decide(pipeline, company, ref, mode, unknown_ok)
    now = company_now(tx, company)
    _audit(tx, project, company, write, mode, source, note, now)
    changes: dict[str, Any] = {**(also or {}), "last_activity_at": now}
    if write.applied:
        changes.update(
            stage_pk=pipeline.pk_by_id[write.new.id] if write.new else None,
            last_stage_source=source.value,
            last_stage_at=now,
            updated_at=now,
        )
        if source in MANUAL_SOURCES:
            changes["stage_set_by_hand"] = True
    tx.update(CompanyRow, company.pk, **changes)
    result = StageResult(
        company_id=company.id,
        stage=write.new.name if write.new else None,
        previous_stage=write.current.name if write.current else None,
        requested_stage=write.requested_name,
        mode=mode.value,
        applied=write.applied,
        reason=write.reason.value if write.reason else None,
    )
    deal_cents = changes.get("deal_value_cents", company.deal_value_cents)
    tx.record(
        project,
        EventKind.STAGE_CHANGE,
        source.value,
        _summary(company, result),
        company,
        data={
            **{k: getattr(result, k) for k in result.__struct_fields__},
            "deal_value": from_cents(deal_cents),
            "note": note,
        },
        at=now,
    )
    return result


def company_now(tx: Tx, company: CompanyRow) -> datetime:
    """The time of a write to ``company``: never before the company's last one.

    The row is read under its lock, so it holds what the write before this one committed. A
    transaction that waited for that lock took its time before it, so the company's history,
    ordered by time, could otherwise show a write before the one it followed.
    """
    times = [t for t in (company.last_stage_at, company.last_activity_at) if t is not None]
    return max([tx.now, *times])


def _audit(
    tx: Tx,
    project: ProjectKeys,
    company: CompanyRow,
    write: _Write,
    mode: StageMode,
    source: Source,
    note: str | None,
    now: datetime,
) -> None:
    """The stage_changes row: every write, applied or skipped, with the names as they were."""
    current, requested, new = write.current, write.requested, write.new
    tx.add(
        stage_changes,
        id=new_id("sc"),
        project_pk=project.pk,
        company_pk=company.pk,
        from_stage_id=current.id if current else None,
        from_stage_name=current.name if current else None,
        requested_stage_id=requested.id if requested else None,
        requested_stage_name=write.requested_name,
        to_stage_id=new.id if new else None,
        to_stage_name=new.name if new else None,
        mode=mode.value,
        source=source.value,
        applied=write.applied,
        reason=write.reason.value if write.reason else None,
        note=note,
        created_at=now,
    )


def apply_stage_to(
    tx: Tx,
    project: ProjectKeys,
    company: Company,
    ref: str | None,
    mode: StageMode,
    source: Source,
    note: str | None = None,
) -> StageResult:
    """``apply_stage`` for a company the caller edits through the session: its changes are
    written first, and it reads the stage write back afterwards."""
    tx.session.flush()
    result = apply_stage(tx, project, of_model(CompanyRow, company), ref, mode, source, note)
    tx.session.refresh(company)
    return result


def _summary(company: CompanyRow, result: StageResult) -> str:
    target = result.requested_stage or "no stage"
    if result.applied:
        if result.previous_stage == result.stage:
            return f"{company.name} stays in {target}"
        return f"{company.name} moved {result.previous_stage or 'Unstaged'} → {target}"
    return f"{company.name}: {target} skipped ({result.reason or 'no change'})"
