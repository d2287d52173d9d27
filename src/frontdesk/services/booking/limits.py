"""Rate limits of the public booking flow, per IP (within a practice) and per practice, per minute
(policies.publicRequestsPerMinuteIp / ...Practice). Counted in memory, or in Redis when
FRONTDESK_REDIS_URL is set so several processes share the counts: the same `limits` library and
storage the HTTP layer's limiter uses."""

from __future__ import annotations

import logging
import math
import os
import time

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)


def storage_from_env() -> Storage:
    """Redis at FRONTDESK_REDIS_URL, its keys under FRONTDESK_RATE_KEY_PREFIX (default frontdesk)
    + "-public": deployments sharing one Redis keep apart by prefix. Else memory (one process)."""
    url = os.environ.get("FRONTDESK_REDIS_URL", "").strip()
    if url:
        uri = url if url.startswith("async+") else f"async+{url}"
        prefix = os.environ.get("FRONTDESK_RATE_KEY_PREFIX", "").strip() or "frontdesk"
        return RedisStorage(uri, implementation="redispy", key_prefix=f"{prefix}-public")
    return MemoryStorage()


class PublicLimiter:
    def __init__(self, storage: Storage | None = None) -> None:
        self.limiter = MovingWindowRateLimiter(storage or storage_from_env())

    async def hit(self, practice_id: int, ip: str, per_ip: int, per_practice: int) -> int:
        """0 when the request may go ahead, else the seconds until it may be retried."""
        checks = (
            (RateLimitItemPerMinute(per_ip), ("ip", str(practice_id), ip)),
            (RateLimitItemPerMinute(per_practice), ("practice", str(practice_id))),
        )
        try:
            for item, key in checks:
                if not await self.limiter.hit(item, *key):
                    stats = await self.limiter.get_window_stats(item, *key)
                    return max(1, math.ceil(stats.reset_time - time.time()))
        except Exception:  # the store is down: serve rather than refuse everyone
            log.warning("public rate limiter unavailable; request let through", exc_info=True)
        return 0
