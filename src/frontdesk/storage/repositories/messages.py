"""Each client's opt-outs per channel, scoped to one practice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import MessageOptOut


async def opted_out(s: AsyncSession, practice_id: int, patient_id: int, channel: str) -> bool:
    return channel in await optouts(s, practice_id, patient_id)


async def optouts(s: AsyncSession, practice_id: int, patient_id: int) -> set[str]:
    q = select(MessageOptOut.channel).where(
        MessageOptOut.practice_id == practice_id, MessageOptOut.patient_id == patient_id
    )
    return set((await s.execute(q)).scalars())


async def set_optout(
    s: AsyncSession, practice_id: int, patient_id: int, channel: str, out: bool, now: datetime
) -> None:
    if not out:
        await s.execute(
            delete(MessageOptOut).where(
                MessageOptOut.practice_id == practice_id,
                MessageOptOut.patient_id == patient_id,
                MessageOptOut.channel == channel,
            )
        )
    elif channel not in await optouts(s, practice_id, patient_id):
        s.add(MessageOptOut(practice_id=practice_id, patient_id=patient_id, channel=channel, created_at=now))
        await s.flush()
