"""Practices, datebooks, providers, services and working hours: each query scoped to one practice.

The queries every tool call runs are built once, with bound parameters: SQLAlchemy computes a new
statement's cache key on every execution, which costs more than running it on a small table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import BindParameter, bindparam, func, select
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


_PID: BindParameter[int] = bindparam("practice_id")
_DATEBOOKS = select(Datebook).where(Datebook.practice_id == _PID).order_by(Datebook.id)
_ACTIVE_DATEBOOKS = _DATEBOOKS.where(Datebook.active.is_(True))
_DATEBOOK = select(Datebook).where(Datebook.practice_id == _PID, Datebook.id == bindparam("id"))


async def datebooks(s: AsyncSession, practice_id: int, *, active_only: bool = True) -> Sequence[Datebook]:
    q = _ACTIVE_DATEBOOKS if active_only else _DATEBOOKS
    return (await s.execute(q, {"practice_id": practice_id})).scalars().all()


async def datebook(s: AsyncSession, practice_id: int, datebook_id: int) -> Datebook | None:
    return (await s.execute(_DATEBOOK, {"practice_id": practice_id, "id": datebook_id})).scalar_one_or_none()


async def datebook_by_name(s: AsyncSession, practice_id: int, name: str) -> Sequence[Datebook]:
    q = select(Datebook).where(
        Datebook.practice_id == practice_id, func.lower(Datebook.name) == name.strip().lower()
    )
    return (await s.execute(q)).scalars().all()


_PROVIDERS = select(Provider).where(Provider.practice_id == _PID).order_by(Provider.name, Provider.id)
_ACTIVE_PROVIDERS = _PROVIDERS.where(Provider.active.is_(True))
_PROVIDER = select(Provider).where(Provider.practice_id == _PID, Provider.id == bindparam("id"))


async def providers(s: AsyncSession, practice_id: int, *, active_only: bool = True) -> Sequence[Provider]:
    q = _ACTIVE_PROVIDERS if active_only else _PROVIDERS
    return (await s.execute(q, {"practice_id": practice_id})).scalars().all()


async def provider(s: AsyncSession, practice_id: int, provider_id: int) -> Provider | None:
    return (await s.execute(_PROVIDER, {"practice_id": practice_id, "id": provider_id})).scalar_one_or_none()


async def provider_by_uid(s: AsyncSession, practice_id: int, uid: str) -> Provider | None:
    q = select(Provider).where(Provider.practice_id == practice_id, Provider.uid == uid)
    return (await s.execute(q)).scalar_one_or_none()


_SERVICES = select(Service).where(Service.practice_id == _PID).order_by(Service.id)
_ACTIVE_SERVICES = _SERVICES.where(Service.active.is_(True))
_SERVICE = select(Service).where(Service.practice_id == _PID, Service.id == bindparam("id"))


async def services(s: AsyncSession, practice_id: int, *, active_only: bool = True) -> Sequence[Service]:
    q = _ACTIVE_SERVICES if active_only else _SERVICES
    return (await s.execute(q, {"practice_id": practice_id})).scalars().all()


async def service(s: AsyncSession, practice_id: int, service_id: int) -> Service | None:
    return (await s.execute(_SERVICE, {"practice_id": practice_id, "id": service_id})).scalar_one_or_none()


_IDS: BindParameter[list[int]] = bindparam("provider_ids", expanding=True)
_HOURS = select(WorkingHours).where(WorkingHours.practice_id == _PID, WorkingHours.provider_id.in_(_IDS))
_HOURS_IN = _HOURS.where(WorkingHours.datebook_id == bindparam("datebook_id"))
_OVERRIDES = select(DateOverride).where(
    DateOverride.practice_id == _PID,
    DateOverride.provider_id.in_(_IDS),
    DateOverride.day >= bindparam("first"),
    DateOverride.day <= bindparam("last"),
)
_TIME_OFF = select(TimeOff).where(
    TimeOff.practice_id == _PID,
    TimeOff.provider_id.in_(_IDS),
    TimeOff.starts_at < bindparam("end"),
    TimeOff.ends_at > bindparam("start"),
)


async def hours_for(
    s: AsyncSession, practice_id: int, provider_ids: Sequence[int], datebook_id: int | None = None
) -> Sequence[WorkingHours]:
    params = {"practice_id": practice_id, "provider_ids": list(provider_ids)}
    if datebook_id is None:
        return (await s.execute(_HOURS, params)).scalars().all()
    return (await s.execute(_HOURS_IN, params | {"datebook_id": datebook_id})).scalars().all()


async def overrides_for(
    s: AsyncSession, practice_id: int, provider_ids: Sequence[int], first: date, last: date
) -> Sequence[DateOverride]:
    params = {"practice_id": practice_id, "provider_ids": list(provider_ids), "first": first, "last": last}
    return (await s.execute(_OVERRIDES, params)).scalars().all()


async def time_off_for(
    s: AsyncSession, practice_id: int, provider_ids: Sequence[int], start: datetime, end: datetime
) -> Sequence[TimeOff]:
    params = {"practice_id": practice_id, "provider_ids": list(provider_ids), "start": start, "end": end}
    return (await s.execute(_TIME_OFF, params)).scalars().all()
