"""The job queue's one interface: `enqueue` inside the caller's transaction (a booking and its
reminders commit together or not at all), `claim` with a lease, `complete`, `fail` (exponential
backoff with full jitter, dead after `max_attempts`), `stats` for /health.

Written here rather than adopted: procrastinate and pgqueuer are PostgreSQL only, huey is not async,
arq needs Redis; Frontdesk's default is one SQLite file. The whole queue is two tables and this module.
Every time comes from the injected clock, so tests move it (leases running out, backoff, due times)."""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.services.context import Clock
from frontdesk.services.usecase import UseCases
from frontdesk.storage.repositories import jobs as repo
from frontdesk.storage.repositories.jobs import QueueStats

__all__ = ["ClaimedJob", "Finish", "JobQueue", "QueueStats", "backoff"]

# Writes to commit with a job's completion (a worker's handler may return them).
Finish = Callable[[AsyncSession, datetime], Awaitable[None]]
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)


def backoff(
    attempt: int, rng: random.Random, base: timedelta = BASE_DELAY, cap: timedelta = MAX_DELAY
) -> timedelta:
    """Full jitter (AWS's "exponential backoff and jitter"): uniform in [base/2, min(cap, base*2^(n-1))],
    so many jobs failing together (the mail server down) do not all come back at the same moment."""
    ceiling = min(cap.total_seconds(), base.total_seconds() * 2 ** max(attempt - 1, 0))
    floor = min(base.total_seconds() / 2, ceiling)
    return timedelta(seconds=rng.uniform(floor, ceiling))


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: int
    practice_id: int
    kind: str
    payload: dict[str, Any]
    dedupe_key: str
    attempt: int  # 1 for the first run
    max_attempts: int
    subject_type: str | None
    subject_id: int | None


class JobQueue:
    def __init__(
        self,
        uc: UseCases,
        *,
        lease: timedelta = LEASE,
        rng: random.Random | None = None,
        base_delay: timedelta = BASE_DELAY,
    ) -> None:
        self.uc = uc
        self.db = uc.db
        self.clock: Clock = uc.clock
        self.lease = lease
        self.rng = rng or random.Random()
        self.base_delay = base_delay

    @staticmethod
    async def enqueue(
        s: AsyncSession,
        practice_id: int,
        kind: str,
        payload: dict[str, Any],
        *,
        key: str,
        now: datetime,
        run_at: datetime | None = None,
        subject: tuple[str, int] | None = None,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> bool:
        """In the caller's transaction `s`. A job whose `key` this practice already has is not added
        again (False): enqueueing is idempotent."""
        return await repo.enqueue(
            s,
            practice_id,
            kind=kind,
            payload=json.dumps(payload, separators=(",", ":"), sort_keys=True),
            dedupe_key=key,
            run_at=run_at or now,
            now=now,
            max_attempts=max_attempts,
            subject_type=subject[0] if subject else None,
            subject_id=subject[1] if subject else None,
        )

    @staticmethod
    async def enqueue_many(
        s: AsyncSession,
        practice_id: int,
        kind: str,
        jobs: list[tuple[str, dict[str, Any], datetime]],
        *,
        now: datetime,
        subject: tuple[str, int] | None = None,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        """`enqueue` for many jobs of one kind at once, each (key, payload, run_at): one statement
        instead of one per job (a campaign of thousands holds the write transaction for less)."""
        rows = [
            {
                "practice_id": practice_id,
                "kind": kind,
                "payload": json.dumps(payload, separators=(",", ":"), sort_keys=True),
                "dedupe_key": key,
                "status": repo.PENDING,
                "subject_type": subject[0] if subject else None,
                "subject_id": subject[1] if subject else None,
                "run_at": run_at,
                "attempts": 0,
                "max_attempts": max_attempts,
                "created_at": now,
                "updated_at": now,
            }
            for key, payload, run_at in jobs
        ]
        await repo.enqueue_many(s, rows)

    async def claim(self, worker: str, limit: int = 10) -> list[ClaimedJob]:
        """Up to `limit` due jobs, leased to `worker` for `lease` (a job whose lease runs out, its
        worker dead, is claimed again)."""

        async def body(s: AsyncSession, now: datetime) -> list[ClaimedJob]:
            rows = await repo.claim(s, now, worker, self.lease, limit)
            return [
                ClaimedJob(
                    r.id,
                    r.practice_id,
                    r.kind,
                    json.loads(r.payload),
                    r.dedupe_key,
                    r.attempts,
                    r.max_attempts,
                    r.subject_type,
                    r.subject_id,
                )
                for r in rows
            ]

        return await self.uc.run(body)

    async def complete(self, job: ClaimedJob, worker: str, finish: Finish | None = None) -> bool:
        """Done, with the handler's `finish` writes in the same transaction. False when the lease was
        lost (another worker took the job over): the job is left alone, `finish` still applies (what
        the handler did, e.g. a message sent, happened all the same)."""

        async def body(s: AsyncSession, now: datetime) -> bool:
            if finish is not None:
                await finish(s, now)
            return await repo.finish(s, job.practice_id, job.id, worker, now)

        return await self.uc.run(body)

    async def fail(
        self,
        job: ClaimedJob,
        worker: str,
        error: str,
        *,
        permanent: bool = False,
        at_least: timedelta | None = None,
    ) -> str:
        """Retry later (after the backoff, and not before `at_least`: a server's Retry-After), or
        dead-letter when attempts are spent or the failure is `permanent`. Returns the job's new status."""
        now = self.clock()
        last = permanent or job.attempt >= job.max_attempts
        delay = max(backoff(job.attempt, self.rng, self.base_delay), at_least or timedelta(0))
        retry_at = None if last else now + delay

        async def body(s: AsyncSession, _now: datetime) -> bool:
            return await repo.fail(s, job.practice_id, job.id, worker, now, error, retry_at)

        await self.uc.run(body)
        return repo.DEAD if last else repo.PENDING

    async def stats(self) -> QueueStats:
        async with self.db.read() as s:
            return await repo.stats(s, self.clock())
