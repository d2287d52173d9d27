"""Agendas, the services linked to them, public bookings and their tokens, scoped to one practice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.scheduling.status import ACTIVE_STATUSES, AppointmentStatus
from frontdesk.storage.models import Agenda, AgendaService, Appointment, PublicBooking, PublicToken

_ACTIVE = [s.value for s in ACTIVE_STATUSES]


async def all_of(s: AsyncSession, practice_id: int) -> Sequence[Agenda]:
    q = select(Agenda).where(Agenda.practice_id == practice_id).order_by(Agenda.id)
    return (await s.execute(q)).scalars().all()


async def get(s: AsyncSession, practice_id: int, agenda_id: int, *, lock: bool = False) -> Agenda | None:
    q = select(Agenda).where(Agenda.practice_id == practice_id, Agenda.id == agenda_id)
    return (await s.execute(q.with_for_update() if lock else q)).scalar_one_or_none()


async def by_slug(s: AsyncSession, practice_id: int, slug: str) -> Agenda | None:
    q = select(Agenda).where(Agenda.practice_id == practice_id, Agenda.slug == slug)
    return (await s.execute(q)).scalar_one_or_none()


async def default(s: AsyncSession, practice_id: int) -> Agenda | None:
    q = select(Agenda).where(Agenda.practice_id == practice_id, Agenda.is_default.is_(True))
    return (await s.execute(q.limit(1))).scalar_one_or_none()


async def clear_default(s: AsyncSession, practice_id: int, keep_id: int) -> None:
    q = (
        update(Agenda)
        .where(Agenda.practice_id == practice_id, Agenda.id != keep_id, Agenda.is_default.is_(True))
        .values(is_default=False)
        .execution_options(synchronize_session=False)
    )
    await s.execute(q)


async def service_ids(s: AsyncSession, practice_id: int, agenda_id: int) -> list[int]:
    q = select(AgendaService.service_id).where(
        AgendaService.practice_id == practice_id, AgendaService.agenda_id == agenda_id
    )
    return sorted((await s.execute(q)).scalars().all())


async def set_services(s: AsyncSession, practice_id: int, agenda_id: int, ids: Sequence[int]) -> None:
    await unlink_services(s, practice_id, agenda_id)
    s.add_all(AgendaService(practice_id=practice_id, agenda_id=agenda_id, service_id=i) for i in set(ids))
    await s.flush()


async def unlink_services(s: AsyncSession, practice_id: int, agenda_id: int) -> int:
    q = delete(AgendaService).where(
        AgendaService.practice_id == practice_id, AgendaService.agenda_id == agenda_id
    )
    return (await s.execute(q)).rowcount or 0  # type: ignore[attr-defined]


async def session_counts(s: AsyncSession, practice_id: int) -> dict[int, int]:
    """Per agenda, the sessions booked through it."""
    q = (
        select(PublicBooking.agenda_id, func.count())
        .where(PublicBooking.practice_id == practice_id, PublicBooking.agenda_id.is_not(None))
        .group_by(PublicBooking.agenda_id)
    )
    return {int(a or 0): int(n) for a, n in (await s.execute(q)).all()}


async def active_sessions(s: AsyncSession, practice_id: int, agenda_id: int) -> Sequence[Appointment]:
    q = (
        select(Appointment)
        .join(
            PublicBooking,
            (PublicBooking.practice_id == Appointment.practice_id)
            & (PublicBooking.appointment_id == Appointment.id),
        )
        .where(
            Appointment.practice_id == practice_id,
            PublicBooking.agenda_id == agenda_id,
            Appointment.status.in_(_ACTIVE),
        )
        .with_for_update(of=Appointment)
    )
    return (await s.execute(q)).scalars().all()


async def detach_bookings(s: AsyncSession, practice_id: int, agenda_id: int) -> None:
    q = (
        update(PublicBooking)
        .where(PublicBooking.practice_id == practice_id, PublicBooking.agenda_id == agenda_id)
        .values(agenda_id=None)
        .execution_options(synchronize_session=False)
    )
    await s.execute(q)


async def remove(s: AsyncSession, row: Agenda) -> None:
    await s.delete(row)
    await s.flush()


# --- public bookings and tokens ------------------------------------------------------------------


async def public_booking(s: AsyncSession, practice_id: int, appointment_id: int) -> PublicBooking | None:
    q = select(PublicBooking).where(
        PublicBooking.practice_id == practice_id, PublicBooking.appointment_id == appointment_id
    )
    return (await s.execute(q)).scalar_one_or_none()


async def pending_for_contact(
    s: AsyncSession, practice_id: int, email: str | None, phone: str | None, now: datetime
) -> int:
    """Unconfirmed, unexpired public bookings held under this email or phone."""
    who = []
    if email:
        who.append(PublicBooking.email == email)
    if phone:
        who.append(PublicBooking.phone == phone)
    if not who:
        return 0

    q = (
        select(func.count())
        .select_from(PublicBooking)
        .join(
            Appointment,
            (Appointment.practice_id == PublicBooking.practice_id)
            & (Appointment.id == PublicBooking.appointment_id),
        )
        .where(
            PublicBooking.practice_id == practice_id,
            or_(*who),
            Appointment.status == AppointmentStatus.PENDING_CONFIRMATION.value,
            Appointment.hold_expires_at > now,
        )
    )
    return int((await s.execute(q)).scalar_one())


async def token(s: AsyncSession, practice_id: int, purpose: str, token_hash: str) -> PublicToken | None:
    q = select(PublicToken).where(
        PublicToken.practice_id == practice_id,
        PublicToken.token_hash == token_hash,
        PublicToken.purpose == purpose,
    )
    return (await s.execute(q)).scalar_one_or_none()


async def retire_tokens(
    s: AsyncSession, practice_id: int, appointment_id: int, now: datetime, *, purpose: str | None = None
) -> None:
    """The booking's tokens (of one purpose, or all) stop working: it was cancelled or moved."""
    q = (
        update(PublicToken)
        .where(
            PublicToken.practice_id == practice_id,
            PublicToken.appointment_id == appointment_id,
            PublicToken.used_at.is_(None),
            *([PublicToken.purpose == purpose] if purpose else []),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    await s.execute(q)


async def lapsed_providers(s: AsyncSession, practice_id: int, now: datetime) -> list[int]:
    """Providers with an unconfirmed booking or hold past its time (for the sweep)."""
    q = (
        select(Appointment.provider_id)
        .where(
            Appointment.practice_id == practice_id,
            Appointment.status.in_(
                [AppointmentStatus.PENDING_CONFIRMATION.value, AppointmentStatus.HELD.value]
            ),
            Appointment.hold_expires_at <= now,
        )
        .distinct()
    )
    return [int(x) for x in (await s.execute(q)).scalars().all()]


async def practices_with_lapsed(s: AsyncSession, now: datetime) -> list[int]:
    q = (
        select(Appointment.practice_id)
        .where(
            Appointment.status == AppointmentStatus.PENDING_CONFIRMATION.value,
            Appointment.hold_expires_at <= now,
        )
        .distinct()
    )
    return [int(x) for x in (await s.execute(q)).scalars().all()]


async def reload(s: AsyncSession, row: Appointment) -> None:
    """Read the row again (a bulk update without session sync changed it underneath)."""
    await s.refresh(row)
