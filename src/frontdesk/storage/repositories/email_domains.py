"""The practice's sending domain (one row at most), scoped to one practice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.email_domains import VERIFIED
from frontdesk.storage.models import EmailDomain


async def get(s: AsyncSession, practice_id: int) -> EmailDomain | None:
    q = select(EmailDomain).where(EmailDomain.practice_id == practice_id)
    return (await s.execute(q)).scalar_one_or_none()


async def remove(s: AsyncSession, practice_id: int) -> bool:
    done = await s.execute(delete(EmailDomain).where(EmailDomain.practice_id == practice_id))
    return bool(getattr(done, "rowcount", 0))


async def replace(s: AsyncSession, practice_id: int, **values: Any) -> EmailDomain:
    """The practice's domain, in place of any earlier one."""
    await remove(s, practice_id)
    await s.flush()
    row = EmailDomain(practice_id=practice_id, **values)
    s.add(row)
    await s.flush()
    return row


async def record_check(s: AsyncSession, row: EmailDomain, *, status: str, checks: str, now: datetime) -> None:
    """What a verification found, on the practice's row (loaded in this session)."""
    row.status, row.checks, row.checked_at = status, checks, now
    if status == VERIFIED:
        row.verified_at = now
    await s.flush()
