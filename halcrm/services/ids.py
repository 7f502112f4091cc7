"""Generated record ids: a short type prefix and random characters."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    """Returns an id such as ``co_5f3c9a0e7b1d24c8``."""
    return f"{prefix}_{secrets.token_hex(8)}"
