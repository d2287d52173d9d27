"""Credentials verified a moment ago, remembered for a moment.

Looking a bearer token up is a database read on every request; under a burst of calls (an assistant
firing tool calls in parallel, a script) it was a fifth of a small call's cost. A verified credential
is kept for `seconds` (FRONTDESK_CREDENTIAL_CACHE_MS, default 50 ms) and never past its own expiry,
keyed by the SHA-256 of the secret (the secret itself is not kept). A revocation committed by this
process empties the cache before its next request (storage/revocations.py); one committed by another
process (the CLI, another server process) takes effect here within `seconds`. Refusals are not kept:
an unknown or revoked token is looked up each time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

from frontdesk.storage import revocations

T = TypeVar("T")
DEFAULT_SECONDS = 0.05
MAX_ENTRIES = 10_000


def seconds_from_env() -> float:
    raw = os.environ.get("FRONTDESK_CREDENTIAL_CACHE_MS")
    return DEFAULT_SECONDS if not raw else max(0.0, int(raw) / 1000)


class CredentialCache(Generic[T]):
    def __init__(self, clock: Callable[[], datetime], seconds: float | None = None) -> None:
        self.clock = clock
        self.seconds = seconds_from_env() if seconds is None else seconds
        # digest -> (what it verified to, kept until (monotonic), expires at (clock), revocation count)
        self._entries: dict[str, tuple[T, float, datetime | None, int]] = {}

    def get(self, digest: str) -> T | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        value, until, expires_at, seen = entry
        if (
            seen != revocations.count()
            or time.monotonic() >= until
            or (expires_at is not None and self.clock() >= expires_at)
        ):
            del self._entries[digest]
            return None
        return value

    def stamp(self) -> int:
        """Taken before the lookup: an answer read while a revocation committed is not kept."""
        return revocations.count()

    def put(self, digest: str, value: T, stamp: int, expires_at: datetime | None = None) -> None:
        if self.seconds <= 0 or stamp != revocations.count():
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.pop(next(iter(self._entries)))  # the oldest
        self._entries[digest] = (value, time.monotonic() + self.seconds, expires_at, stamp)
