"""What a search's text asks for: terms that must each be found, in any order. The board's
filter, its pickers and the API's ``q`` read a query the same way."""

from __future__ import annotations

import re
import unicodedata

# A "quoted phrase" or a run of non-blanks (an apostrophe stays in its word: "o'brien").
_TERM = re.compile(r'"([^"]*)"?|(\S+)')
# A query's terms beyond these are not looked for (each is a condition on every row read).
MOST_TERMS = 10


def terms(text: str) -> tuple[str, ...]:
    """The terms of ``text``, each of which a match must contain: "jane ann" finds Ann's and
    Jane's company; a quoted phrase is one term; blanks alone ask for nothing."""
    found = (m.group(1) if m.group(1) is not None else m.group(2) for m in _TERM.finditer(text))
    return tuple(t for t in found if t.strip())[:MOST_TERMS]


def fold(text: str) -> str:
    """Case- and accent-insensitive text: "Zürich" and "ZURICH" both fold to "zurich"."""
    if text.isascii():  # most names and every email: nothing to decompose, casefold is lower
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _accents() -> tuple[str, str]:
    """The Latin letters ``fold`` takes to one other letter (É, é, ñ, Ø…), and what it takes
    them to: where a database has no ``fold`` of its own, it translates these."""
    pairs = [(c, fold(c)) for c in map(chr, range(0xC0, 0x250))]
    kept = [(c, f) for c, f in pairs if len(f) == 1 and f != c and f.isascii()]
    return "".join(c for c, _ in kept), "".join(f for _, f in kept)


ACCENTED, UNACCENTED = _accents()
