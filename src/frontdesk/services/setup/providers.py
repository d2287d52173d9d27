"""Providers: created, changed and read by owners and admins (any staff may read); and the staff
users with the nurse role (MedCor's list_nurses)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access, validation
from frontdesk.domain.errors import Conflict, NotFound
from frontdesk.domain.text import fold
from frontdesk.services import audit
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.setup import rules
from frontdesk.services.setup.shapes import ProviderOut, StaffOut
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import setup as repo

READ = (access.APPOINTMENTS_READ, access.ADMIN)
UID_MAX = 36


@dataclass(frozen=True, slots=True)
class ProviderFields:
    name: str | None = None
    uid: str | None = None
    email: str | None = None
    phone: str | None = None
    specialty: str | None = None
    active: bool | None = None
    commission_percent: int | None = None
    image_url: str | None = None
    city: str | None = None
    state: str | None = None
    coverage_areas: list[str] | None = None


async def provider_out(s: AsyncSession, practice_id: int, row: m.Provider) -> ProviderOut:
    hours = await repo.weekly(s, practice_id, row.id)
    return ProviderOut(
        id=row.id,
        uid=row.uid,
        name=row.name,
        specialty=row.specialty,
        email=row.email,
        phone=row.phone,
        active=row.active,
        commission_percent=row.commission_percent,
        image_url=row.image_url,
        city=row.city,
        state=row.state,
        coverage_areas=rules.read_areas(row.coverage_areas),
        service_ids=await repo.services_of(s, practice_id, row.id),
        has_hours=any(h.kind == "work" for h in hours),
    )


async def get_provider(s: AsyncSession, practice_id: int, provider_id: int, field: str) -> m.Provider:
    row = await dir_repo.provider(s, practice_id, provider_id)
    if row is None:
        raise NotFound(f"no provider with id {provider_id}; call admin_list_providers", field=field)
    return row


def _place(value: str | None, field: str) -> str | None:
    return validation.required_text(value, field=field, max_len=100) if value and value.strip() else None


def apply_fields(row: m.Provider, f: ProviderFields) -> list[str]:
    """The given fields onto the row, each checked; the names of those changed."""
    changed = []
    if f.name is not None:
        row.name = validation.required_text(f.name, field="name")
    if f.specialty is not None:
        row.specialty = validation.required_text(f.specialty, field="specialty")
    if f.email is not None:
        row.email = validation.email(f.email, field="email")
    if f.phone is not None:
        row.phone = validation.phone(f.phone, field="phone")
    if f.active is not None:
        row.active = f.active
    if f.commission_percent is not None:
        row.commission_percent = rules.percent(f.commission_percent)
    if f.image_url is not None:
        row.image_url = rules.url(f.image_url, field="image_url")
    if f.city is not None:
        row.city = _place(f.city, "city")
    if f.state is not None:
        row.state = _place(f.state, "state")
    if f.coverage_areas is not None:
        row.coverage_areas = rules.areas(f.coverage_areas)
    for name in ProviderFields.__dataclass_fields__:
        if name != "uid" and getattr(f, name) is not None:
            changed.append(name)
    return changed


class ProviderService:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc.scoped(read=READ, write=access.ADMIN)

    async def find(
        self, p: Principal, *, include_inactive: bool = False, query: str | None = None
    ) -> list[ProviderOut]:
        words = fold(query or "").split()

        async def body(s: AsyncSession, now: datetime) -> list[ProviderOut]:
            rows = await dir_repo.providers(s, p.practice_id, active_only=not include_inactive)
            hay = {r.id: fold(f"{r.name} {r.specialty} {r.city or ''}") for r in rows}
            return [
                await provider_out(s, p.practice_id, r) for r in rows if all(w in hay[r.id] for w in words)
            ]

        return await self.uc.read(p, "provider.list", "provider", None, body)

    async def get(self, p: Principal, provider_id: int) -> ProviderOut:
        async def body(s: AsyncSession, now: datetime) -> ProviderOut:
            return await provider_out(
                s, p.practice_id, await get_provider(s, p.practice_id, provider_id, "provider_id")
            )

        return await self.uc.read(p, "provider.read", "provider", provider_id, body)

    async def create(self, p: Principal, f: ProviderFields, idem: Idempotency | None = None) -> ProviderOut:
        validation.required_text(f.name, field="name")

        async def body(s: AsyncSession, now: datetime) -> ProviderOut:
            row = await add_provider(s, p, now, f)
            return await provider_out(s, p.practice_id, row)

        return await self.uc.write(p, "provider.create", "provider", None, body, ProviderOut, idem)

    async def update(
        self, p: Principal, provider_id: int, f: ProviderFields, idem: Idempotency | None = None
    ) -> ProviderOut:
        async def body(s: AsyncSession, now: datetime) -> ProviderOut:
            row = await get_provider(s, p.practice_id, provider_id, "provider_id")
            changed = apply_fields(row, f)
            if f.uid is not None and f.uid.strip() != row.uid:
                uid = validation.required_text(f.uid, field="uid", max_len=UID_MAX)
                if await dir_repo.provider_by_uid(s, p.practice_id, uid) is not None:
                    raise Conflict("another provider already has that uid", field="uid")
                row.uid = uid
                changed.append("uid")
            await s.flush()
            await audit.record(s, p, now, "provider.update", "provider", row.id, detail=",".join(changed))
            return await provider_out(s, p.practice_id, row)

        return await self.uc.write(p, "provider.update", "provider", provider_id, body, ProviderOut, idem)

    async def nurses(self, p: Principal) -> list[StaffOut]:
        async def body(s: AsyncSession, now: datetime) -> list[StaffOut]:
            rows = await repo.staff_with_role(s, p.practice_id, access.Role.NURSE.value)
            return [StaffOut(id=r.id, name=r.name, email=r.email, role=r.role) for r in rows]

        return await self.uc.read(p, "staff.list", "staff", None, body)


async def add_provider(s: AsyncSession, p: Principal, now: datetime, f: ProviderFields) -> m.Provider:
    """A new provider in the caller's transaction (the import adds many in one)."""
    uid = validation.required_text(f.uid, field="uid", max_len=UID_MAX) if f.uid else str(uuid.uuid4())
    if await dir_repo.provider_by_uid(s, p.practice_id, uid) is not None:
        raise Conflict("another provider already has that uid", field="uid")
    row = m.Provider(practice_id=p.practice_id, uid=uid, name="", specialty="General", active=True)
    apply_fields(row, f)
    s.add(row)
    await s.flush()
    await audit.record(s, p, now, "provider.create", "provider", row.id)
    return row
