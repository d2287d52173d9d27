"""Audit entries: append under a per-practice lock, read in chain order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import AuditEvent

# High bits of the advisory lock key that serialises one practice's appends on PostgreSQL.
_LOCK_SPACE = 7216 << 32


async def lock_chain(s: AsyncSession, practice_id: int) -> None:
    """Held to the end of the transaction. SQLite needs nothing: its writers are already serialised."""
    if s.get_bind().dialect.name == "postgresql":
        await s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_SPACE + practice_id})


async def unsealed(s: AsyncSession, practice_id: int, limit: int) -> Sequence[AuditEvent]:
    """Entries not yet in the chain, oldest first (partial index ix_audit_events_unsealed)."""
    q = (
        select(AuditEvent)
        .where(AuditEvent.practice_id == practice_id, AuditEvent.seq.is_(None))
        .order_by(AuditEvent.id)
        .limit(limit)
    )
    return (await s.execute(q)).scalars().all()


async def practices_with_unsealed(s: AsyncSession) -> Sequence[int]:
    q = select(AuditEvent.practice_id).where(AuditEvent.seq.is_(None)).distinct()
    return (await s.execute(q)).scalars().all()


async def last(s: AsyncSession, practice_id: int) -> AuditEvent | None:
    q = (
        select(AuditEvent)
        .where(AuditEvent.practice_id == practice_id, AuditEvent.seq.is_not(None))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    return (await s.execute(q)).scalar_one_or_none()


async def in_order(
    s: AsyncSession,
    practice_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    record_type: str | None = None,
    record_id: str | None = None,
    actor: str | None = None,
    after_seq: int = 0,
    limit: int | None = None,
) -> Sequence[AuditEvent]:
    q = select(AuditEvent).where(AuditEvent.practice_id == practice_id, AuditEvent.seq > after_seq)
    if start is not None:
        q = q.where(AuditEvent.at >= start)
    if end is not None:
        q = q.where(AuditEvent.at < end)
    if record_type is not None:
        q = q.where(AuditEvent.record_type == record_type)
    if record_id is not None:
        q = q.where(AuditEvent.record_id == record_id)
    if actor is not None:
        q = q.where(AuditEvent.actor == actor)
    q = q.order_by(AuditEvent.seq)
    if limit is not None:
        q = q.limit(limit)
    return (await s.execute(q)).scalars().all()
