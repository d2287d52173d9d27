"""Practice secret keys: only SHA-256 hashes are stored."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import ApiKey

# Run on every request a key authenticates: built once (see repositories/directory.py).
_BY_HASH = select(ApiKey).where(
    ApiKey.practice_id == bindparam("practice_id"), ApiKey.key_hash == bindparam("key_hash")
)


async def by_hash(s: AsyncSession, practice_id: int, key_hash: str) -> ApiKey | None:
    params = {"practice_id": practice_id, "key_hash": key_hash}
    return (await s.execute(_BY_HASH, params)).scalar_one_or_none()


async def get(s: AsyncSession, practice_id: int, key_id: int) -> ApiKey | None:
    q = select(ApiKey).where(ApiKey.practice_id == practice_id, ApiKey.id == key_id)
    return (await s.execute(q)).scalar_one_or_none()


async def list_for(s: AsyncSession, practice_id: int) -> Sequence[ApiKey]:
    q = select(ApiKey).where(ApiKey.practice_id == practice_id).order_by(ApiKey.id)
    return (await s.execute(q)).scalars().all()
