"""Locations (datebooks): created and changed by owners and admins; the time zone is checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access, validation
from frontdesk.domain.errors import Conflict, NotFound
from frontdesk.domain.timeparse import zone
from frontdesk.services import audit
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.setup.shapes import LocationOut
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo

READ = (access.APPOINTMENTS_READ, access.ADMIN)
PLACE_MAX = 100


@dataclass(frozen=True, slots=True)
class LocationFields:
    name: str | None = None
    timezone: str | None = None
    address: str | None = None
    city: str | None = None
    state: str | None = None
    active: bool | None = None


def location_out(row: m.Datebook) -> LocationOut:
    return LocationOut(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        address=row.address,
        city=row.city,
        state=row.state,
        active=row.active,
    )


def _optional(value: str | None, field: str, max_len: int) -> str | None:
    if value is None or not value.strip():
        return None
    return validation.required_text(value, field=field, max_len=max_len)


async def get_location(s: AsyncSession, practice_id: int, location_id: int, field: str) -> m.Datebook:
    row = await dir_repo.datebook(s, practice_id, location_id)
    if row is None:
        raise NotFound(f"no location with id {location_id}", field=field)
    return row


class LocationService:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc.scoped(read=READ, write=access.ADMIN)

    async def find(self, p: Principal, *, include_inactive: bool = False) -> list[LocationOut]:
        async def body(s: AsyncSession, now: datetime) -> list[LocationOut]:
            rows = await dir_repo.datebooks(s, p.practice_id, active_only=not include_inactive)
            return [location_out(r) for r in rows]

        return await self.uc.read(p, "location.list", "location", None, body)

    async def create(self, p: Principal, f: LocationFields, idem: Idempotency | None = None) -> LocationOut:
        name = validation.required_text(f.name, field="name")
        tz = zone(validation.required_text(f.timezone, field="timezone", max_len=64)).key

        async def body(s: AsyncSession, now: datetime) -> LocationOut:
            if await dir_repo.datebook_by_name(s, p.practice_id, name):
                raise Conflict(f"a location named {name!r} already exists", field="name")
            row = m.Datebook(
                practice_id=p.practice_id,
                name=name,
                timezone=tz,
                address=_optional(f.address, "address", 200),
                city=_optional(f.city, "city", PLACE_MAX),
                state=_optional(f.state, "state", PLACE_MAX),
                active=True if f.active is None else f.active,
            )
            s.add(row)
            await s.flush()
            await audit.record(s, p, now, "location.create", "location", row.id)
            return location_out(row)

        return await self.uc.write(p, "location.create", "location", None, body, LocationOut, idem)

    async def update(
        self, p: Principal, location_id: int, f: LocationFields, idem: Idempotency | None = None
    ) -> LocationOut:
        async def body(s: AsyncSession, now: datetime) -> LocationOut:
            row = await get_location(s, p.practice_id, location_id, "location_id")
            changed = []
            if f.name is not None:
                name = validation.required_text(f.name, field="name")
                clash = [r for r in await dir_repo.datebook_by_name(s, p.practice_id, name) if r.id != row.id]
                if clash:
                    raise Conflict(f"a location named {name!r} already exists", field="name")
                row.name = name
                changed.append("name")
            if f.timezone is not None:
                row.timezone = zone(f.timezone.strip()).key
                changed.append("timezone")
            for attr, max_len in (("address", 200), ("city", PLACE_MAX), ("state", PLACE_MAX)):
                value = getattr(f, attr)
                if value is not None:
                    setattr(row, attr, _optional(value, attr, max_len))
                    changed.append(attr)
            if f.active is not None:
                row.active = f.active
                changed.append("active")
            await s.flush()
            await audit.record(s, p, now, "location.update", "location", row.id, detail=",".join(changed))
            return location_out(row)

        return await self.uc.write(p, "location.update", "location", location_id, body, LocationOut, idem)
