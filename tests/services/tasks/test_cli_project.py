"""``halcrm project show|set``: the time zone and the stage hints from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from halcrm.cli.main import main


def test_project_set_and_show(
    tmp_path: Path, env_clean: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("HALCRM_DATA_DIR", str(tmp_path))
    db = str(tmp_path / "crm.db")
    args = ["project", "set", "--db", db, "--time-zone", "Pacific/Auckland"]
    assert main([*args, "--stage-hint", "plan-upgraded=proposal"]) == 0
    out, _ = capsys.readouterr()
    assert "time_zone\tPacific/Auckland" in out
    assert "stage_hint\tplan-upgraded -> Proposal" in out
    assert main(["project", "set", "--db", db, "--time-zone", "Mars/Base"]) == 1
    _, err = capsys.readouterr()
    assert "unknown time zone 'Mars/Base'" in err
    assert main(["project", "set", "--db", db, "--stage-hint", "x=Nope"]) == 1
    _, err = capsys.readouterr()
    assert "unknown stage 'Nope'" in err
    assert main(["project", "set", "--db", db, "--stage-hint", ""]) == 0
    assert main(["project", "show", "--db", db]) == 0
    out, _ = capsys.readouterr()
    assert "time_zone\tPacific/Auckland" in out
    assert "stage_hint" not in out
