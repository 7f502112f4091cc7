"""Idempotent writes as every way in asks for them (API.md, Idempotency).

A caller claims a key for its next write (``claiming``); the database writer keeps the key's
first answer in that write's transaction (``db/idempotency.py``) and answers a repeat from it
(``Replayed``). A guard's own bookkeeping writes ``unclaimed``, leaving the claim for the
handler's write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from halcrm.db.idempotency import Claim, IdempotencyKeyReused, Replayed, claiming, unclaimed

__all__ = ["Claim", "IdempotencyKeyReused", "Replayed", "claim", "claiming", "unclaimed"]

MAX_ROUTE = 300


def claim(
    project: Callable[[], str],
    route: str,
    key: str,
    body: bytes,
    status: int,
    encode: Callable[[Any], bytes],
) -> Claim:
    """The claim of a write: ``key`` kept per project and route, bound to the request's body
    (the same key with another body is refused), its answer sent again as ``status``."""
    return Claim(
        project=project,
        route=route[:MAX_ROUTE],
        key=key,
        fingerprint=hashlib.sha256(body).hexdigest(),
        status=status,
        encode=encode,
    )
