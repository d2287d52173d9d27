"""Services (the catalogue): name, category, description, duration, price (integer minor units and
an ISO 4217 code), buffers, active, discoverable; every price change is kept in the price history;
providers are assigned to and unassigned from a service (one with none cannot be booked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access, validation
from frontdesk.domain.errors import Conflict, Invalid, NotFound
from frontdesk.domain.text import fold
from frontdesk.services import audit, currencies
from frontdesk.services.admin.settings import values
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.setup import rules
from frontdesk.services.setup.providers import get_provider
from frontdesk.services.setup.shapes import PriceOut, ServiceOut
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import setup as repo

READ = (access.APPOINTMENTS_READ, access.ADMIN)
PRICE_MAX = 100_000_000  # minor units: a million in any currency with cents
CATEGORY_MAX = 80
DESCRIPTION_MAX = 1000


@dataclass(frozen=True, slots=True)
class ServiceFields:
    name: str | None = None
    category: str | None = None
    description: str | None = None
    duration_minutes: int | None = None
    price_cents: int | None = None
    # Or the price in the currency's own units ("95.50" USD, "25000" CLP), turned into minor units once the
    # currency is known; `price_field` is the name the caller's surface gives it, for errors.
    price: Decimal | None = None
    price_field: str | None = None  # "price" when None
    currency: str | None = None
    buffer_before_minutes: int | None = None
    buffer_after_minutes: int | None = None
    active: bool | None = None
    discoverable: bool | None = None


@dataclass(frozen=True, slots=True)
class ServiceFilter:
    active: bool | None = True  # None: active and inactive
    discoverable: bool | None = None
    category: str | None = None
    search: str | None = None


async def service_out(
    s: AsyncSession, practice_id: int, row: m.Service, *, history: bool = False
) -> ServiceOut:
    assigned = await repo.providers_of(s, practice_id, row.id)
    prices = None
    if history:
        prices = [
            PriceOut(
                price_cents=r.price_cents,
                currency=r.currency,
                previous_cents=r.previous_cents,
                previous_currency=r.previous_currency,
                changed_at=r.changed_at.isoformat(),
                changed_by=r.changed_by,
            )
            for r in await repo.prices(s, practice_id, row.id)
        ]
    return ServiceOut(
        id=row.id,
        name=row.name,
        category=row.category,
        description=row.description,
        duration_minutes=row.duration_minutes,
        price_cents=row.price_cents,
        currency=row.currency,
        buffer_before_minutes=row.buffer_before_minutes,
        buffer_after_minutes=row.buffer_after_minutes,
        active=row.active,
        discoverable=row.discoverable,
        provider_ids=assigned,
        bookable=row.active and bool(assigned),
        price_history=prices,
    )


async def get_service(
    s: AsyncSession, practice_id: int, service_id: int, field: str = "service_id"
) -> m.Service:
    row = await dir_repo.service(s, practice_id, service_id)
    if row is None:
        raise NotFound(f"no service with id {service_id}; call service_list", field=field)
    return row


def _text(value: str | None, field: str, max_len: int) -> str | None:
    return validation.required_text(value, field=field, max_len=max_len) if value and value.strip() else None


def apply_fields(row: m.Service, f: ServiceFields) -> list[str]:
    if f.name is not None:
        row.name = validation.required_text(f.name, field="name")
    if f.category is not None:
        row.category = _text(f.category, "category", CATEGORY_MAX)
    if f.description is not None:
        row.description = _text(f.description, "description", DESCRIPTION_MAX)
    if f.duration_minutes is not None:
        row.duration_minutes = rules.minutes(f.duration_minutes, field="duration_minutes", lo=5)
    if f.price_cents is not None:
        if not 0 <= f.price_cents <= PRICE_MAX:
            raise Invalid(f"price_cents must be from 0 to {PRICE_MAX} (minor units)", field="price_cents")
        row.price_cents = f.price_cents
    if f.currency is not None:
        row.currency = rules.currency(f.currency)
    if f.price is not None:
        where = f.price_field or "price"
        cents = currencies.to_minor(f.price, row.currency, field=where)
        if not 0 <= cents <= PRICE_MAX:
            raise Invalid(f"{where} must be from 0 to {PRICE_MAX} minor units", field=where)
        row.price_cents = cents
    if f.buffer_before_minutes is not None:
        row.buffer_before_minutes = rules.minutes(
            f.buffer_before_minutes, field="buffer_before_minutes", hi=240
        )
    if f.buffer_after_minutes is not None:
        row.buffer_after_minutes = rules.minutes(f.buffer_after_minutes, field="buffer_after_minutes", hi=240)
    if f.active is not None:
        row.active = f.active
    if f.discoverable is not None:
        row.discoverable = f.discoverable
    return [n for n in ServiceFields.__dataclass_fields__ if getattr(f, n) is not None]


def _price(row: m.Service, p: Principal, now: datetime, before: tuple[int, str] | None) -> m.ServicePrice:
    return m.ServicePrice(
        practice_id=row.practice_id,
        service_id=row.id,
        price_cents=row.price_cents,
        currency=row.currency,
        previous_cents=before[0] if before else None,
        previous_currency=before[1] if before else None,
        changed_at=now,
        changed_by=p.actor[:120],
    )


async def add_service(
    s: AsyncSession, p: Principal, now: datetime, f: ServiceFields, provider_ids: list[int] | None = None
) -> m.Service:
    """A new service in the caller's transaction. Its providers: those given, else the practice's
    only active provider when it has exactly one (nobody else could deliver it)."""
    name = validation.required_text(f.name, field="name")
    if f.duration_minutes is None:
        raise Invalid("duration_minutes is required", field="duration_minutes")
    if await repo.service_by_name(s, p.practice_id, name) is not None:
        raise Conflict(f"a service named {name!r} already exists", field="name")
    settings = await values(s, p.practice_id)
    row = m.Service(
        practice_id=p.practice_id,
        name=name,
        duration_minutes=30,
        price_cents=0,
        currency=str(settings["basics.currency"]),
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        active=True,
        discoverable=True,
    )
    apply_fields(row, f)
    s.add(row)
    await s.flush()
    s.add(_price(row, p, now, None))
    if provider_ids is None:
        active = await dir_repo.providers(s, p.practice_id)
        provider_ids = [active[0].id] if len(active) == 1 else []
    for pid in dict.fromkeys(provider_ids):
        await get_provider(s, p.practice_id, pid, "provider_ids")
        s.add(m.ServiceProvider(practice_id=p.practice_id, service_id=row.id, provider_id=pid))
    await s.flush()
    detail = "providers=" + ",".join(map(str, provider_ids)) if provider_ids else None
    await audit.record(s, p, now, "service.create", "service", row.id, detail=detail)
    return row


class CatalogueService:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc.scoped(read=READ, write=access.ADMIN)

    async def find(self, p: Principal, flt: ServiceFilter) -> list[ServiceOut]:
        words = fold(flt.search or "").split()
        category = fold(flt.category or "")

        async def body(s: AsyncSession, now: datetime) -> list[ServiceOut]:
            rows = await dir_repo.services(s, p.practice_id, active_only=False)
            out = []
            for r in rows:
                if flt.active is not None and r.active != flt.active:
                    continue
                if flt.discoverable is not None and r.discoverable != flt.discoverable:
                    continue
                if category and fold(r.category or "") != category:
                    continue
                hay = fold(f"{r.name} {r.category or ''} {r.description or ''}")
                if any(w not in hay for w in words):
                    continue
                out.append(await service_out(s, p.practice_id, r))
            return out

        return await self.uc.read(p, "service.list", "service", None, body)

    async def get(self, p: Principal, service_id: int) -> ServiceOut:
        async def body(s: AsyncSession, now: datetime) -> ServiceOut:
            row = await get_service(s, p.practice_id, service_id)
            return await service_out(s, p.practice_id, row, history=True)

        return await self.uc.read(p, "service.read", "service", service_id, body)

    async def create(
        self,
        p: Principal,
        f: ServiceFields,
        provider_ids: list[int] | None = None,
        idem: Idempotency | None = None,
    ) -> ServiceOut:
        async def body(s: AsyncSession, now: datetime) -> ServiceOut:
            return await service_out(s, p.practice_id, await add_service(s, p, now, f, provider_ids))

        return await self.uc.write(p, "service.create", "service", None, body, ServiceOut, idem)

    async def update(
        self,
        p: Principal,
        service_id: int,
        f: ServiceFields,
        idem: Idempotency | None = None,
        *,
        field: str = "service_id",  # the caller's name for the id (MedCor's treatment_id)
    ) -> ServiceOut:
        async def body(s: AsyncSession, now: datetime) -> ServiceOut:
            row = await get_service(s, p.practice_id, service_id, field)
            before = (row.price_cents, row.currency)
            if f.name is not None:
                other = await repo.service_by_name(s, p.practice_id, f.name.strip())
                if other is not None and other.id != row.id:
                    raise Conflict(f"a service named {f.name.strip()!r} already exists", field="name")
            changed = apply_fields(row, f)
            if (row.price_cents, row.currency) != before:
                s.add(_price(row, p, now, before))  # the price history keeps every change
            await s.flush()
            await audit.record(s, p, now, "service.update", "service", row.id, detail=",".join(changed))
            return await service_out(s, p.practice_id, row, history=True)

        return await self.uc.write(p, "service.update", "service", service_id, body, ServiceOut, idem)

    async def assign(
        self,
        p: Principal,
        service_id: int,
        provider_id: int,
        *,
        assigned: bool = True,
        idem: Idempotency | None = None,
    ) -> ServiceOut:
        """Assign (or unassign) a provider; assigning twice or unassigning someone not assigned
        changes nothing."""
        action = "service.assign_provider" if assigned else "service.unassign_provider"

        async def body(s: AsyncSession, now: datetime) -> ServiceOut:
            row = await get_service(s, p.practice_id, service_id)
            await get_provider(s, p.practice_id, provider_id, "provider_id")
            current = await repo.providers_of(s, p.practice_id, row.id)
            if assigned and provider_id not in current:
                s.add(
                    m.ServiceProvider(practice_id=p.practice_id, service_id=row.id, provider_id=provider_id)
                )
                await s.flush()
            elif not assigned and provider_id in current:
                await repo.unassign(s, p.practice_id, row.id, provider_id)
            await audit.record(s, p, now, action, "service", row.id, detail=f"provider={provider_id}")
            return await service_out(s, p.practice_id, row)

        return await self.uc.write(p, action, "service", service_id, body, ServiceOut, idem)
