"""Rate limits: in-memory token buckets per widget visitor and per public API key."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from halcrm.domain.errors import RateLimited
from halcrm.services.widget.inputs import WidgetBody

# Buckets of idle callers are dropped beyond this many keys, so a flood of visitor ids cannot
# grow memory without bound (a dropped bucket was full anyway, or nearly so).
MAX_KEYS = 50_000


@dataclass(frozen=True)
class RateLimit:
    """``rate`` requests a second on average, bursts of up to ``burst``; rate 0 turns it off."""

    rate: float
    burst: int

    @property
    def enabled(self) -> bool:
        return self.rate > 0 and self.burst > 0


class TokenBuckets:
    """One token bucket per key; a request takes a token or is refused with a wait time."""

    def __init__(
        self,
        limit: RateLimit,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[Hashable, tuple[float, float]] = {}

    def hit(self, key: Hashable, what: str) -> None:
        """Takes a token for ``key`` or raises ``RateLimited`` with ``Retry-After`` seconds."""
        if not self.limit.enabled:
            return
        now = self._clock()
        rate, burst = self.limit.rate, float(self.limit.burst)
        tokens, then = self._buckets.pop(key, (burst, now))
        tokens = min(burst, tokens + (now - then) * rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            wait = max(1, math.ceil((1.0 - tokens) / rate))
            raise RateLimited(
                f"too many requests for this {what}: {self.limit.rate:g} a second on average, "
                f"bursts of {self.limit.burst}; retry in {wait} s",
                retry_after=wait,
            )
        # Re-inserted at the end: the dict stays ordered from least to most recently used.
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > self._max_keys:
            self._prune()

    def _prune(self) -> None:
        for key in list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]


class Limits:
    """The server's rate limiters, shared by every request of one app."""

    def __init__(
        self, widget: RateLimit, api_key: RateLimit, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.widget = TokenBuckets(widget, clock)
        self.api_key = TokenBuckets(api_key, clock)

    def widget_call(self, body: WidgetBody) -> None:
        """Counts a widget call against its visitor (per project)."""
        project = body.app_id or body.project_id or ""
        self.widget.hit((project, body.visitor_id), "visitor")

    def api_key_call(self, key_id: str) -> None:
        self.api_key.hit(key_id, "API key")
