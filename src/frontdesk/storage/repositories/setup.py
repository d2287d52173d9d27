"""Practice setup: service assignments, price history, weekly hours replaced whole, date overrides,
time off, practice-wide closures and the counts an organization summary needs. Every query takes
the practice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import (
    Appointment,
    Datebook,
    DateOverride,
    Patient,
    PracticeClosure,
    Provider,
    Service,
    ServicePrice,
    ServiceProvider,
    StaffUser,
    TimeOff,
    WorkingHours,
)

# --- service assignments ---------------------------------------------------------------------


async def assignments(s: AsyncSession, practice_id: int) -> Sequence[ServiceProvider]:
    q = select(ServiceProvider).where(ServiceProvider.practice_id == practice_id)
    return (await s.execute(q.order_by(ServiceProvider.id))).scalars().all()


async def providers_of(s: AsyncSession, practice_id: int, service_id: int) -> list[int]:
    q = select(ServiceProvider.provider_id).where(
        ServiceProvider.practice_id == practice_id, ServiceProvider.service_id == service_id
    )
    return list((await s.execute(q.order_by(ServiceProvider.provider_id))).scalars().all())


async def services_of(s: AsyncSession, practice_id: int, provider_id: int) -> list[int]:
    q = select(ServiceProvider.service_id).where(
        ServiceProvider.practice_id == practice_id, ServiceProvider.provider_id == provider_id
    )
    return list((await s.execute(q.order_by(ServiceProvider.service_id))).scalars().all())


async def unassign(s: AsyncSession, practice_id: int, service_id: int, provider_id: int) -> int:
    q = delete(ServiceProvider).where(
        ServiceProvider.practice_id == practice_id,
        ServiceProvider.service_id == service_id,
        ServiceProvider.provider_id == provider_id,
    )
    return int((await s.execute(q)).rowcount or 0)  # type: ignore[attr-defined]


async def service_by_name(s: AsyncSession, practice_id: int, name: str) -> Service | None:
    q = select(Service).where(Service.practice_id == practice_id, func.lower(Service.name) == name.lower())
    return (await s.execute(q)).scalars().first()


async def prices(s: AsyncSession, practice_id: int, service_id: int) -> Sequence[ServicePrice]:
    q = select(ServicePrice).where(
        ServicePrice.practice_id == practice_id, ServicePrice.service_id == service_id
    )
    return (await s.execute(q.order_by(ServicePrice.changed_at, ServicePrice.id))).scalars().all()


# --- weekly hours, overrides, time off, closures -------------------------------------------------


async def weekly(s: AsyncSession, practice_id: int, provider_id: int) -> Sequence[WorkingHours]:
    q = select(WorkingHours).where(
        WorkingHours.practice_id == practice_id, WorkingHours.provider_id == provider_id
    )
    order = (WorkingHours.datebook_id, WorkingHours.weekday, WorkingHours.start_time)
    return (await s.execute(q.order_by(*order))).scalars().all()


async def clear_weekly(
    s: AsyncSession, practice_id: int, provider_id: int, datebook_id: int | None = None
) -> None:
    """The provider's weekly hours and breaks (at one location, or everywhere) go."""
    q = delete(WorkingHours).where(
        WorkingHours.practice_id == practice_id, WorkingHours.provider_id == provider_id
    )
    if datebook_id is not None:
        q = q.where(WorkingHours.datebook_id == datebook_id)
    await s.execute(q)


async def overrides(
    s: AsyncSession, practice_id: int, provider_id: int | None, first: date, last: date
) -> Sequence[DateOverride]:
    q = select(DateOverride).where(
        DateOverride.practice_id == practice_id, DateOverride.day >= first, DateOverride.day <= last
    )
    if provider_id is not None:
        q = q.where(DateOverride.provider_id == provider_id)
    return (await s.execute(q.order_by(DateOverride.day, DateOverride.id))).scalars().all()


async def clear_override(
    s: AsyncSession, practice_id: int, provider_id: int, datebook_id: int, day: date
) -> None:
    await s.execute(
        delete(DateOverride).where(
            DateOverride.practice_id == practice_id,
            DateOverride.provider_id == provider_id,
            DateOverride.datebook_id == datebook_id,
            DateOverride.day == day,
        )
    )


async def time_off(
    s: AsyncSession, practice_id: int, provider_id: int | None, start: datetime, end: datetime
) -> Sequence[TimeOff]:
    q = select(TimeOff).where(
        TimeOff.practice_id == practice_id, TimeOff.starts_at < end, TimeOff.ends_at > start
    )
    if provider_id is not None:
        q = q.where(TimeOff.provider_id == provider_id)
    return (await s.execute(q.order_by(TimeOff.starts_at, TimeOff.id))).scalars().all()


async def time_off_by_id(s: AsyncSession, practice_id: int, time_off_id: int) -> TimeOff | None:
    q = select(TimeOff).where(TimeOff.practice_id == practice_id, TimeOff.id == time_off_id)
    return (await s.execute(q)).scalar_one_or_none()


async def override_by_id(s: AsyncSession, practice_id: int, override_id: int) -> DateOverride | None:
    q = select(DateOverride).where(DateOverride.practice_id == practice_id, DateOverride.id == override_id)
    return (await s.execute(q)).scalar_one_or_none()


async def closures(s: AsyncSession, practice_id: int, first: date, last: date) -> Sequence[PracticeClosure]:
    q = select(PracticeClosure).where(
        PracticeClosure.practice_id == practice_id,
        PracticeClosure.day >= first,
        PracticeClosure.day <= last,
    )
    return (await s.execute(q.order_by(PracticeClosure.day, PracticeClosure.id))).scalars().all()


async def closure_by_id(s: AsyncSession, practice_id: int, closure_id: int) -> PracticeClosure | None:
    q = select(PracticeClosure).where(
        PracticeClosure.practice_id == practice_id, PracticeClosure.id == closure_id
    )
    return (await s.execute(q)).scalar_one_or_none()


async def remove(s: AsyncSession, row: TimeOff | DateOverride | PracticeClosure) -> None:
    await s.delete(row)


# --- counts and people -------------------------------------------------------------------------


async def hours_by_provider(s: AsyncSession, practice_id: int) -> dict[int, int]:
    """Weekly working windows (not breaks) per provider."""
    q = (
        select(WorkingHours.provider_id, func.count())
        .where(WorkingHours.practice_id == practice_id, WorkingHours.kind == "work")
        .group_by(WorkingHours.provider_id)
    )
    return {int(pid): int(n) for pid, n in (await s.execute(q)).all()}


async def counts(s: AsyncSession, practice_id: int, now: datetime) -> dict[str, int]:
    async def n(q: object) -> int:
        return int((await s.execute(q)).scalar_one())  # type: ignore[call-overload]

    return {
        "locations": await n(
            select(func.count()).select_from(Datebook).where(Datebook.practice_id == practice_id)
        ),
        "providers": await n(
            select(func.count()).select_from(Provider).where(Provider.practice_id == practice_id)
        ),
        "services": await n(
            select(func.count()).select_from(Service).where(Service.practice_id == practice_id)
        ),
        "patients": await n(
            select(func.count()).select_from(Patient).where(Patient.practice_id == practice_id)
        ),
        "upcoming_appointments": await n(
            select(func.count())
            .select_from(Appointment)
            .where(
                Appointment.practice_id == practice_id,
                Appointment.starts_at >= now,
                Appointment.status.in_(("scheduled", "confirmed", "held")),
            )
        ),
        "staff": await n(
            select(func.count()).select_from(StaffUser).where(StaffUser.practice_id == practice_id)
        ),
    }


async def staff_with_role(s: AsyncSession, practice_id: int, role: str) -> Sequence[StaffUser]:
    q = select(StaffUser).where(
        StaffUser.practice_id == practice_id, StaffUser.role == role, StaffUser.disabled_at.is_(None)
    )
    return (await s.execute(q.order_by(StaffUser.name, StaffUser.id))).scalars().all()
