"""Practices, datebooks, providers, services and working hours: each query scoped to one practice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import (
    Datebook,
    DateOverride,
    Practice,
    Provider,
    Service,
    TimeOff,
    WorkingHours,
)


async def practice_by_slug(s: AsyncSession, slug: str) -> Practice | None:
    return (await s.execute(select(Practice).where(Practice.slug == slug))).scalar_one_or_none()


async def practice_by_id(s: AsyncSession, practice_id: int) -> Practice | None:
    return await s.get(Practice, practice_id)


async def list_practices(s: AsyncSession) -> Sequence[Practice]:
    return (await s.execute(select(Practice).order_by(Practice.id))).scalars().all()


async def datebooks(s: AsyncSession, practice_id: int, *, active_only: bool = True) -> Sequence[Datebook]:
    q = select(Datebook).where(Datebook.practice_id == practice_id)
    if active_only:
        q = q.where(Datebook.active.is_(True))
    return (await s.execute(q.order_by(Datebook.id))).scalars().all()


async def datebook(s: AsyncSession, practice_id: int, datebook_id: int) -> Datebook | None:
    q = select(Datebook).where(Datebook.practice_id == practice_id, Datebook.id == datebook_id)
    return (await s.execute(q)).scalar_one_or_none()


async def datebook_by_name(s: AsyncSession, practice_id: int, name: str) -> Sequence[Datebook]:
    q = select(Datebook).where(
        Datebook.practice_id == practice_id, func.lower(Datebook.name) == name.strip().lower()
    )
    return (await s.execute(q)).scalars().all()


async def providers(s: AsyncSession, practice_id: int, *, active_only: bool = True) -> Sequence[Provider]:
    q = select(Provider).where(Provider.practice_id == practice_id)
    if active_only:
        q = q.where(Provider.active.is_(True))
    return (await s.execute(q.order_by(Provider.name, Provider.id))).scalars().all()


async def provider(s: AsyncSession, practice_id: int, provider_id: int) -> Provider | None:
    q = select(Provider).where(Provider.practice_id == practice_id, Provider.id == provider_id)
    return (await s.execute(q)).scalar_one_or_none()


async def provider_by_uid(s: AsyncSession, practice_id: int, uid: str) -> Provider | None:
    q = select(Provider).where(Provider.practice_id == practice_id, Provider.uid == uid)
    return (await s.execute(q)).scalar_one_or_none()


async def services(s: AsyncSession, practice_id: int, *, active_only: bool = True) -> Sequence[Service]:
    q = select(Service).where(Service.practice_id == practice_id)
    if active_only:
        q = q.where(Service.active.is_(True))
    return (await s.execute(q.order_by(Service.id))).scalars().all()


async def service(s: AsyncSession, practice_id: int, service_id: int) -> Service | None:
    q = select(Service).where(Service.practice_id == practice_id, Service.id == service_id)
    return (await s.execute(q)).scalar_one_or_none()


async def hours_for(
    s: AsyncSession, practice_id: int, provider_ids: Sequence[int], datebook_id: int | None = None
) -> Sequence[WorkingHours]:
    q = select(WorkingHours).where(
        WorkingHours.practice_id == practice_id, WorkingHours.provider_id.in_(provider_ids)
    )
    if datebook_id is not None:
        q = q.where(WorkingHours.datebook_id == datebook_id)
    return (await s.execute(q)).scalars().all()


async def overrides_for(
    s: AsyncSession, practice_id: int, provider_ids: Sequence[int], first: date, last: date
) -> Sequence[DateOverride]:
    q = select(DateOverride).where(
        DateOverride.practice_id == practice_id,
        DateOverride.provider_id.in_(provider_ids),
        DateOverride.day >= first,
        DateOverride.day <= last,
    )
    return (await s.execute(q)).scalars().all()


async def time_off_for(
    s: AsyncSession, practice_id: int, provider_ids: Sequence[int], start: datetime, end: datetime
) -> Sequence[TimeOff]:
    q = select(TimeOff).where(
        TimeOff.practice_id == practice_id,
        TimeOff.provider_id.in_(provider_ids),
        TimeOff.starts_at < end,
        TimeOff.ends_at > start,
    )
    return (await s.execute(q)).scalars().all()
