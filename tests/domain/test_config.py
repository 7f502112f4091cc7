"""The config file: defaults when missing, clear errors when broken, values when right."""

from __future__ import annotations

from pathlib import Path

import pytest

from halcrm.config import EXAMPLE, BoardConfig, ConfigError, load_config


def test_missing_file_gives_defaults(tmp_path: Path):
    config = load_config(tmp_path / "config.toml")
    assert config == BoardConfig(path=tmp_path / "config.toml")


def test_the_documented_example_loads(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE)
    config = load_config(path)
    assert config.theme == "textual-dark"
    assert config.collapsed_columns == ("lost",)
    assert config.stall_defaults == {"Lead": 14, "Proposal": 10}
    assert config.keys == {"board.move_back": "H,shift+left,b"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("theme = 3", "theme"),
        ("compact_cards = 'yes'", "compact_cards"),
        ("collapsed_columns = 'won'", "collapsed_columns"),
        ("[stall_defaults]\nLead = -1", "stall_defaults"),
        ("[keys]\nmove_left = ''", "keys"),
        ("colour = 'red'", "unknown setting"),
        ("not toml [", "config.toml"),
    ],
)
def test_broken_files_say_what_is_wrong(tmp_path: Path, text: str, message: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)
