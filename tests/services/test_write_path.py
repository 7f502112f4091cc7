"""The fast write path: cached project settings and stages follow every change, and SQLite's
write-ahead log is folded into the database file while the app runs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from halcrm.db.tx import Tx
from halcrm.domain.errors import UnknownStage
from halcrm.runtime import Runtime
from halcrm.services.container import Services
from halcrm.services.crm.inputs import ProjectPatch, StagePatch
from halcrm.services.widget.inputs import Identify, IdentifyCompany, SetStage
from halcrm.settings import Settings


def _bytes(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


async def _identified(services: Services, visitor_id: str = "v1") -> str:
    answer = await services.widget.identify(
        Identify(
            app_id="local",
            visitor_id=visitor_id,
            email=f"{visitor_id}@acme.dev",
            company=IdentifyCompany(id=f"co-{visitor_id}", name="Acme"),
        )
    )
    assert answer.active_company_id is not None
    return answer.active_company_id


async def test_a_renamed_stage_is_known_by_its_new_name_at_once(services: Services):
    await _identified(services)
    first = await services.widget.set_stage(SetStage(app_id="local", visitor_id="v1", stage="Lead"))
    assert first.applied
    await services.stages.update("Qualified", StagePatch(name="Discovery"))

    moved = await services.widget.set_stage(
        SetStage(app_id="local", visitor_id="v1", stage="Discovery")
    )
    assert (moved.applied, moved.stage) == (True, "Discovery")
    with pytest.raises(UnknownStage):
        await services.widget.set_stage(
            SetStage(app_id="local", visitor_id="v1", stage="Qualified")
        )


async def test_the_project_mode_applies_to_the_next_widget_call(services: Services):
    await _identified(services)
    await services.widget.set_stage(SetStage(app_id="local", visitor_id="v1", stage="Proposal"))
    back = SetStage(app_id="local", visitor_id="v1", stage="Lead")
    assert not (await services.widget.set_stage(back)).applied  # advance_only by default

    await services.projects.update(ProjectPatch(stage_update_mode="exact"))

    again = await services.widget.set_stage(back)
    assert (again.applied, again.stage, again.mode) == (True, "Lead", "exact")


async def test_a_stage_change_that_rolls_back_leaves_no_trace_in_later_calls(
    services: Services,
):
    """A call that renames a stage, reads the pipeline again and then fails must not leave its
    renamed stage behind for the calls after it."""
    await _identified(services)

    def rename_then_fail(tx: Tx) -> None:
        project = tx.project("local")
        stage = next(s for s in tx.editable_stages(project) if s.name == "Lead")
        stage.name, stage.name_key = "Renamed", "renamed"
        assert "Renamed" in {s.name for s in tx.stages(project)}
        raise RuntimeError("refused after the rename")

    with pytest.raises(RuntimeError):
        await services.db.write(rename_then_fail)

    answer = await services.widget.set_stage(
        SetStage(app_id="local", visitor_id="v1", stage="Lead")
    )
    assert (answer.applied, answer.stage) == (True, "Lead")
    with pytest.raises(UnknownStage):
        await services.widget.set_stage(SetStage(app_id="local", visitor_id="v1", stage="Renamed"))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_the_log_is_folded_into_the_database_file_while_running(
    services: Services, runtime: Runtime, settings: Settings
):
    database = Path(settings.db)
    log = database.with_name(database.name + "-wal")
    before = _bytes(database)
    await asyncio.gather(*(_identified(services, f"v{i}") for i in range(300)))
    for _ in range(40):  # the checkpoint thread runs every half second
        if _bytes(database) > before:
            break
        await asyncio.sleep(0.1)
    assert _bytes(database) > before

    await runtime.close()
    # Closing folds in the rest and truncates the log: the folder holds one self-contained file.
    assert _bytes(log) == 0
