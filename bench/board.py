"""Board figures: first paint, move-and-repaint and peak RSS at 1k, 10k and 50k companies."""

from __future__ import annotations

from pathlib import Path

from bench.table import Row, note

NOT_MERGED = "not measured yet: the board is not merged"


def measure(work: Path, runs: int) -> list[Row]:
    """Rows for the board figures (placeholders until the board lands on main)."""
    return [
        note("board first paint, 1k / 10k / 50k companies", NOT_MERGED),
        note("board move a card and repaint, 1k / 10k / 50k", NOT_MERGED),
        note("board peak RSS, 1k / 10k / 50k", NOT_MERGED),
    ]
