"""Where, with whom and when a booking goes: the named provider's working hours and free time
checked, or a provider assigned among those who can do it (services/scheduling/assign.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import Conflict, Invalid
from frontdesk.domain.scheduling.ranges import TimeRange
from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.domain.settings import Values
from frontdesk.domain.timeparse import to_local_iso
from frontdesk.services.context import Principal
from frontdesk.services.scheduling import assign
from frontdesk.services.scheduling import booking_rules as rules
from frontdesk.services.scheduling.hours import describe_hours, local_day_window, open_ranges, within
from frontdesk.storage import models as m
from frontdesk.storage.repositories import appointments as repo
from frontdesk.storage.repositories import directory as dir_repo

if TYPE_CHECKING:
    from frontdesk.services.scheduling.appointments import BookingRequest

S = AppointmentStatus


async def decide(
    s: AsyncSession,
    p: Principal,
    now: datetime,
    req: BookingRequest,
    v: Values,
    books: list[m.Datebook],
    provider: m.Provider | None,
    service: m.Service | None,
    patient_id: int,
    when: dict[int, tuple[datetime, datetime]],
    retro: bool,
) -> tuple[m.Datebook, m.Provider, datetime, datetime, AppointmentStatus, str | None, list[str]]:
    """A retroactive session's place and time (no slot check), or a booking's: the no-show block
    checked, then the named provider's hours and free time, or an assigned provider."""
    details: list[str] = []
    if retro:
        book, provider = await rules.retroactive_place(s, p.practice_id, books, provider, patient_id)
        start, end = when[book.id]
        rules.check_retroactive(start, now)
        status, how = S.COMPLETED, None
        details.append("retroactive")
    else:
        if req.hold and any(t[0] < now for t in when.values()):
            raise Invalid("a hold must be for a future time", field="starts_at")
        if await rules.check_no_show_block(s, p.practice_id, patient_id, now, v, req.override_no_show_block):
            details.append("no_show_block_overridden")
        book, provider, start, end, how = await place(
            s, p.practice_id, req, v, books, provider, service, patient_id, when, now
        )
        status = S.HELD if req.hold else S.PENDING_CONFIRMATION if req.pending_until else S.SCHEDULED
    return book, provider, start, end, status, how, details


async def place(
    s: AsyncSession,
    practice_id: int,
    req: BookingRequest,
    v: Values,
    books: list[m.Datebook],
    provider: m.Provider | None,
    service: m.Service | None,
    patient_id: int,
    when: dict[int, tuple[datetime, datetime]],
    now: datetime,
) -> tuple[m.Datebook, m.Provider, datetime, datetime, str | None]:
    """Where, with whom and when: the named provider checked as before, or an assigned one."""
    if provider is not None and len(books) == 1:
        book = books[0]
        start, end = when[book.id]
        tz = ZoneInfo(book.timezone)
        await check_hours(s, practice_id, provider, book, start, end)
        await repo.lock_providers(s, practice_id, [provider.id])
        await repo.expire_holds(s, practice_id, provider.id, now)
        await check_free(s, practice_id, provider, start, end, now, req.allow_overlap, tz)
        return book, provider, start, end, None
    if provider is None and not v["availability.assistedAssignment"]:
        raise Invalid(
            "name a provider: automatic assignment is off (availability.assistedAssignment)",
            field="provider_id",
        )
    providers = [provider] if provider else list(await dir_repo.providers(s, practice_id))
    found = await assign.candidates(s, practice_id, service, books, providers, when)
    if not found:
        raise Invalid("nobody who can do this works then; call find_available_slots", field="starts_at")
    # Every candidate's lock, in one order: two auto-assigned bookings never take the same one.
    await repo.lock_providers(s, practice_id, [c.provider.id for c in found])
    options = await assign.free(s, practice_id, found, now)
    if not options:
        raise Conflict(
            "everyone who can do this is booked then; pick another time (call find_available_slots)",
            field="starts_at",
        )
    if provider is not None:
        c = options[0]
        return c.book, c.provider, c.start, c.end, None
    c, how = await assign.pick(
        s, practice_id, options, v, service_id=service.id if service else None, patient_id=patient_id
    )
    return c.book, c.provider, c.start, c.end, how


async def check_hours(
    s: AsyncSession,
    practice_id: int,
    provider: m.Provider,
    book: m.Datebook,
    start: datetime,
    end: datetime,
) -> None:
    tz = ZoneInfo(book.timezone)
    day = local_day_window(start, tz)
    window = TimeRange(day.start, max(day.end, end))
    ranges = (await open_ranges(s, practice_id, [provider.id], {book.id: book}, window)).get(
        (provider.id, book.id), []
    )
    if not within(ranges, TimeRange(start, end)):
        raise Invalid(
            f"{to_local_iso(start, tz)} to {to_local_iso(end, tz)} is outside "
            f"{provider.name}'s working hours at {book.name} ({describe_hours(ranges, tz)}); "
            "call find_available_slots",
            field="starts_at",
        )


async def check_free(
    s: AsyncSession,
    practice_id: int,
    provider: m.Provider,
    start: datetime,
    end: datetime,
    now: datetime,
    allow_overlap: bool,
    tz: ZoneInfo,
    exclude_id: int | None = None,
) -> None:
    clashes = await repo.overlapping(s, practice_id, provider.id, start, end, now, exclude_id=exclude_id)
    if clashes and not allow_overlap:
        first = clashes[0]
        raise Conflict(
            f"{provider.name} is already booked from {to_local_iso(first.starts_at, tz)} "
            f"to {to_local_iso(first.ends_at, tz)}; pick another time (call find_available_slots)",
            field="starts_at",
            details={"conflicting_appointment_ids": [c.id for c in clashes]},
        )
