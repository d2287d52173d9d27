"""The job queue and the send log. Every query takes the practice except the claim and the queue's
health figures: a worker serves every practice, and the job it claims carries its practice from then on.

PostgreSQL claims with FOR UPDATE SKIP LOCKED (two workers never wait on or take the same row); SQLite
has one writer at a time (Database.write), so a claim there is already alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import Job, SentMessage

PENDING, RUNNING, DONE, DEAD = "pending", "running", "done", "dead"
SENDING, SENT, UNCONFIRMED = "sending", "sent", "unconfirmed"


def _count(result: Any) -> int:
    """How many rows a statement changed (a CursorResult's rowcount)."""
    return int(getattr(result, "rowcount", 0) or 0)


def _insert(s: AsyncSession, model: Any) -> Any:
    dialect = s.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


async def enqueue(
    s: AsyncSession,
    practice_id: int,
    *,
    kind: str,
    payload: str,
    dedupe_key: str,
    run_at: datetime,
    now: datetime,
    max_attempts: int,
    subject_type: str | None = None,
    subject_id: int | None = None,
) -> bool:
    """Add a job in the caller's transaction; False when a job with this key already exists."""
    stmt = (
        _insert(s, Job)
        .values(
            practice_id=practice_id,
            kind=kind,
            payload=payload,
            dedupe_key=dedupe_key,
            status=PENDING,
            subject_type=subject_type,
            subject_id=subject_id,
            run_at=run_at,
            attempts=0,
            max_attempts=max_attempts,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["practice_id", "dedupe_key"])
    )
    result = await s.execute(stmt)
    return bool(_count(result))


async def enqueue_many(s: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Many jobs in one statement (a campaign's: a row per recipient); a key already there is skipped."""
    if rows:
        stmt = _insert(s, Job).on_conflict_do_nothing(index_elements=["practice_id", "dedupe_key"])
        await s.execute(stmt, rows)


def _claimable(now: datetime) -> Any:
    """Due and pending, or running under a lease that has run out (its worker died or stalled)."""
    return or_(
        (Job.status == PENDING) & (Job.run_at <= now),
        (Job.status == RUNNING) & (Job.lease_until < now),
    )


async def claim(s: AsyncSession, now: datetime, worker: str, lease: timedelta, limit: int) -> list[Job]:
    q = select(Job).where(_claimable(now)).order_by(Job.run_at, Job.id).limit(limit)
    if s.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    rows = list((await s.execute(q)).scalars())
    for row in rows:
        row.status = RUNNING
        row.locked_by = worker
        row.lease_until = now + lease
        row.attempts += 1
        row.updated_at = now
    await s.flush()
    return rows


async def _held(s: AsyncSession, practice_id: int, job_id: int, worker: str) -> Any:
    """The job, only while this worker still holds it (a worker whose lease ran out and was taken over
    by another changes nothing)."""
    return update(Job).where(
        Job.practice_id == practice_id, Job.id == job_id, Job.locked_by == worker, Job.status == RUNNING
    )


async def finish(
    s: AsyncSession, practice_id: int, job_id: int, worker: str, now: datetime, *, status: str = DONE
) -> bool:
    stmt = (await _held(s, practice_id, job_id, worker)).values(
        status=status, lease_until=None, updated_at=now
    )
    return bool(_count(await s.execute(stmt)))


async def fail(
    s: AsyncSession,
    practice_id: int,
    job_id: int,
    worker: str,
    now: datetime,
    error: str,
    retry_at: datetime | None,
) -> bool:
    """Back to pending at `retry_at`, or dead when there is none (its attempts are spent)."""
    values: dict[str, Any] = {"last_error": error[:500], "lease_until": None, "updated_at": now}
    if retry_at is None:
        values["status"] = DEAD
    else:
        values |= {"status": PENDING, "run_at": retry_at, "locked_by": None}
    stmt = (await _held(s, practice_id, job_id, worker)).values(**values)
    return bool(_count(await s.execute(stmt)))


async def get(s: AsyncSession, practice_id: int, job_id: int) -> Job | None:
    q = select(Job).where(Job.practice_id == practice_id, Job.id == job_id)
    return (await s.execute(q)).scalar_one_or_none()


async def by_key(s: AsyncSession, practice_id: int, dedupe_key: str) -> Job | None:
    q = select(Job).where(Job.practice_id == practice_id, Job.dedupe_key == dedupe_key)
    return (await s.execute(q)).scalar_one_or_none()


async def of_subject(
    s: AsyncSession, practice_id: int, subject_type: str, subject_id: int, *, status: str | None = PENDING
) -> Sequence[Job]:
    q = select(Job).where(
        Job.practice_id == practice_id, Job.subject_type == subject_type, Job.subject_id == subject_id
    )
    if status is not None:
        q = q.where(Job.status == status)
    return list((await s.execute(q.order_by(Job.run_at, Job.id))).scalars())


async def drop_pending(
    s: AsyncSession, practice_id: int, subject_type: str, subject_id: int, kinds: Sequence[str]
) -> int:
    """Remove a subject's jobs not started yet (a cancelled appointment's reminders)."""
    stmt = delete(Job).where(
        Job.practice_id == practice_id,
        Job.subject_type == subject_type,
        Job.subject_id == subject_id,
        Job.status == PENDING,
        Job.kind.in_(kinds),
    )
    return _count(await s.execute(stmt))


@dataclass(frozen=True, slots=True)
class QueueStats:
    depth: int  # jobs pending or running
    due: int  # of those, due now
    oldest_due: datetime | None
    dead: int


async def stats(s: AsyncSession, now: datetime) -> QueueStats:
    active = Job.status.in_((PENDING, RUNNING))
    depth = (await s.execute(select(func.count()).where(active))).scalar_one()
    due_q = select(func.count(), func.min(Job.run_at)).where(_claimable(now))
    due, oldest = (await s.execute(due_q)).one()
    dead = (await s.execute(select(func.count()).where(Job.status == DEAD))).scalar_one()
    return QueueStats(int(depth), int(due), oldest, int(dead))


# --- the send log ------------------------------------------------------------------------------------


async def claim_send(
    s: AsyncSession,
    practice_id: int,
    *,
    dedupe_key: str,
    job_id: int | None,
    channel: str,
    recipient: str,
    worker: str,
    now: datetime,
) -> SentMessage | None:
    """Claim a message's key before it is sent: None when claimed now, else the earlier claim."""
    stmt = (
        _insert(s, SentMessage)
        .values(
            practice_id=practice_id,
            dedupe_key=dedupe_key,
            job_id=job_id,
            channel=channel,
            recipient=recipient[:320],
            status=SENDING,
            worker=worker,
            started_at=now,
        )
        .on_conflict_do_nothing(index_elements=["practice_id", "dedupe_key"])
    )
    if _count(await s.execute(stmt)):
        return None
    q = select(SentMessage).where(
        SentMessage.practice_id == practice_id, SentMessage.dedupe_key == dedupe_key
    )
    return (await s.execute(q)).scalar_one()


async def mark_sent(
    s: AsyncSession, practice_id: int, dedupe_key: str, now: datetime, *, status: str = SENT
) -> None:
    stmt = (
        update(SentMessage)
        .where(SentMessage.practice_id == practice_id, SentMessage.dedupe_key == dedupe_key)
        .values(status=status, sent_at=now)
    )
    await s.execute(stmt)


async def commit_without_waiting_for_disk(s: AsyncSession) -> None:
    """PostgreSQL: this transaction's COMMIT returns before its WAL is flushed (asynchronous commit,
    flushed within a fraction of a second): a database crash may lose it, never half of it. For
    writes whose loss is safe only. SQLite (synchronous=NORMAL in WAL mode) does not wait anyway."""
    if s.get_bind().dialect.name == "postgresql":
        await s.execute(text("SET LOCAL synchronous_commit TO OFF"))


async def release_send(s: AsyncSession, practice_id: int, dedupe_key: str) -> None:
    """A send that failed before the channel took it: the key is free for the next attempt."""
    stmt = delete(SentMessage).where(
        SentMessage.practice_id == practice_id,
        SentMessage.dedupe_key == dedupe_key,
        SentMessage.status == SENDING,
    )
    await s.execute(stmt)


async def sent(s: AsyncSession, practice_id: int) -> Sequence[SentMessage]:
    q = select(SentMessage).where(SentMessage.practice_id == practice_id).order_by(SentMessage.id)
    return list((await s.execute(q)).scalars())


async def drop_key(s: AsyncSession, practice_id: int, dedupe_key: str) -> int:
    """Remove the job of this key if it has not started yet (its key may then be queued again)."""
    stmt = delete(Job).where(
        Job.practice_id == practice_id, Job.dedupe_key == dedupe_key, Job.status == PENDING
    )
    return _count(await s.execute(stmt))
