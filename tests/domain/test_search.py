"""How a search's text is read: each term must be found, a quoted phrase is one term."""

from __future__ import annotations

import pytest

from halcrm.domain.search import MOST_TERMS, terms


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("jane ann", ("jane", "ann")),
        ("  jane   ann ", ("jane", "ann")),
        ('"ann lee" acme', ("ann lee", "acme")),
        ("o'brien d'arc", ("o'brien", "d'arc")),  # an apostrophe is part of its word
        ('"unfinished phrase', ("unfinished phrase",)),
        ('"" "  " ', ()),  # nothing asked: everything matches
        ("", ()),
    ],
)
def test_terms(text: str, wanted: tuple[str, ...]) -> None:
    assert terms(text) == wanted


def test_a_query_asks_for_ten_terms_at_most() -> None:
    assert terms(" ".join(f"w{n}" for n in range(50))) == tuple(f"w{n}" for n in range(MOST_TERMS))
