"""Counts in words: one row, two rows, one company, two companies."""

from __future__ import annotations

import pytest

from halcrm.domain.words import count


@pytest.mark.parametrize(
    ("n", "noun", "words"),
    [
        (0, "row", "0 rows"),
        (1, "row", "1 row"),
        (2, "row", "2 rows"),
        (1, "company", "1 company"),
        (3, "company", "3 companies"),
        (1, "stage change", "1 stage change"),
        (12000, "contact", "12,000 contacts"),
    ],
)
def test_count(n: int, noun: str, words: str) -> None:
    assert count(n, noun) == words
