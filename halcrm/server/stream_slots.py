"""A visitor's open chat streams counted across server processes, in Redis.

``ChatStreams`` counts the streams of its own process; with ``HALCRM_REDIS_URL`` set, several
worker processes each count theirs, so the per-visitor cap would be multiplied by the number of
workers. Here each open stream holds a lease in one Redis sorted set per (project, visitor):
the score is when the lease ends, a stream renews it while it is open and removes it when it
closes, and a process that died leaves leases that end on their own. One Lua script drops the
ended leases, counts the rest and adds the new one atomically, so every process agrees.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from typing import Any

log = logging.getLogger("halcrm.server.stream_slots")
REDIS_NAMESPACE = "halcrm_streams"

# KEYS: the visitor's set; ARGV: cap, lease (ms), lease id. Answers 1 (taken) or 0 (full).
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""

# KEYS: the visitor's set; ARGV: lease (ms), lease id. Extends a lease that still exists.
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
"""


class Lease:
    """One open stream's place in its visitor's set."""

    def __init__(self, key: str, lease_id: str) -> None:
        self.key = key
        self.id = lease_id
        self.renewed_at = time.monotonic()


class RedisSlots:
    """Per-visitor stream leases in Redis (a client shared with the rate limits)."""

    def __init__(self, client: Any, lease_seconds: float = 60.0) -> None:
        self._client = client
        self._acquire: Any = client.register_script(_ACQUIRE)
        self._renew: Any = client.register_script(_RENEW)
        self.lease_seconds = lease_seconds
        self._warned_at = -math.inf

    def _key(self, project_id: str, visitor_id: str) -> str:
        return f"{REDIS_NAMESPACE}:{len(project_id)}:{project_id}:{visitor_id}"

    async def acquire(self, project_id: str, visitor_id: str, cap: int) -> Lease | bool:
        """A lease, ``False`` when the visitor holds ``cap`` already, or ``True`` when Redis
        does not answer (the cap is then counted by this process alone, as limits pause)."""
        lease = Lease(self._key(project_id, visitor_id), secrets.token_hex(8))
        args = [cap, self._lease_ms, lease.id]
        try:
            taken = await self._acquire(keys=[lease.key], args=args)
        except Exception as exc:  # Redis down: the process's own count still holds
            self._warn(exc)
            return True
        return lease if int(taken) == 1 else False

    async def renew(self, lease: Lease) -> None:
        """Extends the lease once a third of it has passed (cheap to call on every line)."""
        if time.monotonic() - lease.renewed_at < self.lease_seconds / 3:
            return
        lease.renewed_at = time.monotonic()
        try:
            await self._renew(keys=[lease.key], args=[self._lease_ms, lease.id])
        except Exception as exc:
            self._warn(exc)

    async def release(self, lease: Lease) -> None:
        try:
            await self._client.zrem(lease.key, lease.id)
        except Exception as exc:  # the lease ends on its own
            self._warn(exc)

    @property
    def _lease_ms(self) -> int:
        return max(1, round(self.lease_seconds * 1000))

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at > 10:
            self._warned_at = now
            log.warning("chat stream caps counted per process, Redis does not answer: %s", exc)
