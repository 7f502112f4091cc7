"""Projects and their stages kept between calls, checked against the database on every call.

Every widget call needs its project's settings and pipeline. They are kept in memory, but
never trusted on their own: each call reads the project's ``generation`` (one indexed row) and
uses the kept snapshot only when it was loaded at that generation. Database triggers
(migration 0003) give the project a new generation in the same transaction as any change to
its settings or its stages, so a change committed by any process, through any
code path, is in force on the very next call everywhere. Generations are never reused (a
sequence on PostgreSQL, a random 64-bit value on SQLite), so a snapshot read inside a
transaction that later rolled back carries a generation no committed row will ever have again:
this memory cannot drift from the database.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from halcrm.db.records import ProjectRow, StageRow
from halcrm.domain.stages import StageInfo, StageKind


def stage_info(stage: StageRow) -> StageInfo:
    return StageInfo(
        id=stage.id,
        name=stage.name,
        position=stage.position,
        kind=StageKind(stage.kind),
        probability=stage.probability,
        stall_after_days=stage.stall_after_days,
    )


@dataclass(frozen=True)
class ProjectSnapshot:
    """A project and its stages as read at one generation; shared between threads, read-only."""

    project: ProjectRow
    stages: tuple[StageRow, ...]
    infos: tuple[StageInfo, ...] = field(init=False)
    by_pk: dict[int, StageInfo] = field(init=False)
    pk_by_id: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        infos = tuple(stage_info(s) for s in self.stages)
        object.__setattr__(self, "infos", infos)
        object.__setattr__(
            self, "by_pk", {s.pk: i for s, i in zip(self.stages, infos, strict=True)}
        )
        object.__setattr__(self, "pk_by_id", {s.id: s.pk for s in self.stages})

    @property
    def generation(self) -> int:
        return self.project.generation


class ProjectCache:
    """The newest snapshot seen of each project, by project id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshots: dict[str, ProjectSnapshot] = {}

    def get(self, project_id: str, generation: int) -> ProjectSnapshot | None:
        found = self._snapshots.get(project_id)
        if found is None or found.generation != generation:
            return None
        return found

    def newest(self, project_id: str) -> ProjectSnapshot | None:
        """The snapshot kept, whatever its generation (to be checked by the caller)."""
        return self._snapshots.get(project_id)

    def forget(self, project_id: str) -> None:
        with self._lock:
            self._snapshots.pop(project_id, None)

    def put(self, project_id: str, snapshot: ProjectSnapshot) -> None:
        with self._lock:
            self._snapshots[project_id] = snapshot
