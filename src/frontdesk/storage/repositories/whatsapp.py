"""The send log as WhatsApp uses it: a message the Cloud API accepted keeps the provider's id (wamid);
the delivery-status webhook moves it forward (sent, delivered, read; failed), never back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import SentMessage
from frontdesk.storage.repositories.jobs import SENT

CHANNEL = "whatsapp"
DELIVERED, READ, FAILED = "delivered", "read", "failed"
# How far along a message is: a status is applied only when it is further (a webhook delivered twice or
# out of order changes nothing). sending/unconfirmed are below "sent".
RANK = {SENT: 1, DELIVERED: 2, READ: 3, FAILED: 4}


async def accepted(
    s: AsyncSession, practice_id: int, dedupe_key: str, provider_id: str, now: datetime
) -> None:
    """The API took the message (its id is `provider_id`): sent."""
    stmt = (
        update(SentMessage)
        .where(SentMessage.practice_id == practice_id, SentMessage.dedupe_key == dedupe_key)
        .values(status=SENT, sent_at=now, provider_id=provider_id[:128], status_at=now)
    )
    await s.execute(stmt)


async def refused(s: AsyncSession, practice_id: int, dedupe_key: str, error: str, now: datetime) -> None:
    """The API refused the message for good (an invalid number, a rejected token): failed, with why."""
    stmt = (
        update(SentMessage)
        .where(SentMessage.practice_id == practice_id, SentMessage.dedupe_key == dedupe_key)
        .values(status=FAILED, error=error[:500], status_at=now)
    )
    await s.execute(stmt)


async def apply_status(
    s: AsyncSession, practice_id: int, provider_id: str, status: str, at: datetime, error: str | None
) -> bool:
    """A webhook's status for the message `provider_id` names; whether it changed anything."""
    q = select(SentMessage).where(
        SentMessage.practice_id == practice_id,
        SentMessage.provider_id == provider_id,
        SentMessage.channel == CHANNEL,
    )
    row = (await s.execute(q)).scalars().first()
    if row is None or RANK.get(status, 0) <= RANK.get(row.status, 0):
        return False
    row.status = status
    row.status_at = at
    if error:
        row.error = error[:500]
    await s.flush()
    return True
