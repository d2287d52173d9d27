"""Waitlist entries and the offers of freed slots, scoped to one practice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import WaitlistEntry, WaitlistOffer

WAITING = "waiting"
OPEN = "open"


async def entry(
    s: AsyncSession, practice_id: int, entry_id: int, *, lock: bool = False
) -> WaitlistEntry | None:
    q = select(WaitlistEntry).where(WaitlistEntry.practice_id == practice_id, WaitlistEntry.id == entry_id)
    if lock:
        q = q.with_for_update()
    return (await s.execute(q)).scalar_one_or_none()


async def still_waiting(s: AsyncSession, practice_id: int, entry_id: int) -> bool:
    """Lock the entry and read its status afresh: a concurrent offer for another provider's slot (which
    holds another provider's lock) may have taken it since it was listed."""
    q = (
        select(WaitlistEntry.status)
        .where(WaitlistEntry.practice_id == practice_id, WaitlistEntry.id == entry_id)
        .with_for_update()
    )
    return (await s.execute(q)).scalar_one_or_none() == WAITING


async def entries(
    s: AsyncSession,
    practice_id: int,
    *,
    statuses: Sequence[str],
    patient_id: int | None = None,
    service_id: int | None = None,
    limit: int = 500,
) -> Sequence[WaitlistEntry]:
    """Entries in serving order: priority (higher first), then arrival."""
    q = select(WaitlistEntry).where(
        WaitlistEntry.practice_id == practice_id, WaitlistEntry.status.in_(list(statuses))
    )
    if patient_id is not None:
        q = q.where(WaitlistEntry.patient_id == patient_id)
    if service_id is not None:
        q = q.where(WaitlistEntry.service_id == service_id)
    q = q.order_by(WaitlistEntry.priority.desc(), WaitlistEntry.created_at, WaitlistEntry.id).limit(limit)
    return (await s.execute(q)).scalars().all()


async def candidates(
    s: AsyncSession, practice_id: int, provider_id: int, datebook_id: int, starts_at: datetime
) -> Sequence[WaitlistEntry]:
    """Waiting entries that could take a slot of this provider at this datebook, in serving order,
    leaving out entries already offered this very slot once (an offer they let lapse or turned down)."""
    offered_before = exists().where(
        WaitlistOffer.practice_id == WaitlistEntry.practice_id,
        WaitlistOffer.entry_id == WaitlistEntry.id,
        WaitlistOffer.provider_id == provider_id,
        WaitlistOffer.starts_at == starts_at,
    )
    q = (
        select(WaitlistEntry)
        .where(
            WaitlistEntry.practice_id == practice_id,
            WaitlistEntry.status == WAITING,
            (WaitlistEntry.provider_id.is_(None)) | (WaitlistEntry.provider_id == provider_id),
            (WaitlistEntry.datebook_id.is_(None)) | (WaitlistEntry.datebook_id == datebook_id),
            ~offered_before,
        )
        .order_by(WaitlistEntry.priority.desc(), WaitlistEntry.created_at, WaitlistEntry.id)
        .limit(200)
    )
    return (await s.execute(q)).scalars().all()


async def open_offer(s: AsyncSession, practice_id: int, entry_id: int) -> WaitlistOffer | None:
    q = select(WaitlistOffer).where(
        WaitlistOffer.practice_id == practice_id,
        WaitlistOffer.entry_id == entry_id,
        WaitlistOffer.status == OPEN,
    )
    return (await s.execute(q)).scalar_one_or_none()


async def open_offers_of(
    s: AsyncSession, practice_id: int, entry_ids: Sequence[int]
) -> dict[int, WaitlistOffer]:
    if not entry_ids:
        return {}
    q = select(WaitlistOffer).where(
        WaitlistOffer.practice_id == practice_id,
        WaitlistOffer.entry_id.in_(list(entry_ids)),
        WaitlistOffer.status == OPEN,
    )
    return {o.entry_id: o for o in (await s.execute(q)).scalars().all()}


async def offer_of_appointment(
    s: AsyncSession, practice_id: int, appointment_id: int
) -> WaitlistOffer | None:
    q = select(WaitlistOffer).where(
        WaitlistOffer.practice_id == practice_id,
        WaitlistOffer.appointment_id == appointment_id,
        WaitlistOffer.status == OPEN,
    )
    return (await s.execute(q)).scalar_one_or_none()


async def lapsed(
    s: AsyncSession, practice_id: int | None, now: datetime, *, provider_id: int | None = None
) -> Sequence[WaitlistOffer]:
    """Open offers past their expiry (every practice's when `practice_id` is None: the worker's sweep)."""
    q = select(WaitlistOffer).where(WaitlistOffer.status == OPEN, WaitlistOffer.expires_at <= now)
    if practice_id is not None:
        q = q.where(WaitlistOffer.practice_id == practice_id)
    if provider_id is not None:
        q = q.where(WaitlistOffer.provider_id == provider_id)
    q = q.order_by(WaitlistOffer.practice_id, WaitlistOffer.expires_at)
    # Fresh values even for offers this session loaded before it took the providers' locks.
    return (await s.execute(q.execution_options(populate_existing=True))).scalars().all()


async def open_offers_in(
    s: AsyncSession, practice_id: int, provider_id: int, start: datetime, end: datetime
) -> Sequence[WaitlistOffer]:
    """Open offers of this provider starting inside [start, end)."""
    q = select(WaitlistOffer).where(
        WaitlistOffer.practice_id == practice_id,
        WaitlistOffer.provider_id == provider_id,
        WaitlistOffer.status == OPEN,
        WaitlistOffer.starts_at >= start,
        WaitlistOffer.starts_at < end,
    )
    return (await s.execute(q)).scalars().all()


async def accept_offer_of(
    s: AsyncSession, practice_id: int, appointment_id: int, now: datetime
) -> int | None:
    """The open offer holding this appointment, closed as accepted and its entry booked (the held
    slot was booked by any path: accepting, confirm_appointment, a lifecycle step). Its id, or None."""
    offer = await offer_of_appointment(s, practice_id, appointment_id)
    if offer is None:
        return None
    offer.status, offer.resolved_at = "accepted", now
    held_for = await entry(s, practice_id, offer.entry_id)
    if held_for is not None and held_for.status == "offered":
        held_for.status, held_for.updated_at = "booked", now
    return offer.id


async def offer(s: AsyncSession, practice_id: int, offer_id: int) -> WaitlistOffer | None:
    q = select(WaitlistOffer).where(WaitlistOffer.practice_id == practice_id, WaitlistOffer.id == offer_id)
    return (await s.execute(q)).scalar_one_or_none()
