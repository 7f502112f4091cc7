"""Rate limits: per widget visitor, per client address, per project and per public API key.

Each limit is a bucket kept by the generic cell rate algorithm (GCRA): one number per key, the
time at which the bucket is full again, so a check is one read and one write. A call checks
all its buckets at once and takes a token from each only when none is empty: a call refused
by one ceiling spends nothing from the others.

Two places keep the buckets: the process's memory (one server process), or Litestar's
``RedisStore`` when ``HALCRM_REDIS_URL`` is set, where one Lua script checks and takes every
bucket of a call atomically, so several worker processes share the limits exactly.

The visitor bucket is keyed by the project, the visitor id *and* the ``user_hash`` the call
carries: a caller who does not know a visitor's hash cannot spend that visitor's bucket (its
calls fill a bucket of their own, and the client-address and project ceilings bound those).
The project's ceiling is shared fairly: each client address may spend only its share of it
(``ADDRESS_SHARE``), so a few flooding addresses are refused before the others are.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from halcrm.domain.errors import RateLimited
from halcrm.services.widget.inputs import WidgetBody

log = logging.getLogger("halcrm.server.ratelimit")
# Buckets of idle callers are dropped beyond this many keys, so a flood of visitor ids cannot
# grow memory without bound (a dropped bucket was full anyway, or nearly so).
MAX_KEYS = 50_000
REDIS_NAMESPACE = "halcrm_rate"
# The part of a project's ceiling (rate and burst) one client address may spend.
ADDRESS_SHARE = 0.05


@dataclass(frozen=True)
class RateLimit:
    """``rate`` requests a second on average, bursts of up to ``burst``; rate 0 turns it off."""

    rate: float
    burst: int

    @property
    def enabled(self) -> bool:
        return self.rate > 0 and self.burst > 0


@dataclass(frozen=True)
class Bucket:
    key: str
    limit: RateLimit
    what: str  # named in the refusal: "visitor", "client address", "project", "API key"


class BucketStore(Protocol):
    async def take(self, buckets: Sequence[Bucket]) -> tuple[float, int]:
        """Takes a token from every bucket and answers ``(0, -1)``, or takes none and answers
        the seconds to wait and the index of the bucket that refused longest."""
        ...

    async def close(self) -> None: ...


class MemoryBuckets:
    """The buckets of one process, in a dict ordered from least to most recently used.

    Not Litestar's ``MemoryStore``: its lock yields to the loop on every get and set, which
    measured 44 µs per bucket here (a widget call checks three); these cost a few µs.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS):
        self._clock = clock
        self._max_keys = max_keys
        self._full_at: dict[str, float] = {}

    async def take(self, buckets: Sequence[Bucket]) -> tuple[float, int]:
        return self.take_now(buckets)

    def take_now(self, buckets: Sequence[Bucket]) -> tuple[float, int]:
        now = self._clock()
        wait, refused = 0.0, -1
        new: list[tuple[str, float]] = []
        for n, bucket in enumerate(buckets):
            interval = 1.0 / bucket.limit.rate
            full_at = max(self._full_at.get(bucket.key, now), now) + interval
            allowed_from = full_at - bucket.limit.burst * interval
            # A microsecond of slack: with a long interval (a slow bucket of burst 1) the
            # float sum and difference leave a residue that would refuse a full bucket.
            if allowed_from - now > max(wait, 1e-6):
                wait, refused = allowed_from - now, n
            new.append((bucket.key, full_at))
        if refused >= 0:
            return wait, refused
        for key, full_at in new:
            # Re-inserted at the end: the dict stays ordered by last use.
            self._full_at.pop(key, None)
            self._full_at[key] = full_at
        if len(self._full_at) > self._max_keys:
            for key in list(self._full_at)[: len(self._full_at) // 2]:
                del self._full_at[key]
        return 0.0, -1

    async def close(self) -> None:
        self._full_at.clear()


# KEYS: the buckets; ARGV: interval (µs) and burst for each. Redis's own clock, so every
# process agrees on the time. Answers {0, 0} (taken) or {wait in µs, refusing bucket (from
# 1)} with nothing taken.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = 0
local refused = 0
local full = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local at = tonumber(redis.call('GET', key) or now)
  if at < now then at = now end
  at = at + interval
  local from = at - burst * interval
  if from - now > wait then
    wait = from - now
    refused = i
  end
  full[i] = at
end
if refused > 0 then return {math.ceil(wait), refused} end
for i, key in ipairs(KEYS) do
  local ttl = math.ceil((full[i] - now) / 1000) + 1000
  redis.call('SET', key, string.format('%.0f', full[i]), 'PX', ttl)
end
return {0, 0}
"""


class RedisBuckets:
    """The buckets in Redis through Litestar's ``RedisStore`` (its client and namespace)."""

    def __init__(self, url: str, namespace: str = REDIS_NAMESPACE) -> None:
        from litestar.stores.redis import RedisStore

        self.store = RedisStore.with_client(url=url, namespace=namespace)
        # The store's own client: one connection pool for the store and the script.
        self._script: Any = self.store._redis.register_script(_GCRA)
        self._warned_at = -math.inf

    @property
    def client(self) -> Any:
        """The Redis client (the chat streams' leases share its connection pool)."""
        return self.store._redis

    async def take(self, buckets: Sequence[Bucket]) -> tuple[float, int]:
        keys = [self.store._make_key(bucket.key) for bucket in buckets]
        args: list[int] = []
        for bucket in buckets:
            args += [max(1, round(1_000_000 / bucket.limit.rate)), bucket.limit.burst]
        try:
            wait, refused = await self._script(keys=keys, args=args)
        except Exception as exc:  # Redis down: limits pause rather than the widget failing
            now = time.monotonic()
            if now - self._warned_at > 10:
                self._warned_at = now
                log.warning("rate limits paused, Redis does not answer: %s", exc)
            return 0.0, -1
        return int(wait) / 1_000_000, int(refused) - 1

    async def close(self) -> None:
        await self.store._shutdown()


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).hexdigest()


class Limits:
    """The server's rate limits, shared by every request of one app."""

    def __init__(
        self,
        widget: RateLimit,
        api_key: RateLimit,
        client: RateLimit = RateLimit(0, 0),
        project: RateLimit = RateLimit(0, 0),
        store: BucketStore | None = None,
        chat: RateLimit = RateLimit(0, 0),
    ) -> None:
        self.widget, self.api_key, self.client, self.project = widget, api_key, client, project
        self.chat = chat
        self.store: BucketStore = store if store is not None else MemoryBuckets()
        # One client address may spend this part of the project's ceiling, and is refused
        # there before it can drain the rest: a flood from a few addresses leaves the
        # project's other visitors their calls.
        self.address_share = RateLimit(
            project.rate * ADDRESS_SHARE, max(1, round(project.burst * ADDRESS_SHARE))
        )

    async def widget_call(self, body: WidgetBody, client_address: str | None) -> None:
        """Counts a widget call against its visitor, its client address and its project."""
        await self._take(self._widget_buckets(body, client_address, chat=False))

    async def chat_message(self, body: WidgetBody, client_address: str | None) -> None:
        """A chat message: the widget call's buckets and the visitor's chat bucket, at once
        (a person types far fewer messages than a page makes widget calls)."""
        await self._take(self._widget_buckets(body, client_address, chat=True))

    def _widget_buckets(
        self, body: WidgetBody, client_address: str | None, *, chat: bool
    ) -> list[Bucket]:
        # Only the limits that are on: a key is a hash, not worth making for nothing.
        project = body.app_id or body.project_id or ""
        buckets: list[Bucket] = []
        visitor = ""
        if self.widget.enabled or (chat and self.chat.enabled):
            visitor = _digest(project, body.visitor_id, body.user_hash or "")
        if self.widget.enabled:
            buckets.append(Bucket(f"v:{visitor}", self.widget, "visitor"))
        if self.client.enabled:
            buckets.append(Bucket(f"c:{client_address or '-'}", self.client, "client address"))
        if self.project.enabled:
            share = _digest(project, client_address or "-")
            what = "client address's share of the project"
            buckets.append(Bucket(f"s:{share}", self.address_share, what))
            buckets.append(Bucket(f"p:{_digest(project)}", self.project, "project"))
        if chat and self.chat.enabled:
            buckets.append(Bucket(f"m:{visitor}", self.chat, "visitor's chat"))
        return buckets

    async def api_key_call(self, key_id: str) -> None:
        await self._take([Bucket(f"k:{key_id}", self.api_key, "API key")])

    async def _take(self, buckets: list[Bucket]) -> None:
        live = [bucket for bucket in buckets if bucket.limit.enabled]
        if not live:
            return
        wait, refused = await self.store.take(live)
        if refused < 0:
            return
        seconds = max(1, math.ceil(wait))
        hit = live[refused]
        raise RateLimited(
            f"too many requests for this {hit.what}: {hit.limit.rate:g} a second on "
            f"average, bursts of {hit.limit.burst}; retry in {seconds} s",
            retry_after=seconds,
            limit=hit.what,
        )

    async def close(self) -> None:
        await self.store.close()
