"""Calendar feeds and feedback requests (the post-session 0-10 question), scoped to one practice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import (
    Appointment,
    CalendarFeed,
    Datebook,
    FeedbackRequest,
    FeedbackToken,
    Patient,
    Provider,
    Service,
)

# --- calendar feeds -------------------------------------------------------------------------------


async def feed_of(s: AsyncSession, practice_id: int, provider_id: int) -> CalendarFeed | None:
    q = select(CalendarFeed).where(
        CalendarFeed.practice_id == practice_id, CalendarFeed.provider_id == provider_id
    )
    return (await s.execute(q)).scalar_one_or_none()


async def feed_by_hash(s: AsyncSession, practice_id: int, token_hash: str) -> CalendarFeed | None:
    """The live feed with this token (a revoked one is not found)."""
    q = select(CalendarFeed).where(
        CalendarFeed.practice_id == practice_id,
        CalendarFeed.token_hash == token_hash,
        CalendarFeed.revoked_at.is_(None),
    )
    return (await s.execute(q)).scalar_one_or_none()


async def put_feed(
    s: AsyncSession, practice_id: int, provider_id: int, token_hash: str, now: datetime, by: str
) -> CalendarFeed:
    """The provider's feed with a new token (the row is kept: one per provider)."""
    row = await feed_of(s, practice_id, provider_id)
    if row is None:
        row = CalendarFeed(practice_id=practice_id, provider_id=provider_id)
        s.add(row)
    row.token_hash, row.created_at, row.created_by = token_hash, now, by[:120]
    row.revoked_at, row.last_fetched_at = None, None
    await s.flush()
    return row


async def fetched(s: AsyncSession, practice_id: int, feed_id: int, now: datetime) -> None:
    await s.execute(
        update(CalendarFeed)
        .where(CalendarFeed.practice_id == practice_id, CalendarFeed.id == feed_id)
        .values(last_fetched_at=now)
    )


# One feed event's facts: the appointment, its patient's name, its service and location.
FeedRow = tuple[Appointment, str, str, str | None, str]
# One answer: score, comment, when, the provider's and the service's names.
AnswerRow = tuple[int, str | None, datetime, str, str | None]


async def provider_events(
    s: AsyncSession, practice_id: int, provider_id: int, start: datetime, end: datetime, limit: int
) -> Sequence[FeedRow]:
    a = Appointment
    q = (
        select(a, Patient.first_name, Patient.last_name, Service.name, Datebook.name)
        .join(Patient, and_(Patient.practice_id == a.practice_id, Patient.id == a.patient_id))
        .join(Datebook, and_(Datebook.practice_id == a.practice_id, Datebook.id == a.datebook_id))
        .outerjoin(Service, and_(Service.practice_id == a.practice_id, Service.id == a.service_id))
        .where(
            a.practice_id == practice_id,
            a.provider_id == provider_id,
            a.starts_at >= start,
            a.starts_at < end,
        )
        .order_by(a.starts_at, a.id)
        .limit(limit)
    )
    return [(r[0], r[1], r[2], r[3], r[4]) for r in (await s.execute(q)).all()]


async def earlier_of(s: AsyncSession, practice_id: int, ids: Sequence[int]) -> dict[int, int | None]:
    """id -> the appointment it was rescheduled from (to find the first of a chain: the invite UID)."""
    if not ids:
        return {}
    q = select(Appointment.id, Appointment.rescheduled_from_id).where(
        Appointment.practice_id == practice_id, Appointment.id.in_(list(ids))
    )
    return {i: f for i, f in (await s.execute(q)).all()}


# --- feedback requests ----------------------------------------------------------------------------


async def request_for(s: AsyncSession, practice_id: int, appointment_id: int) -> FeedbackRequest | None:
    q = select(FeedbackRequest).where(
        FeedbackRequest.practice_id == practice_id, FeedbackRequest.appointment_id == appointment_id
    )
    return (await s.execute(q)).scalar_one_or_none()


async def add_request(s: AsyncSession, row: FeedbackRequest) -> FeedbackRequest:
    s.add(row)
    await s.flush()
    return row


async def add_token(
    s: AsyncSession, practice_id: int, request_id: int, token_hash: str, now: datetime, expires: datetime
) -> None:
    s.add(
        FeedbackToken(
            practice_id=practice_id,
            request_id=request_id,
            token_hash=token_hash,
            created_at=now,
            expires_at=expires,
        )
    )
    await s.flush()


async def request_by_token(
    s: AsyncSession, practice_id: int, token_hash: str, now: datetime, *, lock: bool = False
) -> FeedbackRequest | None:
    """The request a live (unexpired) link reaches."""
    q = (
        select(FeedbackRequest)
        .join(
            FeedbackToken,
            and_(
                FeedbackToken.practice_id == FeedbackRequest.practice_id,
                FeedbackToken.request_id == FeedbackRequest.id,
            ),
        )
        .where(
            FeedbackToken.practice_id == practice_id,
            FeedbackToken.token_hash == token_hash,
            FeedbackToken.expires_at > now,
        )
    )
    if lock:
        q = q.with_for_update()
    return (await s.execute(q)).scalar_one_or_none()


async def answers(
    s: AsyncSession,
    practice_id: int,
    start: datetime,
    end: datetime,
    *,
    provider_id: int | None = None,
    service_id: int | None = None,
) -> tuple[list[AnswerRow], int]:
    """(the answers given in [start, end), newest first, with provider and service names; how many
    questions were asked for sessions in that range)."""
    r = FeedbackRequest
    where: list[Any] = [r.practice_id == practice_id]
    if provider_id is not None:
        where.append(r.provider_id == provider_id)
    if service_id is not None:
        where.append(r.service_id == service_id)
    q = (
        select(r.score, r.comment, r.answered_at, Provider.name, Service.name)
        .join(Provider, and_(Provider.practice_id == r.practice_id, Provider.id == r.provider_id))
        .outerjoin(Service, and_(Service.practice_id == r.practice_id, Service.id == r.service_id))
        .where(*where, r.answered_at >= start, r.answered_at < end, r.score.is_not(None))
        .order_by(r.answered_at.desc(), r.id.desc())
    )
    found: Any = (await s.execute(q)).all()  # answered rows: score and answered_at are set
    rows: list[AnswerRow] = [(r[0], r[1], r[2], r[3], r[4]) for r in found]
    asked = select(func.count()).select_from(r).where(*where, r.created_at >= start, r.created_at < end)
    asked = asked.where(r.sent_count > 0)
    return rows, int((await s.execute(asked)).scalar_one())
