"""A stages file (halcrm's ``export stages``) read and planned against a pipeline, in memory.

Each row is checked as the stages route checks a new stage (``StageCreate`` and the stall
rule), then matched: by id first (a stage keeps its id when it is renamed, so a renamed stage
is found again), else by name in any case, as every stage reference of halcrm is. A matched
stage that differs is edited, a missing one created, and each is put at its position; stages
the file does not name are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from halcrm.domain.errors import InvalidRequest
from halcrm.domain.stages import StageInfo, StageKind
from halcrm.services.crm.inputs import StageCreate, StagePatch
from halcrm.services.crm.stages import check_stall
from halcrm.services.crm.transfer.cells import unguard
from halcrm.services.crm.transfer.columns import normalise
from halcrm.services.crm.transfer.report import Rejection
from halcrm.services.validation import plain_reason

# The columns of ``halcrm export stages``; a file with the first three is a stages file.
FIELDS = ("id", "name", "kind", "position", "probability", "stall_after_days")
_MARKS = frozenset({"name", "kind", "probability"})
_KINDS = tuple(kind.value for kind in StageKind)
# Stage ids travel in URLs (/api/stages/{id}) and the widget's setStage: no spaces, no slash.
_ID = re.compile(r"[^\s/]{1,64}")


def fields_of(header: Sequence[str]) -> list[str] | None:
    """The stage field of each column ("" for one to ignore), or None when ``header`` is not a
    stages file's."""
    by_key = {normalise(name): name for name in FIELDS}
    found = [by_key.get(normalise(column), "") for column in header]
    return found if set(found) >= _MARKS else None


class Rejected(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class StageIn:
    """One row: the stage it defines, checked by the service layer's own shape and rules."""

    number: int
    id: str | None
    body: StageCreate

    @property
    def key(self) -> str:
        return self.body.name.casefold()


def read_row(number: int, cells: Sequence[str], fields: Sequence[str]) -> StageIn | None:
    """The row's stage, None for a blank row; :class:`Rejected` names the field at fault."""
    given: dict[str, str] = {}
    for name, cell in zip(fields, cells, strict=False):
        if name and name not in given:
            unguarded = unguard(cell)  # an export's formula guard taken off
            given[name] = cell.strip() if unguarded is None else unguarded
    if not any(given.values()):
        return None
    for name, value in given.items():
        if "\x00" in value:
            raise Rejected(name, "contains a NUL character")
    stage_id = given.get("id") or None
    if stage_id is not None and not _ID.fullmatch(stage_id):
        raise Rejected("id", "must be 1 to 64 characters, without spaces or '/'")
    if not given.get("kind"):
        raise Rejected("kind", f"must be {', '.join(_KINDS[:-1])} or {_KINDS[-1]}")
    data: dict[str, Any] = {"name": given.get("name", ""), "kind": given["kind"].casefold()}
    for name in ("position", "probability", "stall_after_days"):
        # Empty: the end of the pipeline, the kind's default odds (or as it is), no stall limit.
        data[name] = given.get(name, "").removesuffix("%").strip() or None
    try:
        body = msgspec.convert(data, StageCreate, strict=False)
        check_stall(body.kind, body.stall_after_days)
    except msgspec.ValidationError as exc:
        raise Rejected(*plain_reason(exc, {"kind": _KINDS})) from None
    except InvalidRequest as exc:  # the stall rule: its message names its field first
        where = str(exc.extra.get("field", "stall_after_days"))
        raise Rejected(where, exc.detail.removeprefix(f"{where} ")) from None
    return StageIn(number, stage_id, body)


@dataclass
class Step:
    """What one row does: the stage it edits (None: it creates one), and how."""

    row: StageIn
    stage: StageInfo | None
    changes: dict[str, Any] = field(default_factory=dict)
    moves: bool = False

    @property
    def status(self) -> str:
        if self.stage is None:
            return "new"
        return "updated" if self.changes or self.moves else "unchanged"


@dataclass
class Plan:
    steps: list[Step]
    rejected: list[Rejection]
    untouched: list[str]  # stages the file does not name, in board order


def plan(current: Sequence[StageInfo], rows: Sequence[StageIn]) -> Plan:
    """Matches ``rows`` to the pipeline ``current`` (in board order); rows that cannot apply
    are rejected, and the others planned without them."""
    rejected: list[Rejection] = []
    kept = _unique(rows, rejected)
    while True:
        steps = _match(current, kept)
        clashes = _clashes(current, steps)
        if not clashes:
            break
        rejected += clashes
        bad = {r.row for r in clashes}
        kept = [row for row in kept if row.number not in bad]
    _place(current, steps)
    named = {step.stage.id for step in steps if step.stage is not None}
    untouched = [stage.name for stage in current if stage.id not in named]
    return Plan(steps, sorted(rejected, key=lambda r: r.row), untouched)


def _unique(rows: Sequence[StageIn], rejected: list[Rejection]) -> list[StageIn]:
    """The rows whose id and name no earlier row has (a stage is defined once)."""
    ids: dict[str, int] = {}
    names: dict[str, int] = {}
    kept = []
    for row in rows:
        if row.id is not None and row.id in ids:
            reason = f"row {ids[row.id]} has the stage id {row.id!r} already"
            rejected.append(Rejection(row.number, "id", reason))
        elif row.key in names:
            reason = f"row {names[row.key]} names the stage {row.body.name!r} already"
            rejected.append(Rejection(row.number, "name", reason))
        else:
            if row.id is not None:
                ids[row.id] = row.number
            names[row.key] = row.number
            kept.append(row)
    return kept


def _match(current: Sequence[StageInfo], rows: Sequence[StageIn]) -> list[Step]:
    by_id = {stage.id: stage for stage in current}
    found: dict[int, StageInfo] = {}
    for row in rows:
        if row.id is not None and row.id in by_id:
            found[row.number] = by_id[row.id]
    claimed = {stage.id for stage in found.values()}
    by_name = {stage.name.casefold(): stage for stage in current}
    for row in rows:
        stage = by_name.get(row.key)
        if row.number not in found and stage is not None and stage.id not in claimed:
            found[row.number] = stage
            claimed.add(stage.id)
    return [Step(row, found.get(row.number), _changes(found.get(row.number), row)) for row in rows]


def _changes(stage: StageInfo | None, row: StageIn) -> dict[str, Any]:
    if stage is None:
        return {}
    body = row.body
    changes: dict[str, Any] = {}
    if body.name != stage.name:
        changes["name"] = body.name
    if body.kind != stage.kind:
        changes["kind"] = body.kind
    if body.probability is not None and body.probability != stage.probability:
        changes["probability"] = body.probability
    if body.stall_after_days != stage.stall_after_days:
        changes["stall_after_days"] = body.stall_after_days
    return changes


def _clashes(current: Sequence[StageInfo], steps: Sequence[Step]) -> list[Rejection]:
    """Rows whose name a stage the file does not name holds (its name stays)."""
    named = {step.stage.id for step in steps if step.stage is not None}
    held = {stage.name.casefold(): stage.name for stage in current if stage.id not in named}
    return [
        Rejection(step.row.number, "name", f"a stage named {held[step.row.key]!r} exists already")
        for step in steps
        if step.row.key in held
    ]


def _new_key(step: Step) -> str:
    return f"new:{step.row.number}"


def placed(steps: Sequence[Step]) -> list[Step]:
    """The rows with a position, in the order they are put there (lowest position first)."""
    with_position = [step for step in steps if step.row.body.position is not None]
    return sorted(with_position, key=lambda s: (s.row.body.position, s.row.number))


def _place(current: Sequence[StageInfo], steps: Sequence[Step]) -> None:
    """Marks the stages that must move: the moves are played as the stage rules play them
    (a stage taken out, put back at its position, the pipeline renumbered), rows by position."""
    order = [stage.id for stage in current]
    for step in placed(steps):
        position = step.row.body.position
        assert position is not None
        if step.stage is None:
            order.insert(min(position, len(order)), _new_key(step))
            continue
        at = order.index(step.stage.id)
        order.remove(step.stage.id)
        target = min(position, len(order))
        step.moves = target != at
        order.insert(target, step.stage.id)


def edits(current: Sequence[StageInfo], steps: Sequence[Step]) -> list[tuple[str, StagePatch]]:
    """The edits of matched stages, in an order where no rename takes a name still held by
    another stage: names that go round (A to B, B to A) pass through a provisional one."""
    names = {stage.id: stage.name.casefold() for stage in current}
    pending = [step for step in steps if step.changes and step.stage is not None]
    out: list[tuple[str, StagePatch]] = []
    while pending:
        free = next((s for s in pending if not _held(names, s)), None)
        if free is None:
            # Every pending rename waits for another: move one aside first.
            stuck = pending[0]
            assert stuck.stage is not None
            aside = _aside(names, stuck.stage.id)
            out.append((stuck.stage.id, StagePatch(name=aside)))
            names[stuck.stage.id] = aside.casefold()
            continue
        pending.remove(free)
        assert free.stage is not None
        out.append((free.stage.id, _patch(free.changes)))
        names[free.stage.id] = free.row.key
    return out


def _held(names: dict[str, str], step: Step) -> bool:
    assert step.stage is not None
    if "name" not in step.changes:
        return False
    return any(n == step.row.key and i != step.stage.id for i, n in names.items())


def _aside(names: dict[str, str], stage_id: str) -> str:
    taken = set(names.values())
    name, n = f"{stage_id} (renaming)", 2
    while name.casefold() in taken:
        name, n = f"{stage_id} (renaming {n})", n + 1
    return name


def _patch(changes: dict[str, Any]) -> StagePatch:
    patch = StagePatch()
    for name, value in changes.items():
        setattr(patch, name, value)
    return patch
