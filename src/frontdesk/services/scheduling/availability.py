"""Free-slot search across providers and datebooks."""

from __future__ import annotations

import math
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import Invalid, NotFound
from frontdesk.domain.scheduling.ranges import TimeRange
from frontdesk.domain.scheduling.slots import SlotRules, busy_by_provider, find_slots
from frontdesk.domain.timeparse import parse_datetime
from frontdesk.services import dto
from frontdesk.services.context import Clock, Principal
from frontdesk.services.directory import resolve_datebook, resolve_provider
from frontdesk.services.scheduling.catalogue import deliverers
from frontdesk.services.scheduling.hours import load_hours
from frontdesk.services.settings import Settings
from frontdesk.storage import models as m
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import appointments as repo
from frontdesk.storage.repositories import directory as dir_repo

MAX_SLOTS = 200
AT_TIME_DAYS = 14  # "book me at 09:00": the next day within this many that has it free
FIRST_SPAN = timedelta(days=1)  # the first stretch a search expands (see _next_span for the others)
PAD = timedelta(hours=2)  # bookings this close to a stretch can still block it (buffers)
Ranked = tuple[datetime, str, int, int, datetime]  # start, provider name, datebook, provider, end


def slot_id(datebook_id: int, provider_id: int, service_id: int | None, start: datetime, minutes: int) -> str:
    """Slots are not stored: the id carries what is needed to book it, and booking re-checks it."""
    return f"s{datebook_id}-{provider_id}-{service_id or 0}-{int(start.timestamp())}-{minutes}"


def parse_slot_id(value: str) -> tuple[int, int, int | None, datetime, int]:
    try:
        head, rest = value[0], value[1:]
        if head != "s":
            raise ValueError
        book, prov, serv, ts, minutes = (int(x) for x in rest.split("-"))
        return book, prov, (serv or None), datetime.fromtimestamp(ts, UTC), minutes
    except (ValueError, IndexError, OverflowError):
        raise Invalid("slotId is not a slot id from get_available_slots", field="slotId") from None


def _next_span(span: timedelta, covered: timedelta, found: int, limit: int) -> timedelta:
    """The next stretch: long enough, at the rate found so far, for the slots still missing and half
    as many again (each stretch costs a query and a day of margin each side); twice the last one when
    nothing was found yet."""
    if found == 0:
        return span * 2
    days = covered / timedelta(days=1) * (limit - found) / found * 1.5
    return max(FIRST_SPAN, timedelta(days=math.ceil(days)))


class AvailabilityService:
    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings

    async def find(
        self,
        p: Principal,
        *,
        start: str | None = None,
        end: str | None = None,
        datebook_id: int | None = None,
        datebook_name: str | None = None,
        provider_id: int | None = None,
        provider_uid: str | None = None,
        service_id: int | None = None,
        duration_minutes: int | None = None,
        days: int = 7,
        limit: int = MAX_SLOTS,
    ) -> list[dto.Slot]:
        """Free slots, earliest first. With no datebook, every datebook the provider(s) work at."""
        p.require("appointments:read")
        now = self.clock()
        limit = max(1, min(limit, MAX_SLOTS))
        async with self.db.read() as s:
            practice = await dir_repo.practice_by_id(s, p.practice_id)
            assert practice is not None
            if datebook_id is not None or datebook_name:
                only = await resolve_datebook(s, p.practice_id, datebook_id, datebook_name)
                books = {only.id: only}
            else:
                books = {b.id: b for b in await dir_repo.datebooks(s, p.practice_id)}
            ref_tz = ZoneInfo(next(iter(books.values())).timezone if len(books) == 1 else practice.timezone)
            lo = parse_datetime(start, ref_tz, field="start") if start else now
            hi = parse_datetime(end, ref_tz, field="end") if end else lo + timedelta(days=days)
            if hi <= lo:
                raise Invalid("end must be after start", field="end")
            if hi - lo > timedelta(days=self.settings.max_range_days):
                raise Invalid(f"the range may span at most {self.settings.max_range_days} days", field="end")
            if provider_id is not None or provider_uid:
                prov = await resolve_provider(s, p.practice_id, provider_id=provider_id, uid=provider_uid)
                providers = {prov.id: prov}
            else:
                providers = {r.id: r for r in await dir_repo.providers(s, p.practice_id)}
            service, minutes, rules, buffers = await self._rules(
                s, p.practice_id, service_id, duration_minutes
            )
            if (assigned := await deliverers(s, p.practice_id, service)) is not None:
                providers = {k: v for k, v in providers.items() if k in assigned}  # who delivers it
            ranked = await self._earliest(
                s, p.practice_id, providers, books, rules, buffers, lo, hi, now, limit
            )
        serv_id = service.id if service else None
        return [
            dto.Slot(
                slot_id=slot_id(book_id, prov_id, serv_id, start, minutes),
                datebook_id=book_id,
                datebook_name=books[book_id].name,
                timezone=books[book_id].timezone,
                provider_id=prov_id,
                provider_name=name,
                service_id=serv_id,
                starts_at=start,
                ends_at=end,
            )
            for start, name, book_id, prov_id, end in ranked[:limit]
        ]

    async def _rules(
        self, s: AsyncSession, practice_id: int, service_id: int | None, duration_minutes: int | None
    ) -> tuple[m.Service | None, int, SlotRules, dict[int, tuple[timedelta, timedelta]]]:
        """The service asked for (if any), the slot length, the slot rules, and every service's buffers
        (a booking of any service blocks its buffers too)."""
        services = {r.id: r for r in await dir_repo.services(s, practice_id, active_only=False)}
        service = None
        if service_id is not None:
            service = services.get(service_id)
            if service is None or not service.active:
                raise Invalid(
                    f"no active service with id {service_id}; call list_services", field="service_id"
                )
        minutes = service.duration_minutes if service else (duration_minutes or self.settings.slot_minutes)
        if not 5 <= minutes <= 12 * 60:
            raise Invalid("duration_minutes must be between 5 and 720", field="duration_minutes")
        rules = SlotRules(
            duration=timedelta(minutes=minutes),
            grid=timedelta(minutes=self.settings.slot_grid_minutes),
            buffer_before=timedelta(minutes=service.buffer_before_minutes if service else 0),
            buffer_after=timedelta(minutes=service.buffer_after_minutes if service else 0),
            min_notice=timedelta(minutes=self.settings.min_notice_minutes),
            horizon=timedelta(days=self.settings.horizon_days),
        )
        buffers = {
            sid: (timedelta(minutes=sv.buffer_before_minutes), timedelta(minutes=sv.buffer_after_minutes))
            for sid, sv in services.items()
            if sv.buffer_before_minutes or sv.buffer_after_minutes
        }
        return service, minutes, rules, buffers

    async def _earliest(
        self,
        s: AsyncSession,
        practice_id: int,
        providers: dict[int, m.Provider],
        books: dict[int, m.Datebook],
        rules: SlotRules,
        buffers: dict[int, tuple[timedelta, timedelta]],
        lo: datetime,
        hi: datetime,
        now: datetime,
        limit: int,
    ) -> list[Ranked]:
        """Slots starting in [lo, hi), sorted, at least the earliest `limit` of them. The range is
        searched a day first, then stretch by stretch until `limit` slots are found: every later slot
        starts after all of them, so the usual "next free times" question expands a day or two of
        hours and reads their bookings, not the whole range's."""
        ranked: list[Ranked] = []
        hours = await load_hours(s, practice_id, list(providers), books, TimeRange(lo, hi))
        if hours is None:
            return ranked
        start, span = lo, FIRST_SPAN
        while start < hi and len(ranked) < limit:
            stop = min(hi, start + span)
            # Room for a slot starting just before `stop` to end after it; such starts are the next
            # stretch's unless this is the last one.
            window = TimeRange(start, min(hi, stop + rules.duration))
            last = stop == hi
            opened = {k: v for k, v in hours.open(window).items() if v}
            if opened:
                busy_rows = await repo.busy_for(
                    s, practice_id, list({k[0] for k in opened}), start - PAD, window.end + PAD, now
                )
                busy = busy_by_provider(busy_rows, buffers)
                for (prov_id, book_id), ranges in opened.items():
                    tz = ZoneInfo(books[book_id].timezone)
                    name = providers[prov_id].name
                    for r in find_slots(ranges, busy.get(prov_id, []), rules, tz, now, window, limit):
                        if last or r.start < stop:
                            ranked.append((r.start, name, book_id, prov_id, r.end))
            ranked.sort(key=lambda x: (x[0], x[1], x[2]))
            start, span = stop, _next_span(span, stop - lo, len(ranked), limit)
        return ranked

    async def slot_at(self, p: Principal, provider: dto.ProviderInfo, when: str, *, field: str) -> dto.Slot:
        """The provider's free slot starting at `when`: "HH:MM" is the next day (within AT_TIME_DAYS)
        with that local time free at any of the provider's datebooks; a full ISO 8601 date-time must be
        free exactly then (without an offset it is read in each datebook's own time zone)."""
        text = when.strip()
        try:
            wanted: time | None = time.fromisoformat(text) if len(text) <= 8 else None
        except ValueError:
            raise Invalid(f"{field} must be HH:MM or an ISO 8601 date-time", field=field) from None
        if wanted is not None:
            slots = await self.find(p, provider_uid=provider.uid, days=AT_TIME_DAYS, limit=MAX_SLOTS)
            found = next(
                (x for x in slots if x.starts_at.astimezone(ZoneInfo(x.timezone)).time() == wanted), None
            )
            if found is None:
                raise NotFound(
                    f"{provider.name} has no free slot at {text} in the next {AT_TIME_DAYS} days; "
                    "call get_available_slots",
                    field=field,
                )
            return found
        async with self.db.read() as s:
            books = await dir_repo.datebooks(s, p.practice_id)
        for book in books:
            start = parse_datetime(text, ZoneInfo(book.timezone), field=field)
            slots = await self.find(
                p,
                provider_uid=provider.uid,
                datebook_id=book.id,
                start=start.isoformat(),
                end=(start + timedelta(days=1)).isoformat(),
                limit=1,
            )
            if slots and slots[0].starts_at == start:
                return slots[0]
        raise NotFound(f"{provider.name} is not free at {text}; call get_available_slots", field=field)
