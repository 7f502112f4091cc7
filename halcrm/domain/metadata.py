"""Key-by-key metadata merges (a ``null`` value deletes the key) and the limits on metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from halcrm.domain.errors import InvalidRequest

# Close to Intercom's custom-attribute limits, generous enough for product analytics payloads.
MAX_KEYS = 100
MAX_KEY_LENGTH = 190
MAX_STRING_LENGTH = 10_000
MAX_DEPTH = 3


def merge(current: Mapping[str, Any] | None, patch: Mapping[str, Any]) -> dict[str, Any]:
    """Returns ``current`` with ``patch`` merged in one level deep; ``None`` deletes a key."""
    merged = dict(current or {})
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def merge_checked(
    current: Mapping[str, Any] | None, patch: Mapping[str, Any], *, field: str
) -> dict[str, Any]:
    """Merges like :func:`merge`, refusing a result over the key limit."""
    merged = merge(current, patch)
    check_merged(merged, field=field)
    return merged


def check(value: Mapping[str, Any], *, field: str) -> None:
    """Refuses metadata over the documented limits, naming the limit.

    Every level is held to the same limits (keys per object, key length, list length, string
    length), and objects and lists nest at most ``MAX_DEPTH`` levels.
    """
    _check_level(value, field, 1)


def check_merged(value: Mapping[str, Any], *, field: str) -> None:
    """Refuses a merge whose result would hold more keys than allowed."""
    if len(value) > MAX_KEYS:
        raise InvalidRequest(
            f"{field} would hold more than {MAX_KEYS} keys after this merge", field=field
        )


def _check_level(value: Any, field: str, depth: int) -> None:
    if isinstance(value, Mapping):
        if depth > MAX_DEPTH:
            raise InvalidRequest(f"{field} is nested deeper than {MAX_DEPTH} levels", field=field)
        if len(value) > MAX_KEYS:
            where = "" if depth == 1 else " (in a nested object)"
            raise InvalidRequest(f"{field} has more than {MAX_KEYS} keys{where}", field=field)
        for key, item in value.items():
            if len(key) > MAX_KEY_LENGTH:
                raise InvalidRequest(
                    f"{field} has a key longer than {MAX_KEY_LENGTH} characters", field=field
                )
            _check_level(item, field, depth + 1)
    elif isinstance(value, list):
        if depth > MAX_DEPTH:
            raise InvalidRequest(f"{field} is nested deeper than {MAX_DEPTH} levels", field=field)
        if len(value) > MAX_KEYS:
            raise InvalidRequest(f"{field} has a list longer than {MAX_KEYS} items", field=field)
        for item in value:
            _check_level(item, field, depth + 1)
    elif isinstance(value, str) and len(value) > MAX_STRING_LENGTH:
        raise InvalidRequest(
            f"{field} has a value longer than {MAX_STRING_LENGTH} characters", field=field
        )
