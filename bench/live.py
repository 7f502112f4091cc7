"""Live figures: widget answer to card repainted at 500 signals/s; bare route, board vs headless."""

from __future__ import annotations

from pathlib import Path

from bench.table import Row, note

NOT_MERGED = "not measured yet: the board is not merged"


def measure(work: Path, runs: int) -> list[Row]:
    """Rows for the live figures (placeholders until the board lands on main)."""
    return [
        note("live: signal answered to card repainted, 500 signals/s", NOT_MERGED),
        note("live: /health throughput, board open / headless", NOT_MERGED),
    ]
