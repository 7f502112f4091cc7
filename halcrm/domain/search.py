"""What a search's text asks for: terms that must each be found, in any order. The board's
filter, its pickers and the API's ``q`` read a query the same way."""

from __future__ import annotations

import re

# A "quoted phrase" or a run of non-blanks (an apostrophe stays in its word: "o'brien").
_TERM = re.compile(r'"([^"]*)"?|(\S+)')
# A query's terms beyond these are not looked for (each is a condition on every row read).
MOST_TERMS = 10


def terms(text: str) -> tuple[str, ...]:
    """The terms of ``text``, each of which a match must contain: "jane ann" finds Ann's and
    Jane's company; a quoted phrase is one term; blanks alone ask for nothing."""
    found = (m.group(1) if m.group(1) is not None else m.group(2) for m in _TERM.finditer(text))
    return tuple(t for t in found if t.strip())[:MOST_TERMS]
