"""Idempotent writes: a key's first answer is stored with the write, in its transaction.

The HTTP layer names a write's key (``Idempotency-Key``, or a widget body's ``message_id``)
before the handler runs (``claiming``); the handler's next ``Database.write`` takes the claim
and runs its work between a lookup of the key and the storing of the answer, in one
transaction. So the answer is stored exactly when the write commits: a repeat finds it and is
answered from it, a crash in between leaves neither, and two repeats at once meet on the
table's unique key (one of them rolls back and runs again, and then finds the answer).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, select

from halcrm.db.tables import idempotency_keys
from halcrm.db.tx import Tx
from halcrm.domain.errors import Conflict

T = TypeVar("T")
KEEP_FOR = timedelta(hours=24)
# Expired keys are deleted by every this-many claimed writes of a process (a cheap indexed
# DELETE), so the table holds about a day of keys without a timer of its own.
CLEAN_EVERY = 500


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Claim:
    """One request's key: where it applies and how its answer is encoded.

    ``project`` names the request's project when its write starts, not when the request
    arrives: a public API key's project is known only once its guard has run."""

    project: Callable[[], str]
    route: str
    key: str
    fingerprint: str
    status: int
    encode: Callable[[Any], bytes]


class Replayed(Exception):
    """The key was used before: the first answer, to send again."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


_CLAIM: contextvars.ContextVar[Claim | None] = contextvars.ContextVar("halcrm_idem", default=None)


@contextmanager
def claiming(claim: Claim) -> Iterator[None]:
    """Makes ``claim`` the key of the next write in this task (the handler's)."""
    token = _CLAIM.set(claim)
    try:
        yield
    finally:
        _CLAIM.reset(token)


@contextmanager
def unclaimed() -> Iterator[None]:
    """Writes made inside are not the request's own (a guard's bookkeeping, such as an API
    key's last use): the claim stays for the handler's write."""
    token = _CLAIM.set(None)
    try:
        yield
    finally:
        _CLAIM.reset(token)


def take_claim() -> Claim | None:
    """The current request's claim, once: later writes of the same request are plain."""
    claim = _CLAIM.get()
    if claim is not None:
        _CLAIM.set(None)
    return claim


class Keys:
    """Wraps one call's work with its claim (one per database, counting for the clean-up)."""

    def __init__(self) -> None:
        self._claimed = 0

    def guard(self, work: Callable[[Tx], T], claim: Claim) -> Callable[[Tx], T]:
        self._claimed += 1
        clean = self._claimed % CLEAN_EVERY == 0
        project_id = claim.project()

        def run(tx: Tx) -> T:
            project = tx.snapshot(project_id).project
            params = {"project_pk": project.pk, "route": claim.route, "key": claim.key}
            found = tx.first(tx.lock(_FIND), params)
            if found is not None:
                fingerprint, status, body, created_at = found
                if created_at > tx.now - KEEP_FOR:
                    if fingerprint != claim.fingerprint:
                        raise IdempotencyKeyReused(
                            "this Idempotency-Key was used with another body"
                        )
                    raise Replayed(status, body)
                tx.execute(_FORGET, params)
            if clean:
                tx.execute(_EXPIRED, {"before": tx.now - KEEP_FOR})
            result = work(tx)
            tx.add(
                idempotency_keys,
                **params,
                fingerprint=claim.fingerprint,
                status=claim.status,
                body=claim.encode(result),
                created_at=tx.now,
            )
            return result

        return run


_TABLE: Any = idempotency_keys
_KEYS = _TABLE.c
_FIND = select(_KEYS.fingerprint, _KEYS.status, _KEYS.body, _KEYS.created_at).where(
    _KEYS.project_pk == bindparam("project_pk"),
    _KEYS.route == bindparam("route"),
    _KEYS.key == bindparam("key"),
)
_FORGET = delete(_TABLE).where(
    _KEYS.project_pk == bindparam("project_pk"),
    _KEYS.route == bindparam("route"),
    _KEYS.key == bindparam("key"),
)
_EXPIRED = delete(_TABLE).where(_KEYS.created_at < bindparam("before"))
