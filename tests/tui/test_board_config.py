"""The config file on the board: theme, compact cards, collapsed columns, key remaps, help."""

from __future__ import annotations

from pathlib import Path

import pytest

from halcrm.board_main import run_board
from halcrm.config import EXAMPLE, BoardConfig, load_config
from halcrm.services.facade import Services
from halcrm.settings import Settings
from halcrm.tui.app import HalcrmApp
from halcrm.tui.screens.help import HelpScreen
from halcrm.tui.widgets.column import COMPACT_HEIGHT
from tests.tui.helpers import column_of, ready, until


async def test_config_theme_compact_collapsed_and_a_remapped_key(seeded: Services, clock) -> None:
    config = BoardConfig(
        theme="textual-light",
        compact_cards=True,
        collapsed_columns=("Won", "lost"),
        keys={"board.move_forward": "x", "board.nonsense": "z"},
    )
    app = HalcrmApp(seeded, seeded.bus, clock=clock, config=config)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        assert app.theme == "textual-light"
        assert screen.board.column("lead").cards.card_height == COMPACT_HEIGHT
        assert screen.board.column("won").has_class("-collapsed")
        assert screen.board.column("lost").has_class("-collapsed")
        assert not screen.board.column("lead").has_class("-collapsed")
        await pilot.press("x")  # remapped "Move ▶": Acme, Lead -> Qualified
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "acme moved")
        assert (await seeded.company("acme")).stage == "Qualified"
        await pilot.press("L")  # the old key no longer moves
        await pilot.pause()
        assert (await seeded.company("acme")).stage == "Qualified"
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        keys = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "x                    Move ▶" in keys
        assert "board.move_forward" in keys


async def test_the_example_config_runs_the_board(seeded: Services, clock, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE)
    app = HalcrmApp(seeded, seeded.bus, clock=clock, config=load_config(path))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        assert screen.board.column("lost").has_class("-collapsed")
        await pilot.press("b")  # the example maps "board.move_back" to H, shift+left and b
        await until(pilot, lambda: column_of(app, "acme") == "", "acme back to Unstaged")


async def test_a_broken_config_ends_before_the_screen_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    folder = tmp_path / "config" / "halcrm"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text("[keys\n")
    settings = Settings(data_dir=tmp_path / "data", db=str(tmp_path / "x.db"), port=0)
    assert await run_board(settings) == 2
    err = capsys.readouterr().err
    assert "the config file cannot be used" in err
    assert str(folder / "config.toml") in err
    assert not (tmp_path / "x.db").exists()  # nothing opened, nothing written
