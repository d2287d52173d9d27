"""Audit entries: appended with plain inserts (no ORM unit of work on the hot path), linked into the
chain under a per-practice lock, read in chain order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypedDict, cast

from sqlalchemy import (
    ARRAY,
    BigInteger,
    RowMapping,
    String,
    Table,
    bindparam,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import AuditEvent

# High bits of the advisory lock key that serialises one practice's appends on PostgreSQL.
_LOCK_SPACE = 7216 << 32
_T = cast(Table, AuditEvent.__table__)
_C = _T.c


class Entry(TypedDict):
    """A new entry, as inserted (seq, prev_hash and hash come when it is sealed)."""

    practice_id: int
    at: datetime
    actor: str
    client: str | None
    tool: str | None
    action: str
    record_type: str | None
    record_id: str | None
    outcome: str
    detail: str | None


_APPEND = insert(_T)
# Bound names differ from the columns': an UPDATE reserves the column names for its SET values.
_LINK = (
    update(_T)
    .where(_C.practice_id == bindparam("b_practice"), _C.id == bindparam("b_id"))
    .values(seq=bindparam("b_seq"), prev_hash=bindparam("b_prev"), hash=bindparam("b_hash"))
)

_LINK_PG = text(
    "UPDATE audit_events AS a SET seq = l.seq, prev_hash = l.prev, hash = l.hash"
    " FROM unnest(:ids, :seqs, :prevs, :hashes) AS l(id, seq, prev, hash)"
    " WHERE a.practice_id = :p AND a.id = l.id"
).bindparams(
    bindparam("ids", type_=ARRAY(BigInteger)),
    bindparam("seqs", type_=ARRAY(BigInteger)),
    bindparam("prevs", type_=ARRAY(String)),
    bindparam("hashes", type_=ARRAY(String)),
)


async def append(s: AsyncSession, entries: Sequence[Entry]) -> None:
    if entries:
        await s.execute(_APPEND, list(entries))


async def lock_chain(s: AsyncSession, practice_id: int) -> None:
    """Held to the end of the transaction. SQLite needs nothing: its writers are already serialised."""
    if s.get_bind().dialect.name == "postgresql":
        await s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_SPACE + practice_id})


async def chain_head(s: AsyncSession, practice_id: int) -> tuple[int, str | None]:
    """(seq, hash) of the last sealed entry, or (0, None) for an empty chain."""
    q = (
        select(_C.seq, _C.hash)
        .where(_C.practice_id == practice_id, _C.seq.is_not(None))
        .order_by(_C.seq.desc())
        .limit(1)
    )
    row = (await s.execute(q)).first()
    return (0, None) if row is None else (int(row[0]), row[1])


async def unsealed(s: AsyncSession, practice_id: int, limit: int) -> Sequence[RowMapping]:
    """Entries not yet in the chain, oldest first (partial index ix_audit_events_unsealed)."""
    q = select(_T).where(_C.practice_id == practice_id, _C.seq.is_(None)).order_by(_C.id).limit(limit)
    return (await s.execute(q)).mappings().all()


async def link(s: AsyncSession, practice_id: int, links: Sequence[dict[str, Any]]) -> None:
    """Set seq, prev_hash and hash of sealed entries (each dict: b_id, b_seq, b_prev, b_hash)."""
    if not links:
        return
    if s.get_bind().dialect.name != "postgresql":
        await s.execute(_LINK, [{"b_practice": practice_id, **x} for x in links])
        return
    # One UPDATE for the batch, its values as four arrays (one statement, prepared once): asyncpg's
    # executemany of row-by-row updates took 100 us a row.
    await s.execute(
        _LINK_PG,
        {
            "p": practice_id,
            "ids": [x["b_id"] for x in links],
            "seqs": [x["b_seq"] for x in links],
            "prevs": [x["b_prev"] for x in links],
            "hashes": [x["b_hash"] for x in links],
        },
    )


async def practices_with_unsealed(s: AsyncSession) -> Sequence[int]:
    q = select(_C.practice_id).where(_C.seq.is_(None)).distinct()
    return (await s.execute(q)).scalars().all()


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
) -> Sequence[RowMapping]:
    q = select(_T).where(_C.practice_id == practice_id, _C.seq > after_seq)
    if start is not None:
        q = q.where(_C.at >= start)
    if end is not None:
        q = q.where(_C.at < end)
    if record_type is not None:
        q = q.where(_C.record_type == record_type)
    if record_id is not None:
        q = q.where(_C.record_id == record_id)
    if actor is not None:
        q = q.where(_C.actor == actor)
    q = q.order_by(_C.seq)
    if limit is not None:
        q = q.limit(limit)
    return (await s.execute(q)).mappings().all()
