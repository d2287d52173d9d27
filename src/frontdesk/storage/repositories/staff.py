"""Staff accounts, always looked up inside one practice."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import StaffUser


async def by_email(s: AsyncSession, practice_id: int, email: str) -> StaffUser | None:
    q = select(StaffUser).where(StaffUser.practice_id == practice_id, StaffUser.email == email.lower())
    return (await s.execute(q)).scalar_one_or_none()


async def get(s: AsyncSession, practice_id: int, user_id: int) -> StaffUser | None:
    q = select(StaffUser).where(StaffUser.practice_id == practice_id, StaffUser.id == user_id)
    return (await s.execute(q)).scalar_one_or_none()


async def list_for(s: AsyncSession, practice_id: int) -> Sequence[StaffUser]:
    q = select(StaffUser).where(StaffUser.practice_id == practice_id).order_by(StaffUser.id)
    return (await s.execute(q)).scalars().all()
