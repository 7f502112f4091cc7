"""``halcrm import|export|backup`` as a user types them: output, exit codes, files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from halcrm.cli.data_import import _Bar
from halcrm.cli.main import main
from tests.services.transfer.helpers import HUBSPOT_COMPANIES, HUBSPOT_DEALS, write_csv


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env_clean: None) -> Path:
    monkeypatch.setenv("HALCRM_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_import_dry_run_then_partial(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(home / "companies.csv", HUBSPOT_COMPANIES)
    assert main(["import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "(dry run, nothing written)" in out
    assert "companies: 2 new, 0 updated, 0 unchanged" in out
    assert "row 4, column 'Create Date': '2024-13-45' is not a date" in out

    assert main(["import", str(path)]) == 1
    captured = capsys.readouterr()
    assert "nothing was imported: 1 row rejected" in captured.err
    assert "█" not in captured.err  # no progress bar when stderr is not a terminal

    assert main(["import", str(path), "--partial", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["applied"] is True
    assert report["companies"] == {"new": 2, "updated": 0, "unchanged": 0}
    assert report["rejected"] == [
        {"row": 4, "column": "Create Date", "reason": "'2024-13-45' is not a date "
         "(use 2026-11-27 or 2026-11-27T12:00:00Z)"}
    ]  # fmt: skip


def test_import_options_and_refusals(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deals = write_csv(home / "deals.csv", HUBSPOT_DEALS)
    assert (
        main(
            ["import", str(deals), "--create-stages", "--map", "Pipeline=company.metadata.pipeline"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "stages created: Appointment Scheduled" in out
    assert main(["import", str(deals), "--map", "Pipeline=nowhere"]) == 2
    assert "must be company.FIELD" in capsys.readouterr().err
    assert main(["import", str(home / "missing.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err
    empty = home / "empty.csv"
    empty.write_text("")
    assert main(["import", str(empty)]) == 2
    assert "is empty" in capsys.readouterr().err


def test_export_to_stdout_and_to_a_file(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["import", str(write_csv(home / "deals.csv", HUBSPOT_DEALS)), "--partial"])
    capsys.readouterr()
    assert main(["export", "companies"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,name,domain,industry,stage,deal_value")
    assert len(lines) == 3
    target = home / "contacts.json"
    assert main(["export", "contacts", "--format", "json", "-o", str(target)]) == 0
    assert json.loads(target.read_text()) == []
    assert not (home / "contacts.json.partial").exists()


def test_export_stages(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "stages"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id,name,kind,position,probability,stall_after_days"
    assert lines[1:] == [
        "lead,Lead,open,0,10,14", "qualified,Qualified,open,1,25,14",
        "proposal,Proposal,open,2,50,10", "negotiation,Negotiation,open,3,75,7",
        "won,Won,won,4,100,", "lost,Lost,lost,5,0,",
    ]  # fmt: skip
    target = home / "stages.json"
    assert main(["export", "stages", "--format", "json", "-o", str(target)]) == 0
    assert "halcrm: stages written to" in capsys.readouterr().err
    assert [s["kind"] for s in json.loads(target.read_text())][-2:] == ["won", "lost"]


def test_import_a_stages_file(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        ["id", "name", "kind", "position", "probability", "stall_after_days"],
        ["negotiation", "Closing", "open", "3", "80", "3"],
        ["", "Parked", "lost", "6", "0", ""],
        ["", "Trial", "open", "2", "140", ""],
    ]
    path = write_csv(home / "stages.csv", rows)
    assert main(["import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "stages.csv: 3 rows (dry run, nothing written)" in out
    assert "  stages: 1 new, 1 updated, 0 unchanged" in out
    assert "  left as they are (not in the file): Lead, Qualified, Proposal, Won, Lost" in out
    assert "row 4, column 'probability': must be at most 100" in out
    assert "companies:" not in out
    assert main(["import", str(path)]) == 1
    assert "nothing was imported: 1 row rejected" in capsys.readouterr().err
    assert main(["import", str(path), "--partial"]) == 0
    capsys.readouterr()
    assert main(["export", "stages"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[4:] == [
        "negotiation,Closing,open,3,80,3", "won,Won,won,4,100,", "lost,Lost,lost,5,0,",
        "parked,Parked,lost,6,0,",
    ]  # fmt: skip


def test_backup_goes_to_the_data_folder(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["import", str(write_csv(home / "deals.csv", HUBSPOT_DEALS)), "--partial"])
    capsys.readouterr()
    assert main(["backup"]) == 0
    out = capsys.readouterr().out
    copies = list((home / "data" / "backups").glob("halcrm-*.db"))
    assert len(copies) == 1
    assert f"backup written to {copies[0]}" in out
    assert "2 companies" in out
    assert main(["backup", str(home)]) == 0  # a folder: a dated file in it
    assert len(list(home.glob("halcrm-*.db"))) == 1


def test_one_row_and_one_company_are_said_in_the_singular(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = write_csv(home / "one.csv", [["Company name", "Deal Stage"], ["Acme", "Nowhere"]])
    assert main(["import", str(one)]) == 1
    captured = capsys.readouterr()
    assert "one.csv: 1 row (not imported)" in captured.out
    assert "  rejected: 1 row\n" in captured.out
    assert "nothing was imported: 1 row rejected (fix them" in captured.err
    assert main(["import", str(one), "--create-stages"]) == 0
    assert "one.csv: 1 row (imported)" in capsys.readouterr().out
    assert main(["backup"]) == 0
    out = capsys.readouterr().out
    assert "1 company, 0 contacts, 0 links, 1 stage change, " in out
    assert "1 companies" not in out


def test_the_progress_bar_draws_on_a_terminal_only() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = _Bar(screen)
    bar("importing", 50, 100)
    bar.end()
    assert "importing" in screen.getvalue()
    assert "50%" in screen.getvalue()
    piped = io.StringIO()
    _Bar(piped)("importing", 50, 100)
    assert piped.getvalue() == ""
