"""The audit trail: appended inside the transaction of the change it records, chained by hash per
practice. Failures are recorded too, in a transaction of their own after the rollback.

Reads of patient data run in a read transaction (`AuditService.reading`), so they never queue behind
writers; their entries are then committed together with the entries of other reads in flight (group
commit) before the data is handed back. If the entries cannot be stored, the read fails.

Appending takes no lock, so audited requests of one practice never wait for each other. A sealer
then links new entries into the practice's chain (seq, prev_hash, hash) under a short per-practice
lock: every second in a running server, and always before the trail is read, verified or exported.
An entry is tamper-evident from its sealing on; until then (about a second) it is only appended."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.audit import GENESIS, entry_hash, first_break
from frontdesk.domain.errors import FrontdeskError
from frontdesk.domain.timeparse import parse_datetime, zone
from frontdesk.services.context import Clock, Principal
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import audit as repo

logger = logging.getLogger(__name__)

# The adapter sets the tool (or command) being served, so entries say what was called.
current_tool: ContextVar[str | None] = ContextVar("frontdesk_current_tool", default=None)

# Key in a read session's `info`: the entries recorded in it, committed when the read ends.
_PENDING = "frontdesk_audit_pending"


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
    entry: repo.Entry = {
        "practice_id": principal.practice_id,
        "at": now,
        "actor": principal.actor[:120],
        "client": principal.client[:120] if principal.client else None,
        "tool": current_tool.get(),
        "action": action,
        "record_type": record_type,
        "record_id": None if record_id is None else str(record_id),
        "outcome": outcome,
        "detail": detail[:500] if detail else None,
    }
    pending: list[repo.Entry] | None = session.info.get(_PENDING)
    if pending is not None:  # an audited read: stored when the read ends, before its answer
        pending.append(entry)
        return
    await repo.append(session, [entry])


async def _seal(session: AsyncSession, practice_id: int, batch: int = 500) -> int:
    """Chain this practice's unsealed entries, in insertion order. Returns how many were sealed."""
    await repo.lock_chain(session, practice_id)
    seq, prev = await repo.chain_head(session, practice_id)
    prev = prev or GENESIS
    sealed = 0
    while rows := await repo.unsealed(session, practice_id, batch):
        links = []
        for entry in rows:
            seq += 1
            fields = _fields(entry, seq)
            prev_hash, prev = prev, entry_hash(prev, fields)
            links.append({"b_id": entry["id"], "b_seq": seq, "b_prev": prev_hash, "b_hash": prev})
        await repo.link(session, practice_id, links)
        sealed += len(rows)
    return sealed


def _fields(e: Mapping[Any, Any], seq: int | None = None) -> dict[str, object]:
    """What the chain's hash covers (domain.audit.FIELDS), plus the links, from a stored row."""
    return {
        "seq": e["seq"] if seq is None else seq,
        "at": e["at"].astimezone(UTC).isoformat(),
        "actor": e["actor"],
        "client": e["client"],
        "tool": e["tool"],
        "action": e["action"],
        "record_type": e["record_type"],
        "record_id": e["record_id"],
        "outcome": e["outcome"],
        "detail": e["detail"],
        "prev_hash": e["prev_hash"],
        "hash": e["hash"],
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
        self._queue: list[tuple[list[repo.Entry], asyncio.Future[None]]] = []
        self._flushing = 0  # flush tasks running (counted down as they end, with no await between)
        self._tasks: set[asyncio.Task[None]] = set()  # referenced, so none is collected mid-flight
        # SQLite has one writer at a time anyway; on PostgreSQL a few batches may wait for their
        # commit (its WAL flush) side by side instead of one behind the other.
        self._max_flushers = 1 if db.is_sqlite else 4

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A read transaction whose audit entries (`record` in it) are stored after it ends, before
        the caller goes on: an error in the body, or entries that cannot be stored, fail the read."""
        pending: list[repo.Entry] = []
        async with self.db.read() as s:
            s.info[_PENDING] = pending
            yield s
        if pending:
            await self._store(pending)

    async def _store(self, events: list[repo.Entry]) -> None:
        """Group commit: one write transaction takes the entries of every read waiting at that moment.
        A waiter starts a flush at once when fewer than `_max_flushers` run (no added latency when
        idle); reads that arrive while they commit go in the next batch."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((events, done))
        if self._flushing < self._max_flushers:
            self._flushing += 1
            task = asyncio.create_task(self._flush())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        await done

    async def _flush(self) -> None:
        batch: list[tuple[list[repo.Entry], asyncio.Future[None]]] = []
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                outcome: BaseException | None = None
                try:
                    async with self.db.write() as s:
                        await repo.append(s, [e for events, _ in batch for e in events])
                except Exception as exc:  # handed to every waiter of this batch
                    outcome = exc
                for _, waiter in batch:
                    if waiter.done():  # its request was cancelled; the entry is stored anyway
                        continue
                    if outcome is None:
                        waiter.set_result(None)
                    else:
                        waiter.set_exception(outcome)
        except asyncio.CancelledError:  # shutting down: the waiters of this batch and the queue learn it
            for _, waiter in batch + self._queue:
                if not waiter.done():
                    waiter.cancel()
            raise
        finally:
            self._flushing -= 1

    async def seal(self, practice_id: int) -> int:
        async with self.db.write() as s:
            return await _seal(s, practice_id)

    async def seal_all(self) -> int:
        async with self.db.read() as s:
            practices = list(await repo.practices_with_unsealed(s))
        return sum([await self.seal(pid) for pid in practices])

    async def sealer(self, interval: float = 1.0) -> None:
        """Run until cancelled: seal new entries every `interval` seconds."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.seal_all()
            except FrontdeskError as exc:  # the database is away; try again next round
                logger.warning("audit sealing postponed: %s", exc.message)

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
        await self.seal(p.practice_id)
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
        await self.seal(practice_id)
        out: list[dict[str, object]] = []
        after = 0
        async with self.db.read() as s:
            while True:
                rows = await repo.in_order(s, practice_id, after_seq=after, limit=batch)
                if not rows:
                    return out
                out.extend(_fields(r) for r in rows)
                after = rows[-1]["seq"] or after

    async def verify(self, practice_id: int) -> tuple[int, int | None]:
        """(entries checked, seq of the first broken entry or None)."""
        entries = await self.export(practice_id)
        return len(entries), first_break(entries)


def _entry(r: Mapping[Any, Any]) -> AuditEntry:
    return AuditEntry(
        seq=r["seq"] or 0,
        at=r["at"],
        actor=r["actor"],
        client=r["client"],
        tool=r["tool"],
        action=r["action"],
        record_type=r["record_type"],
        record_id=r["record_id"],
        outcome=r["outcome"],
        detail=r["detail"],
        hash=r["hash"] or "",
    )
