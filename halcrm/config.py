"""The user's ``config.toml``: board look, collapsed columns, stall defaults and key remaps."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_config_path

EXAMPLE = """\
# halcrm configuration. Every key is optional.
theme = "textual-dark"          # any Textual theme name
compact_cards = false           # one line per card instead of two
collapsed_columns = ["lost"]    # stage ids or names whose columns start collapsed
notify = ["chat", "due", "won"] # bell and desktop notification for these ([] for none)

[stall_defaults]                # days without activity before a deal stalls (new projects)
Lead = 14
Proposal = 10

[keys]                          # remap a binding by its id (`?` in the board lists them)
"board.move_back" = "H,shift+left,b"
"""


NOTIFY_KINDS = ("chat", "due", "won")


class ConfigError(ValueError):
    """The config file exists but cannot be used; the message says where and why."""


@dataclass(frozen=True)
class BoardConfig:
    theme: str | None = None
    compact_cards: bool = False
    collapsed_columns: tuple[str, ...] = ()
    stall_defaults: dict[str, int] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    # Terminal notifications (tui/notify.py): a visitor's chat, a next step due, a deal won.
    notify: tuple[str, ...] = ("chat", "due", "won")
    path: Path | None = None


def default_config_path() -> Path:
    return user_config_path("halcrm", appauthor=False) / "config.toml"


def load_config(path: Path | None = None) -> BoardConfig:
    """Reads the config file; a missing file is the defaults, a broken one a ConfigError."""
    path = path or default_config_path()
    if not path.exists():
        return BoardConfig(path=path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return parse_config(raw, path)


def parse_config(raw: Mapping[str, Any], path: Path | None = None) -> BoardConfig:
    where = str(path) if path else "config"
    known = {"theme", "compact_cards", "collapsed_columns", "stall_defaults", "keys", "notify"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}")
    theme = raw.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise ConfigError(f"{where}: theme must be a string")
    compact = raw.get("compact_cards", False)
    if not isinstance(compact, bool):
        raise ConfigError(f"{where}: compact_cards must be true or false")
    collapsed = raw.get("collapsed_columns", [])
    if not isinstance(collapsed, list) or not all(isinstance(c, str) for c in collapsed):
        raise ConfigError(f"{where}: collapsed_columns must be a list of stage ids or names")
    stall = raw.get("stall_defaults", {})
    if not isinstance(stall, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 3650 for v in stall.values()
    ):
        raise ConfigError(f"{where}: stall_defaults must map stage names to days (0-3650)")
    keys = raw.get("keys", {})
    if not isinstance(keys, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in keys.items()
    ):
        raise ConfigError(f"{where}: keys must map binding ids to key names")
    notify = raw.get("notify", list(NOTIFY_KINDS))
    if not isinstance(notify, list) or not all(n in NOTIFY_KINDS for n in notify):
        raise ConfigError(f"{where}: notify must be a list of {', '.join(NOTIFY_KINDS)}")
    return BoardConfig(
        theme=theme,
        compact_cards=compact,
        collapsed_columns=tuple(collapsed),
        stall_defaults={str(k): int(v) for k, v in stall.items()},
        keys=dict(keys),
        notify=tuple(notify),
        path=path,
    )
