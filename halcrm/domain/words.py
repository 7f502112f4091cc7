"""Counts in words: "1 row", "2 rows", "1 company" (every message that counts uses this)."""

from __future__ import annotations

# Nouns whose plural is not the singular with an "s".
_PLURALS = {"company": "companies", "activity": "activities", "entry": "entries"}


def plural(noun: str) -> str:
    return _PLURALS.get(noun, noun + "s")


def count(n: int, noun: str) -> str:
    """``count(1, "row")`` is ``"1 row"``, ``count(2, "company")`` is ``"2 companies"``;
    thousands are grouped (``"12,000 rows"``)."""
    return f"{n:,} {noun if n == 1 else plural(noun)}"
