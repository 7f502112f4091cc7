"""The board's view toggles, kept across restarts in ``board-view.json`` in the data folder."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

log = logging.getLogger("halcrm.tui")

FILE = "board-view.json"


@dataclass
class ViewState:
    """What the user toggled; ``None`` means "as the config file and the screen size say"."""

    focus_strip: bool = True
    stalled_first: bool = False
    stalled_only: bool = False
    activity: bool | None = None
    collapsed: list[str] | None = None
    path: Path | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, data_dir: Path | None) -> ViewState:
        """The saved toggles; a missing or unreadable file is the defaults (never an error)."""
        path = data_dir / FILE if data_dir is not None else None
        state = cls(path=path)
        if path is None or not path.exists():
            return state
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("board view: %s unreadable, using the defaults", path)
            return state
        if isinstance(raw, dict):
            for f in fields(cls):
                value = raw.get(f.name)
                if f.name != "path" and _fits(f.name, value):
                    setattr(state, f.name, value)
        return state

    def save(self) -> None:
        """Writes the toggles (quietly: a read-only data folder only loses the memory)."""
        if self.path is None:
            return
        data = {k: v for k, v in asdict(self).items() if k != "path"}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            log.warning("board view not saved: %s", exc)


def _fits(name: str, value: Any) -> bool:
    if name == "collapsed":
        return value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    if name == "activity":
        return value is None or isinstance(value, bool)
    return isinstance(value, bool)
