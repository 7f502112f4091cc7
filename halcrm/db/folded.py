"""``folded(column)``: a column's text as ``domain.search.fold`` reads it (case and accents
ignored), in SQL, so the API's ``q`` finds "Núñez" for "nunez" as the board's filter does.

SQLite calls ``fold`` itself, registered on each connection (``db/engine.py``); PostgreSQL
lowers the text and translates the accented Latin letters ``fold`` takes to one ASCII letter
(``domain.search.ACCENTED``), the one map both are made from.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from halcrm.domain.search import ACCENTED, UNACCENTED, fold

# The name SQLite knows ``fold`` by.
SQLITE_FOLD = "halcrm_fold"


class folded(FunctionElement[str]):
    type = String()
    name = SQLITE_FOLD
    inherit_cache = True


@compiles(folded)
def _sqlite(element: folded, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_FOLD}({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _postgresql(element: folded, compiler: Any, **kw: Any) -> str:
    [text] = list(element.clauses)
    plain = func.translate(func.lower(text), literal(ACCENTED), literal(UNACCENTED))
    return str(compiler.process(plain, **kw))


def fold_value(value: object) -> object:
    """``fold`` for SQLite: a NULL (or any non-text) stays as it is."""
    return fold(value) if isinstance(value, str) else value
