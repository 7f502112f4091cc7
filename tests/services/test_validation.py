"""The request shapes' validation errors in words: what the board's dialogs and an import say."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from halcrm.services.crm.inputs import StageCreate
from halcrm.services.validation import plain_reason


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"name": "x", "probability": 101}, "probability", "must be at most 100"),
        ({"name": "x", "stall_after_days": -1}, "stall_after_days", "must be at least 0"),
        ({"name": "x", "position": "two"}, "position", "must be a whole number"),
        ({"name": ""}, "name", "must not be empty"),
        ({"name": "x" * 101}, "name", "must be at most 100 characters"),
        ({"name": "x", "kind": "parked"}, "kind", "must be open, won or lost, not 'parked'"),
    ],
)
def test_plain_reason(data: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(msgspec.ValidationError) as refused:
        msgspec.convert(data, StageCreate, strict=False)
    assert plain_reason(refused.value, {"kind": ("open", "won", "lost")}) == (field, words)
