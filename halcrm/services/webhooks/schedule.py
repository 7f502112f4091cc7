"""When a failed delivery is tried again, and when an endpoint gives up (API.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

# After the 1st, 2nd… failed attempt; after the last one the delivery is ``failed``.
RETRY_AFTER = (5.0, 5 * 60.0, 30 * 60.0, 2 * 3600.0, 5 * 3600.0, 10 * 3600.0, 10 * 3600.0)
DISABLE_AFTER = timedelta(days=5)
TIMEOUT_SECONDS = 10.0
# FOR TESTS ONLY: a comma-separated list of seconds replacing RETRY_AFTER, so a test sees the
# whole schedule run out in a second. Nothing else shortens the contract's schedule.
TEST_SCHEDULE_ENV = "HALCRM_TESTS_ONLY_WEBHOOK_RETRY_SECONDS"


def retry_after(env: Mapping[str, str] | None = None) -> tuple[float, ...]:
    text = (os.environ if env is None else env).get(TEST_SCHEDULE_ENV, "").strip()
    if not text:
        return RETRY_AFTER
    return tuple(float(part) for part in text.split(","))
