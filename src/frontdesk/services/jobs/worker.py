"""A worker: claims due jobs and runs each through the handler its kind names. A handler that raises
`Permanent` dead-letters its job at once; any other failure is retried with backoff. Several workers,
in one process or many, share one queue (the claim keeps them apart)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from frontdesk.domain.errors import FrontdeskError
from frontdesk.services.jobs.queue import ClaimedJob, Finish, JobQueue

log = logging.getLogger("frontdesk.worker")

# A handler may return writes for its job's completion transaction (a message's send-log "sent"):
# they commit together with the job's "done", one commit (one WAL flush on PostgreSQL) fewer per job.
Handler = Callable[[ClaimedJob, str], Awaitable[Finish | None]]  # (job, worker name)


class Permanent(Exception):
    """A failure trying again cannot fix (the appointment is gone, the address is refused)."""


class RetryLater(OSError):
    """A failure worth retrying, but not before `after` seconds (a server's Retry-After)."""

    def __init__(self, message: str, after: float) -> None:
        super().__init__(message)
        self.after = after


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(
        self,
        queue: JobQueue,
        handlers: Mapping[str, Handler],
        *,
        name: str | None = None,
        batch: int = 10,
        poll_seconds: float = 1.0,
    ) -> None:
        self.queue = queue
        self.handlers = handlers
        self.name = name or worker_name()
        self.batch = batch
        self.poll_seconds = poll_seconds

    async def run_once(self) -> int:
        """Claim one batch and run it; the number of jobs claimed."""
        jobs = await self.queue.claim(self.name, self.batch)
        for job in jobs:
            await self._run(job)
        return len(jobs)

    async def drain(self, rounds: int = 100) -> int:
        """Run batches until none is due (tests, the CLI's --once)."""
        total = 0
        for _ in range(rounds):
            n = await self.run_once()
            total += n
            if n == 0:
                break
        return total

    async def _run(self, job: ClaimedJob) -> None:
        handler = self.handlers.get(job.kind)
        if handler is None:
            await self.queue.fail(job, self.name, f"no handler for job kind {job.kind}", permanent=True)
            return
        try:
            finish = await handler(job, self.name)
        except Permanent as exc:
            await self.queue.fail(job, self.name, str(exc) or "refused", permanent=True)
        except (FrontdeskError, OSError, TimeoutError) as exc:
            wait = timedelta(seconds=exc.after) if isinstance(exc, RetryLater) else None
            status = await self.queue.fail(job, self.name, f"{type(exc).__name__}: {exc}", at_least=wait)
            log.warning("job %s (%s) failed, now %s: %s", job.id, job.kind, status, exc)
        else:
            await self.queue.complete(job, self.name, finish)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Until `stop` is set (or the task is cancelled): work while jobs are due, else sleep a poll."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                n = await self.run_once()
            except FrontdeskError as exc:  # the database away for a moment: try again after a poll
                log.warning("worker %s: %s", self.name, exc)
                n = 0
            if n == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_seconds)
