"""Small statistics helpers for the bench: median and nearest-rank percentiles."""

from __future__ import annotations

import math
from collections.abc import Sequence


def median(values: Sequence[float]) -> float:
    """The median of ``values`` (the mean of the two middle ones for an even count).

    Raises:
        ValueError: when ``values`` is empty.
    """
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile ``pct`` (0-100] of ``values``, as wrk and most tools report it.

    Raises:
        ValueError: when ``values`` is empty or ``pct`` is out of range.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < pct <= 100:
        raise ValueError(f"percentile {pct} is not in (0, 100]")
    ordered = sorted(values)
    rank = math.ceil(pct / 100 * len(ordered))
    return float(ordered[max(rank, 1) - 1])


def ratio(value: float, reference: float) -> float | None:
    """``value / reference``, or None when the reference is zero (nothing to compare to)."""
    return value / reference if reference else None
