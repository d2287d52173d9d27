"""The audit trail: appended inside the transaction of the change (or read) it records, chained by hash
per practice. Failures are recorded too, in a transaction of their own after the rollback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.audit import GENESIS, entry_hash, first_break
from frontdesk.domain.errors import FrontdeskError
from frontdesk.domain.timeparse import parse_datetime, zone
from frontdesk.services.context import Clock, Principal
from frontdesk.storage.db import Database
from frontdesk.storage.models import AuditEvent
from frontdesk.storage.repositories import audit as repo

# The adapter sets the tool (or command) being served, so entries say what was called.
current_tool: ContextVar[str | None] = ContextVar("frontdesk_current_tool", default=None)


async def record(
    session: AsyncSession,
    principal: Principal,
    now: datetime,
    action: str,
    record_type: str | None = None,
    record_id: object | None = None,
    outcome: str = "ok",
    detail: str | None = None,
) -> None:
    await repo.lock_chain(session, principal.practice_id)
    last = await repo.last(session, principal.practice_id)
    seq = (last.seq or 0) + 1 if last is not None else 1
    prev = (last.hash or GENESIS) if last is not None else GENESIS
    entry = AuditEvent(
        practice_id=principal.practice_id,
        seq=seq,
        at=now,
        actor=principal.actor[:120],
        client=principal.client[:120] if principal.client else None,
        tool=current_tool.get(),
        action=action,
        record_type=record_type,
        record_id=None if record_id is None else str(record_id),
        outcome=outcome,
        detail=detail[:500] if detail else None,
        prev_hash=prev,
    )
    entry.hash = entry_hash(prev, _fields(entry))
    session.add(entry)
    await session.flush()


def _fields(e: AuditEvent) -> dict[str, object]:
    return {
        "seq": e.seq,
        "at": e.at.astimezone(UTC).isoformat(),
        "actor": e.actor,
        "client": e.client,
        "tool": e.tool,
        "action": e.action,
        "record_type": e.record_type,
        "record_id": e.record_id,
        "outcome": e.outcome,
        "detail": e.detail,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }


@asynccontextmanager
async def on_failure(
    trail: AuditService,
    p: Principal,
    action: str,
    record_type: str | None = None,
    record_id: object | None = None,
) -> AsyncIterator[None]:
    """Wrap a use case so a refusal (invalid, conflict, not found...) is recorded with its outcome."""
    try:
        yield
    except FrontdeskError as exc:
        await trail.failed(p, action, exc, record_type, record_id)
        raise


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    client: str | None
    tool: str | None
    action: str
    record_type: str | None
    record_id: str | None
    outcome: str
    detail: str | None
    hash: str


class AuditService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def failed(
        self,
        p: Principal,
        action: str,
        exc: FrontdeskError,
        record_type: str | None = None,
        record_id: object | None = None,
    ) -> None:
        """Record a refused write or read. Never lets its own failure hide the original error."""
        try:
            async with self.db.write() as s:
                await record(s, p, self.clock(), action, record_type, record_id, outcome=exc.code)
        except FrontdeskError:
            pass

    async def entries(
        self,
        p: Principal,
        *,
        start: str | None = None,
        end: str | None = None,
        record_type: str | None = None,
        record_id: str | None = None,
        actor: str | None = None,
        limit: int = 200,
        tz_name: str = "UTC",
    ) -> list[AuditEntry]:
        p.require("admin")
        tz = zone(tz_name)
        lo = parse_datetime(start, tz, field="start") if start else None
        hi = parse_datetime(end, tz, field="end") if end else None
        async with self.db.read() as s:
            rows = await repo.in_order(
                s,
                p.practice_id,
                start=lo,
                end=hi,
                record_type=record_type,
                record_id=record_id,
                actor=actor,
                limit=max(1, min(limit, 500)),
            )
            return [_entry(r) for r in rows]

    async def export(self, practice_id: int, batch: int = 1000) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        after = 0
        async with self.db.read() as s:
            while True:
                rows = await repo.in_order(s, practice_id, after_seq=after, limit=batch)
                if not rows:
                    return out
                out.extend(_fields(r) for r in rows)
                after = rows[-1].seq or after

    async def verify(self, practice_id: int) -> tuple[int, int | None]:
        """(entries checked, seq of the first broken entry or None)."""
        entries = await self.export(practice_id)
        return len(entries), first_break(entries)


def _entry(r: AuditEvent) -> AuditEntry:
    return AuditEntry(
        seq=r.seq or 0,
        at=r.at,
        actor=r.actor,
        client=r.client,
        tool=r.tool,
        action=r.action,
        record_type=r.record_type,
        record_id=r.record_id,
        outcome=r.outcome,
        detail=r.detail,
        hash=r.hash or "",
    )
