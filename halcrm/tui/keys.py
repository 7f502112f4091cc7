"""Key remaps from the config file, checked: two bindings of one screen may not share a key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding, BindingType
from textual.keys import _character_to_key

EVERYWHERE = "Everywhere"  # the app's own bindings, in force on every screen


def _keys(text: str) -> list[str]:
    return [
        _character_to_key(k.strip()) if len(k.strip()) == 1 else k.strip() for k in text.split(",")
    ]


def keymap_conflicts(
    sections: Iterable[tuple[str, Iterable[BindingType]]], keymap: Mapping[str, str]
) -> list[str]:
    """One line per key that a remap gives to two bindings of one screen (or of a screen and
    the app), e.g. ``key L is bound to both board.move_back and board.move_forward``."""
    groups = [
        (title, [b for b in bindings if isinstance(b, Binding)]) for title, bindings in sections
    ]
    everywhere = next((b for t, b in groups if t == EVERYWHERE), [])
    found: list[str] = []
    for title, bindings in groups:
        owners: dict[str, str] = {}
        for binding in bindings if title == EVERYWHERE else [*bindings, *everywhere]:
            for key in _keys(keymap.get(binding.id or "", binding.key)):
                other = owners.setdefault(key, binding.id or binding.action)
                mine = binding.id or binding.action
                if other != mine and (mine in keymap or other in keymap):
                    line = f"key {key} is bound to both {other} and {mine}"
                    if line not in found:
                        found.append(line)
    return found
