"""A list answer: ``{"items": [...], "next_cursor": ...}`` (API.md)."""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
