"""What the board's dialogs share: a frame that fits 80x24 and a line naming their keys."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Label

# Checked before a key is handed to the focused field: the focus moves at once, so the keys a
# fast typist sends right after Tab (in the same terminal read) land in the next field, not
# in the one Tab left.
FIELD_KEYS = [
    Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
    Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
]

# Written for a class named Dialog; each dialog replaces the name with its own.
DIALOG_CSS = """
Dialog { align: center middle; }
Dialog > Vertical {
    width: 72; max-width: 100%; height: auto; max-height: 100%;
    border: thick $primary; background: $surface; padding: 0 1;
}
Dialog .title { margin-bottom: 1; width: 100%; }
Dialog Input.line { height: 1; border: none; padding: 0 1; background: $boost; }
Dialog Input.line:focus { background: $primary-muted; }
Dialog #error { color: $error; height: auto; width: 100%; }
Dialog .keys { color: $text-muted; margin-top: 1; width: 100%; }
"""


def keys_line(*keys: tuple[str, str]) -> Label:
    """``ctrl+s save · esc cancel``: the dialog's keys, always in sight."""
    text = " · ".join(f"[b]{key}[/b] {what}" for key, what in keys)
    return Label(text, markup=True, classes="keys")
