"""Validation errors of the request shapes, in words for people (the board, an import report)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import msgspec

# msgspec's messages name the type ("Expected `int` <= 100"); people read "must be at most 100".
PLAIN = (
    (re.compile(r"Expected `int` <= (\d+)"), "must be at most {0}"),
    (re.compile(r"Expected `int` >= (\d+)"), "must be at least {0}"),
    (re.compile(r"Expected `str` of length <= (\d+)"), "must be at most {0} characters"),
    (re.compile(r"Expected `str` of length >= 1\b"), "must not be empty"),
    (re.compile(r"Expected `str` of length >= (\d+)"), "must be at least {0} characters"),
    (re.compile(r"Expected `int"), "must be a whole number"),
)
_ENUM = re.compile(r"Invalid enum value (.+?) - at")


def plain_reason(
    error: msgspec.ValidationError, choices: Mapping[str, Sequence[str]] | None = None
) -> tuple[str, str]:
    """The field an error is about and what is wrong with it: ``("probability", "must be at
    most 100")``. ``choices`` names a field's allowed values, for an enum's message."""
    text = str(error)
    where = re.search(r"at `\$\.(\w+)`", text)
    field = where.group(1) if where else ""
    allowed = (choices or {}).get(field)
    found = _ENUM.search(text)
    if found and allowed:
        return field, f"must be {', '.join(allowed[:-1])} or {allowed[-1]}, not {found.group(1)}"
    for pattern, words in PLAIN:
        match = pattern.search(text)
        if match:
            return field, words.format(*match.groups())
    return field, "is not valid"
