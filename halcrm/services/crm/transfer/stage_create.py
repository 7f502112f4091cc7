"""``--create-stages``: the stages a file names that the pipeline lacks, made in its order.

Open stages go in Pipedrive's own order: the order ``--stage-map`` gives when it names every
stage to create, else the order the file first names its stages (its export lists deals by
stage). A new stage goes before the next existing stage named after it in that order, else
after the last open stage; one created by an earlier batch keeps its place. "won"/"lost" names
become closed stages at the end. Each takes the win probability ``--stage-map 'Name:40'``
gives, else 100 for a won stage and 0 for the others (with a note saying how to give one).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from halcrm.db.models import Stage
from halcrm.domain.stages import StageKind
from halcrm.services.crm.transfer.deals import StageMapping
from halcrm.services.crm.transfer.plan import StageNames


@dataclass
class Creator:
    """Creates the stages of ``wanted`` (folded name -> name) the pipeline lacks."""

    session: Session
    project_pk: int
    stage_rows: list[Stage]
    names: StageNames
    mapping: StageMapping
    write: bool
    created: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ranks: dict[int, int] = field(default_factory=dict)  # id(created stage) -> its rank
    sequence: list[str] = field(default_factory=list)

    def create(self, wanted: dict[str, str], seen: Sequence[str] = ()) -> None:
        """Creates ``wanted`` (folded name -> name); ``seen`` is every stage the file names,
        in its order: a new stage goes before the next stage of the pipeline it names."""
        given = set(wanted) <= set(self.mapping.order)
        self.sequence = list(self.mapping.order if given else seen)
        for rank, key in enumerate(order(wanted, self.mapping)):
            ref = f"new:{key}"
            if ref in self.names.pk_by_id:
                continue
            name = wanted[key]
            kind = kind_of(name)
            self.created.append(name)
            probability = self.mapping.probabilities.get(key)
            if probability is None:
                probability = 100 if kind is StageKind.WON else 0
                if kind is StageKind.OPEN:
                    self.notes.append(
                        f"stage {name!r} created with a win probability of 0: give one with "
                        f"--stage-map '{name}:40'"
                    )
            if not self.write:
                self.names.pk_by_id[ref] = ref
                self.names.by_pk[ref] = (slug(name), name)
                continue
            self._add(ref, name, kind, probability, rank, key)

    def _add(
        self, ref: str, name: str, kind: StageKind, probability: int, rank: int, key: str
    ) -> None:
        stage = Stage(
            id=unique_slug(name, {s.id for s in self.stage_rows}),
            project_pk=self.project_pk,
            name=name,
            name_key=name.casefold(),
            position=0,
            kind=kind.value,
            probability=probability,
            stall_after_days=None,
        )
        self.ranks[id(stage)] = rank
        self.stage_rows.insert(self._place(kind, rank, key), stage)
        for position, row in enumerate(self.stage_rows):
            row.position = position
        self.session.add(stage)
        self.session.flush()
        self.names.pk_by_id[ref] = stage.pk
        self.names.by_pk[stage.pk] = (stage.id, stage.name)

    def _place(self, kind: StageKind, rank: int, key: str) -> int:
        """Where a new stage goes: closed ones at the end; an open one before the next stage
        of the pipeline the file names after it, else before the first closed stage, and
        always before a stage this import created that comes later in the order."""
        if kind is not StageKind.OPEN:
            return len(self.stage_rows)
        by_name = {stage.name.casefold(): n for n, stage in enumerate(self.stage_rows)}
        after = self.sequence[self.sequence.index(key) + 1 :] if key in self.sequence else []
        anchor = next((by_name[k] for k in after if k in by_name and k not in self._mine()), None)
        for n, stage in enumerate(self.stage_rows):
            later = self.ranks.get(id(stage), -1) > rank
            if stage.kind != StageKind.OPEN or later or n == anchor:
                return n
        return len(self.stage_rows)

    def _mine(self) -> set[str]:
        return {s.name.casefold() for s in self.stage_rows if id(s) in self.ranks}


def order(wanted: dict[str, str], mapping: StageMapping) -> Sequence[str]:
    """The folded names of ``wanted`` in the order --stage-map gives when it names them all,
    else in the order the file first names them."""
    if set(wanted) <= set(mapping.order):
        return [key for key in mapping.order if key in wanted]
    return list(wanted)


def kind_of(name: str) -> StageKind:
    words = set(re.split(r"[^a-z]+", name.casefold()))
    if "won" in words:
        return StageKind.WON
    if "lost" in words:
        return StageKind.LOST
    return StageKind.OPEN


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:50] or "stage"


def unique_slug(name: str, taken: set[str]) -> str:
    base = stage_id = slug(name)
    n = 2
    while stage_id in taken:
        stage_id, n = f"{base}-{n}", n + 1
    return stage_id
