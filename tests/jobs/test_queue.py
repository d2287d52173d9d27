"""The job queue tested like a library, on SQLite and PostgreSQL: enqueue in the caller's transaction,
leases that run out (a crashed worker), two workers, backoff and the dead letter, clock jumps."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Invalid
from frontdesk.services.jobs.queue import ClaimedJob, JobQueue, backoff
from frontdesk.services.jobs.worker import Permanent, Worker
from frontdesk.services.usecase import UseCases
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import jobs as repo
from tests.conftest import Clock
from tests.factories import Scenario


async def _enqueue(app: Frontdesk, practice_id: int, key: str, **kw: object) -> bool:
    async with app.db.write() as s:
        return await JobQueue.enqueue(s, practice_id, "test", {"key": key}, key=key, now=app.clock(), **kw)  # type: ignore[arg-type]


async def _status(app: Frontdesk, practice_id: int, key: str) -> str:
    async with app.db.read() as s:
        job = await repo.by_key(s, practice_id, key)
        assert job is not None
        return job.status


async def test_enqueue_commits_with_the_callers_transaction_or_not_at_all(
    app: Frontdesk, scenario: Scenario
) -> None:
    with pytest.raises(Invalid):
        async with app.db.write() as s:
            await JobQueue.enqueue(s, scenario.practice_id, "test", {}, key="rolled", now=app.clock())
            raise Invalid("the change failed")
    async with app.db.read() as s:
        assert await repo.by_key(s, scenario.practice_id, "rolled") is None
    assert await _enqueue(app, scenario.practice_id, "kept")
    assert not await _enqueue(app, scenario.practice_id, "kept")  # the same key again: not added
    assert await _status(app, scenario.practice_id, "kept") == "pending"


async def test_a_job_runs_when_due_and_not_before(app: Frontdesk, scenario: Scenario, clock: Clock) -> None:
    queue = JobQueue(app.usecases)
    ran: list[str] = []

    async def handler(job: ClaimedJob, _w: str) -> None:
        ran.append(job.payload["key"])

    await _enqueue(app, scenario.practice_id, "later", run_at=clock() + timedelta(hours=2))
    worker = Worker(queue, {"test": handler})
    await worker.drain()
    assert "later" not in ran
    clock.advance(hours=2)
    await worker.drain()
    assert ran.count("later") == 1
    assert await _status(app, scenario.practice_id, "later") == "done"


async def test_a_crashed_workers_job_is_claimed_again_when_its_lease_runs_out(
    app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    queue = JobQueue(app.usecases, lease=timedelta(minutes=5))
    await _enqueue(app, scenario.practice_id, "crash")
    mine = [j for j in await queue.claim("dead-worker", 100) if j.dedupe_key == "crash"]
    assert mine  # claimed, then the worker "dies" without finishing
    assert not [j for j in await queue.claim("other", 100) if j.dedupe_key == "crash"]  # leased
    clock.advance(minutes=6)  # the clock jumps past the lease
    again = [j for j in await queue.claim("other", 100) if j.dedupe_key == "crash"]
    assert again and again[0].attempt == 2
    assert not await queue.complete(mine[0], "dead-worker")  # the old holder lost it: changes nothing
    assert await queue.complete(again[0], "other")
    assert await _status(app, scenario.practice_id, "crash") == "done"


async def test_failures_back_off_then_dead_letter(app: Frontdesk, scenario: Scenario, clock: Clock) -> None:
    queue = JobQueue(app.usecases, rng=random.Random(7))
    attempts: list[int] = []

    async def flaky(job: ClaimedJob, _w: str) -> None:
        attempts.append(job.attempt)
        raise OSError("mail server unreachable")

    await _enqueue(app, scenario.practice_id, "flaky", max_attempts=3)
    worker = Worker(queue, {"test": flaky})
    await worker.drain()
    assert attempts == [1]
    async with app.db.read() as s:
        job = await repo.by_key(s, scenario.practice_id, "flaky")
        assert job is not None and job.status == "pending" and job.run_at > clock()
        assert "unreachable" in (job.last_error or "")
    for _ in range(2):
        clock.advance(hours=7)
        await worker.drain()
    assert attempts == [1, 2, 3]
    assert await _status(app, scenario.practice_id, "flaky") == "dead"
    clock.advance(days=30)
    await worker.drain()
    assert attempts == [1, 2, 3]  # dead stays dead


async def test_a_permanent_failure_dead_letters_at_once(
    app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    async def refuse(_job: ClaimedJob, _w: str) -> None:
        raise Permanent("no such appointment")

    await _enqueue(app, scenario.practice_id, "refused")
    await Worker(JobQueue(app.usecases), {"test": refuse}).drain()
    assert await _status(app, scenario.practice_id, "refused") == "dead"


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    rng = random.Random(1)
    base = timedelta(seconds=30)
    for attempt in range(1, 12):
        d = backoff(attempt, rng, base, timedelta(hours=6))
        assert timedelta(seconds=15) <= d <= min(timedelta(hours=6), base * 2 ** (attempt - 1))
    spread = {backoff(5, random.Random(i), base).total_seconds() for i in range(20)}
    assert len(spread) > 10  # jittered, not one instant


async def test_two_workers_run_every_job_exactly_once(
    app: Frontdesk, scenario: Scenario, clock: Clock, db_url: str
) -> None:
    keys = [f"pair-{i}" for i in range(40)]
    for k in keys:
        await _enqueue(app, scenario.practice_id, k)
    ran: list[str] = []

    async def handler(job: ClaimedJob, _w: str) -> None:
        await asyncio.sleep(0)
        ran.append(job.payload["key"])

    other_db = Database(db_url)  # a second engine: another process's connections
    try:
        one = Worker(JobQueue(app.usecases), {"test": handler}, batch=3)
        two = Worker(JobQueue(UseCases(other_db, clock, app.audit)), {"test": handler}, batch=3)
        await asyncio.gather(one.drain(), two.drain())
    finally:
        await other_db.dispose()
    mine = [k for k in ran if k.startswith("pair-")]
    assert sorted(mine) == sorted(keys)


async def test_health_figures_count_depth_and_the_oldest_due(
    app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    queue = JobQueue(app.usecases)
    await _enqueue(app, scenario.practice_id, "due-now")
    await _enqueue(app, scenario.practice_id, "due-later", run_at=clock() + timedelta(days=1))
    st = await queue.stats()
    assert st.depth >= 2 and st.due >= 1
    assert st.oldest_due is not None and st.oldest_due <= clock()


async def test_a_clock_jumping_back_neither_steals_a_lease_nor_runs_early(
    app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    queue = JobQueue(app.usecases, lease=timedelta(minutes=5))
    await _enqueue(app, scenario.practice_id, "held")
    await _enqueue(app, scenario.practice_id, "tomorrow", run_at=clock() + timedelta(days=1))
    held = [j for j in await queue.claim("first", 100) if j.dedupe_key == "held"]
    assert held
    clock.advance(hours=-3)  # the machine's clock is set back
    assert not [j for j in await queue.claim("second", 100) if j.dedupe_key in ("held", "tomorrow")]
    clock.advance(hours=3, minutes=4)  # still inside the lease
    assert not [j for j in await queue.claim("second", 100) if j.dedupe_key == "held"]
    assert await queue.complete(held[0], "first")
    clock.advance(days=1)
    assert [j.dedupe_key for j in await queue.claim("second", 100) if j.dedupe_key == "tomorrow"] == [
        "tomorrow"
    ]


async def _claim_send(app: Frontdesk, practice_id: int, key: str, worker: str) -> None:
    async with app.db.write() as s:
        await repo.claim_send(
            s,
            practice_id,
            dedupe_key=key,
            job_id=None,
            channel="email",
            recipient="a@example.org",
            worker=worker,
            now=app.clock(),
        )


async def _send_status(app: Frontdesk, practice_id: int, key: str) -> str:
    async with app.db.read() as s:
        return {r.dedupe_key: r.status for r in await repo.sent(s, practice_id)}[key]


async def test_a_handlers_completion_writes_commit_with_the_job_or_not_at_all(
    app: Frontdesk, scenario: Scenario
) -> None:
    queue = JobQueue(app.usecases)
    pid = scenario.practice_id
    await _enqueue(app, pid, "folded")
    await _enqueue(app, pid, "broken")
    jobs = {j.dedupe_key: j for j in await queue.claim("w", 100)}
    for key in ("folded", "broken"):
        await _claim_send(app, pid, key, "w")

    async def sent(s: AsyncSession, now: datetime) -> None:
        await repo.mark_sent(s, pid, "folded", now)

    assert await queue.complete(jobs["folded"], "w", sent)
    assert await _status(app, pid, "folded") == "done"
    assert await _send_status(app, pid, "folded") == "sent"

    async def fails(s: AsyncSession, now: datetime) -> None:
        await repo.mark_sent(s, pid, "broken", now)
        raise Invalid("the completion failed")

    with pytest.raises(Invalid):
        await queue.complete(jobs["broken"], "w", fails)
    # Neither happened: the job runs again after its lease, and finds the claim still `sending`.
    assert await _status(app, pid, "broken") == "running"
    assert await _send_status(app, pid, "broken") == "sending"


async def test_a_completion_after_the_lease_was_lost_still_records_what_the_handler_did(
    app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    queue = JobQueue(app.usecases, lease=timedelta(minutes=5))
    pid = scenario.practice_id
    await _enqueue(app, pid, "slow")
    mine = [j for j in await queue.claim("slow-worker", 100) if j.dedupe_key == "slow"]
    await _claim_send(app, pid, "slow", "slow-worker")
    clock.advance(minutes=6)  # its lease runs out while it sends; another worker takes the job over
    assert [j for j in await queue.claim("other", 100) if j.dedupe_key == "slow"]

    async def sent(s: AsyncSession, now: datetime) -> None:
        await repo.mark_sent(s, pid, "slow", now)

    assert not await queue.complete(mine[0], "slow-worker", sent)  # the job is the other's now
    assert await _status(app, pid, "slow") == "running"
    assert await _send_status(app, pid, "slow") == "sent"  # but the message did go out
