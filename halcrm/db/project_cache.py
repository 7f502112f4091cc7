"""Projects and their stages, kept between transactions: every widget call needs both.

A project's settings and pipeline change rarely and only through the services, which record a
``project_updated`` or ``stages_changed`` event when they do; recording one bumps the generation
here, so the next reader loads afresh. A snapshot loaded while a change was in flight carries
the older generation and is never served (several PostgreSQL writers can overlap that way).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from halcrm.db.models import Project, Stage
from halcrm.domain.stages import StageInfo, StageKind


def stage_info(stage: Stage) -> StageInfo:
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
    """A project and its stages as committed; shared between threads, so never modified."""

    project: Project
    stages: tuple[Stage, ...]
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


class ProjectCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._snapshots: dict[str, tuple[int, ProjectSnapshot]] = {}

    @property
    def generation(self) -> int:
        return self._generation

    def get(self, project_id: str) -> ProjectSnapshot | None:
        found = self._snapshots.get(project_id)
        if found is None or found[0] != self._generation:
            return None
        return found[1]

    def put(self, project_id: str, generation: int, snapshot: ProjectSnapshot) -> None:
        """Keeps a snapshot loaded at ``generation`` unless something changed since."""
        with self._lock:
            if generation == self._generation:
                self._snapshots[project_id] = (generation, snapshot)

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._snapshots.clear()
