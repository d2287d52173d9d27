"""Campaigns, their audiences and their delivery logs, scoped to one practice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.campaigns import QUEUED, VISIT_STATUSES, Segment
from frontdesk.storage.clinical_models import PatientProfile
from frontdesk.storage.models import Appointment, Campaign, CampaignRecipient, MessageOptOut, Patient


@dataclass(frozen=True, slots=True)
class Member:
    """A client a segment selects."""

    patient_id: int
    email: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class LogRow:
    recipient: CampaignRecipient
    first_name: str
    last_name: str


async def add(s: AsyncSession, campaign: Campaign) -> Campaign:
    s.add(campaign)
    await s.flush()
    return campaign


async def get(s: AsyncSession, practice_id: int, campaign_id: int, *, lock: bool = False) -> Campaign | None:
    """`lock`: held until the transaction ends (PostgreSQL), so a campaign's finishing is counted once."""
    q = select(Campaign).where(Campaign.practice_id == practice_id, Campaign.id == campaign_id)
    if lock and s.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    return (await s.execute(q)).scalar_one_or_none()


async def listed(s: AsyncSession, practice_id: int, status: str | None, limit: int) -> Sequence[Campaign]:
    q = select(Campaign).where(Campaign.practice_id == practice_id)
    if status is not None:
        q = q.where(Campaign.status == status)
    q = q.order_by(Campaign.created_at.desc(), Campaign.id.desc()).limit(limit)
    return list((await s.execute(q)).scalars())


def _whatsapp_ok(practice_id: int) -> Any:
    opted = select(MessageOptOut.patient_id).where(
        MessageOptOut.practice_id == practice_id, MessageOptOut.channel == "whatsapp"
    )
    return and_(Patient.phone.is_not(None), Patient.phone != "", Patient.id.not_in(opted))


def _conditions(practice_id: int, seg: Segment, last: Any) -> list[Any]:
    status = func.coalesce(PatientProfile.status, "active")
    out: list[Any] = [Patient.practice_id == practice_id, status.in_(seg.record_statuses)]
    if seg.visited_from is not None:
        out.append(last >= seg.visited_from)
    if seg.visited_before is not None:
        before = last < seg.visited_before
        out.append(or_(before, last.is_(None)) if seg.include_never else before)
    if seg.never_visited is not None:
        out.append(last.is_(None) if seg.never_visited else last.is_not(None))
    if seg.created_from is not None:
        out.append(Patient.created_at >= seg.created_from)
    if seg.created_before is not None:
        out.append(Patient.created_at < seg.created_before)
    if seg.has_phone is not None:
        has = and_(Patient.phone.is_not(None), Patient.phone != "")
        out.append(has if seg.has_phone else not_(has))
    if seg.whatsapp is not None:
        ok = _whatsapp_ok(practice_id)
        out.append(ok if seg.whatsapp else not_(ok))
    return out


async def members(s: AsyncSession, practice_id: int, seg: Segment, now: datetime) -> list[Member]:
    """The clients `seg` selects, by id; a visit is a session started before `now`, not cancelled."""
    visits = (
        select(Appointment.patient_id, func.max(Appointment.starts_at).label("last"))
        .where(
            Appointment.practice_id == practice_id,
            Appointment.starts_at < now,
            Appointment.status.in_(VISIT_STATUSES),
        )
        .group_by(Appointment.patient_id)
        .subquery()
    )
    q = (
        select(Patient.id, Patient.email, Patient.phone)
        .outerjoin(visits, visits.c.patient_id == Patient.id)
        .outerjoin(
            PatientProfile,
            and_(
                PatientProfile.practice_id == Patient.practice_id,
                PatientProfile.patient_id == Patient.id,
            ),
        )
        .where(*_conditions(practice_id, seg, visits.c.last))
        .order_by(Patient.id)
    )
    return [Member(r.id, r.email or None, r.phone) for r in (await s.execute(q)).all()]


async def opted_out(s: AsyncSession, practice_id: int, channel: str) -> set[int]:
    q = select(MessageOptOut.patient_id).where(
        MessageOptOut.practice_id == practice_id, MessageOptOut.channel == channel
    )
    return set((await s.execute(q)).scalars())


async def add_recipients(s: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await s.execute(insert(CampaignRecipient), rows)


async def recipient(s: AsyncSession, practice_id: int, recipient_id: int) -> CampaignRecipient | None:
    q = select(CampaignRecipient).where(
        CampaignRecipient.practice_id == practice_id, CampaignRecipient.id == recipient_id
    )
    return (await s.execute(q)).scalar_one_or_none()


async def set_delivery(
    s: AsyncSession,
    practice_id: int,
    recipient_id: int,
    status: str,
    *,
    sent_at: datetime | None = None,
    error: str | None = None,
) -> None:
    values: dict[str, Any] = {"status": status, "error": error[:500] if error else None}
    if sent_at is not None:
        values["sent_at"] = sent_at
    stmt = (
        update(CampaignRecipient)
        .where(CampaignRecipient.practice_id == practice_id, CampaignRecipient.id == recipient_id)
        .values(**values)
    )
    await s.execute(stmt)


async def counts(s: AsyncSession, practice_id: int, campaign_id: int) -> dict[str, int]:
    q = (
        select(CampaignRecipient.status, func.count())
        .where(CampaignRecipient.practice_id == practice_id, CampaignRecipient.campaign_id == campaign_id)
        .group_by(CampaignRecipient.status)
    )
    return {str(status): int(n) for status, n in (await s.execute(q)).all()}


async def any_queued(s: AsyncSession, practice_id: int, campaign_id: int) -> bool:
    """Whether a recipient is still queued (one index probe: counting every time made the last of N
    messages cost N rows)."""
    q = (
        select(CampaignRecipient.id)
        .where(
            CampaignRecipient.practice_id == practice_id,
            CampaignRecipient.campaign_id == campaign_id,
            CampaignRecipient.status == QUEUED,
        )
        .limit(1)
    )
    return (await s.execute(q)).first() is not None


async def logs(s: AsyncSession, practice_id: int, campaign_id: int, limit: int) -> list[LogRow]:
    q = (
        select(CampaignRecipient, Patient.first_name, Patient.last_name)
        .join(
            Patient,
            and_(
                Patient.practice_id == CampaignRecipient.practice_id,
                Patient.id == CampaignRecipient.patient_id,
            ),
        )
        .where(CampaignRecipient.practice_id == practice_id, CampaignRecipient.campaign_id == campaign_id)
        .order_by(CampaignRecipient.id)
        .limit(limit)
    )
    return [LogRow(r, first, last) for r, first, last in (await s.execute(q)).all()]


async def last_due(s: AsyncSession, practice_id: int, channel: str) -> datetime | None:
    """The latest due time of this practice's campaign messages still queued on `channel` (a new
    campaign's messages follow them, so two campaigns together keep to the channel's rate)."""
    q = select(func.max(CampaignRecipient.due_at)).where(
        CampaignRecipient.practice_id == practice_id,
        CampaignRecipient.channel == channel,
        CampaignRecipient.status == QUEUED,
    )
    value = (await s.execute(q)).scalar_one_or_none()
    return value if isinstance(value, datetime) else None


async def ids_of(s: AsyncSession, practice_id: int, campaign_id: int) -> list[tuple[int, int]]:
    """(recipient id, patient id) of a campaign's queued recipients, by id."""
    q = (
        select(CampaignRecipient.id, CampaignRecipient.patient_id)
        .where(
            CampaignRecipient.practice_id == practice_id,
            CampaignRecipient.campaign_id == campaign_id,
            CampaignRecipient.status == QUEUED,
        )
        .order_by(CampaignRecipient.id)
    )
    return [(int(a), int(b)) for a, b in (await s.execute(q)).all()]
