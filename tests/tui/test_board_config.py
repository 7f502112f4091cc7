"""The config file on the board: theme, compact cards, collapsed columns, key remaps, help."""

from __future__ import annotations

from pathlib import Path

import pytest

from halcrm.cli.board import run_board
from halcrm.config import EXAMPLE, BoardConfig, load_config
from halcrm.services.container import Services
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
        assert (await seeded.companies.get("acme")).stage == "Qualified"
        await pilot.press("L")  # the old key no longer moves
        await pilot.pause()
        assert (await seeded.companies.get("acme")).stage == "Qualified"
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


async def test_a_conflicting_remap_is_refused_naming_both_bindings(seeded: Services, clock) -> None:
    config = BoardConfig(keys={"board.move_back": "L"})
    app = HalcrmApp(seeded, seeded.bus, clock=clock, config=config)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)

        def refused() -> bool:
            return any(
                "key L is bound to both board.move_back and board.move_forward" in m
                or "key L is bound to both board.move_forward and board.move_back" in m
                for m in (str(n.message) for n in app._notifications)
            )

        await until(pilot, refused, "the refusal naming both bindings")
        assert app.keymap == {}
        await pilot.press("L")  # the default keys stay: L still moves forward
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "acme moved")


async def test_a_remapped_focus_lane_key_shows_in_the_strip(seeded: Services, clock) -> None:
    config = BoardConfig(keys={"board.focus_lane": "z"})
    app = HalcrmApp(seeded, seeded.bus, clock=clock, config=config)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: screen.figures.loaded > 0, "figures")
        assert "z: all" in str(screen.strip.border_title)
        assert "F: all" not in str(screen.strip.border_title)


async def test_view_toggles_are_kept_across_restarts(
    seeded: Services, clock, tmp_path: Path
) -> None:
    data = tmp_path / "board-data"
    app = HalcrmApp(seeded, seeded.bus, clock=clock, data_dir=data)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await pilot.press("f", "s", "c")  # focus strip off, stalled first, won/lost collapsed
        await pilot.pause()
        assert not screen.has_class("-focus-strip")
    assert (data / "board-view.json").exists()
    again = HalcrmApp(seeded, seeded.bus, clock=clock, data_dir=data)
    async with again.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        assert not screen.has_class("-focus-strip")
        assert screen.board.model.stalled_first
        assert screen.board.column("won").has_class("-collapsed")
        assert "stalled first" in str(screen.query_one("#status").render())


async def test_palette_screenshots_go_to_the_data_folder(
    seeded: Services, clock, tmp_path: Path
) -> None:
    data = tmp_path / "board-data"
    app = HalcrmApp(seeded, seeded.bus, clock=clock, data_dir=data)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        app.action_screenshot()
        await pilot.pause()
        shots = list((data / "screenshots").glob("*.svg"))
        assert len(shots) == 1
        assert any(str(shots[0]) in str(n.message) for n in app._notifications)


async def test_the_activity_panel_opens_wide_and_closes_when_the_terminal_shrinks(
    seeded: Services, clock
) -> None:
    app = HalcrmApp(seeded, seeded.bus, clock=clock)
    async with app.run_test(size=(200, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.has_class("-activity")
        await pilot.resize_terminal(160, 40)
        await until(pilot, lambda: not screen.has_class("-activity"), "panel closed")
        await pilot.resize_terminal(200, 40)
        await until(pilot, lambda: screen.has_class("-activity"), "panel back")
    narrow = HalcrmApp(seeded, seeded.bus, clock=clock)
    async with narrow.run_test(size=(160, 45)) as pilot:
        screen = await ready(pilot)
        assert not screen.has_class("-activity")  # the board gets the room
