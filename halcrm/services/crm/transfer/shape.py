"""A file's columns compiled once: what each row's cells are checked against, without a call
per cell in the common case.

A row of 100,000 is built by the check (a strict import's second pass reads it back from the
``spool``; a partial import or a dry run builds it there), so the per-cell work is a large
share of an import's time. For each mapped column the shape holds its position, its target
and the API's limits on it (``cells.LIMITS``); a plain cell (no formula guard, no NUL, within
the limits, no invisible characters to drop from a name) is taken as it is, stripped. Any
other cell goes the general way (``slow``), which gives the same value or refuses it with the
same reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from halcrm.services.crm.transfer.cells import LIMITS
from halcrm.services.crm.transfer.columns import Mapping_

# Names lose invisible characters (zero-width spaces and joiners, direction marks, soft
# hyphens): they come in with copied text and make two names that look alike differ.
NAMES = frozenset(
    {"company.name", "contact.name", "contact.first_name", "contact.last_name", "deal.name"}
    | {"contact.company"}
)
# A domain is checked once parsed (``parse.domain``), not as written.
DOMAINS = frozenset({"company.domain", "company.website"})
_NO_LIMIT = 1 << 62

Column = tuple[int, str, bool, int, int, re.Pattern[str] | None, bool]
"""(position, target, filled by several columns, longest, shortest, pattern, a name)."""


@dataclass(frozen=True)
class Shape:
    """One mapping's columns as rows are read with it."""

    columns: tuple[Column, ...]
    targets: frozenset[str]
    company_meta: tuple[tuple[str, str], ...]  # (target, metadata key) of company.metadata.*
    contact_meta: tuple[tuple[str, str], ...]
    company_rare: bool  # a time or placeholder flag column of the company


def _column(index: int, target: str, repeat: bool) -> Column:
    limit = LIMITS.get("" if target in DOMAINS else target)
    longest = shortest = 0
    pattern = None
    if limit is not None:
        longest = _NO_LIMIT if limit.max_length is None else limit.max_length
        shortest = limit.min_length
        pattern = limit.pattern
    else:
        longest = _NO_LIMIT
    return (index, target, repeat, longest, shortest, pattern, target in NAMES)


@lru_cache(maxsize=32)
def shape_of(mapping: Mapping_) -> Shape:
    fields = mapping.fields
    columns = tuple(
        _column(index, target, fields.count(target) > 1)
        for index, target in enumerate(fields)
        if target
    )
    targets = frozenset(t for t in fields if t)

    def meta(record: str) -> tuple[tuple[str, str], ...]:
        prefix = f"{record}.metadata."
        return tuple((t, t[len(prefix) :]) for t in fields if t.startswith(prefix))

    rare = not targets.isdisjoint(_RARE)
    return Shape(columns, targets, meta("company"), meta("contact"), rare)


_RARE = frozenset({"company.created_at", "company.last_activity_at", "company.is_placeholder"})


def read(
    cells: Sequence[str], columns: tuple[Column, ...], slow: Callable[[str, str], str]
) -> dict[str, str]:
    """The row's non-blank cells by target, each checked (``slow`` for any unusual cell: it
    answers the same value, or refuses the cell)."""
    given: dict[str, str] = {}
    count = len(cells)
    for index, target, repeat, longest, shortest, pattern, name in columns:
        if index >= count:
            break
        value = cells[index]
        if not value or value.isspace() or (repeat and target in given):
            continue
        if value[0] == "'" or "\x00" in value:
            given[target] = slow(target, value)
            continue
        value = value.strip()
        size = len(value)
        if (
            size > longest
            or size < shortest
            or (name and not value.isascii())
            or (pattern is not None and pattern.search(value) is None)
        ):
            given[target] = slow(target, cells[index])
            continue
        given[target] = value
    return given
