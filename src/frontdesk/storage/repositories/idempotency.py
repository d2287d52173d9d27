"""Idempotency keys, one per (practice, actor, key); looked up on every keyed write, so built once."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import IdempotencyKey

_BY_KEY = select(IdempotencyKey).where(
    IdempotencyKey.practice_id == bindparam("practice_id"),
    IdempotencyKey.actor == bindparam("actor"),
    IdempotencyKey.key == bindparam("key"),
)


async def find(s: AsyncSession, practice_id: int, actor: str, key: str) -> IdempotencyKey | None:
    params = {"practice_id": practice_id, "actor": actor, "key": key}
    return (await s.execute(_BY_KEY, params)).scalar_one_or_none()


async def add(s: AsyncSession, row: IdempotencyKey) -> None:
    """Insert the claim now: a concurrent claim of the same key waits for (or fails on) this one."""
    s.add(row)
    await s.flush()
