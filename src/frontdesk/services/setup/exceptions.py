"""The exceptions to providers' weekly hours: a provider's time off and one-day overrides, and
practice-wide closures (holidays, closed windows, one-day hours for everyone), which the slot engine
(services/scheduling/hours.py) honours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.errors import Invalid, NotFound
from frontdesk.domain.timeparse import parse_date, parse_datetime
from frontdesk.services import audit
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.scheduling.waitlist import time_opened
from frontdesk.services.setup import rules
from frontdesk.services.setup.locations import get_location
from frontdesk.services.setup.providers import get_provider
from frontdesk.services.setup.schedules import AHEAD, READ, exceptions_out, location_for, schedule_of
from frontdesk.services.setup.shapes import ScheduleOut
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import setup as repo

CLOSURE_DAYS_MAX = 31


@dataclass(frozen=True, slots=True)
class Closure:
    day: str
    last_day: str | None = None
    location_id: int | None = None
    start: str | None = None
    end: str | None = None
    open_only: bool = False  # True: open only between start and end that day
    reason: str | None = None


async def _zone(s: AsyncSession, practice_id: int, provider_id: int) -> ZoneInfo:
    """Where a provider's times without an offset are read: their first location's zone, else the
    practice's."""
    hours = await repo.weekly(s, practice_id, provider_id)
    if hours:
        book = await dir_repo.datebook(s, practice_id, hours[0].datebook_id)
        if book is not None:
            return ZoneInfo(book.timezone)
    practice = await dir_repo.practice_by_id(s, practice_id)
    assert practice is not None
    return ZoneInfo(practice.timezone)


class ExceptionService:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc.scoped(read=READ, write=access.ADMIN)

    async def add_time_off(
        self,
        p: Principal,
        provider_id: int,
        start: str,
        end: str,
        reason: str | None = None,
        idem: Idempotency | None = None,
    ) -> ScheduleOut:
        async def body(s: AsyncSession, now: datetime) -> ScheduleOut:
            provider = await get_provider(s, p.practice_id, provider_id, "provider_id")
            tz = await _zone(s, p.practice_id, provider.id)
            lo = parse_datetime(start, tz, field="start")
            hi = parse_datetime(end, tz, field="end")
            if hi <= lo:
                raise Invalid("end must be after start", field="end")
            if hi - lo > timedelta(days=366):
                raise Invalid("time off may span at most 366 days", field="end")
            row = m.TimeOff(
                practice_id=p.practice_id,
                provider_id=provider.id,
                starts_at=lo,
                ends_at=hi,
                reason=_reason(reason),
            )
            s.add(row)
            await s.flush()
            await audit.record(
                s, p, now, "time_off.create", "time_off", row.id, detail=f"provider={provider.id}"
            )
            return await schedule_of(s, p.practice_id, provider, now)

        return await self.uc.write(p, "time_off.create", "provider", provider_id, body, ScheduleOut, idem)

    async def set_override(
        self,
        p: Principal,
        provider_id: int,
        day: str,
        start: str | None = None,
        end: str | None = None,
        location_id: int | None = None,
        idem: Idempotency | None = None,
    ) -> ScheduleOut:
        """One day's hours for a provider at a location (no times: not working that day); replaces that
        day's earlier override."""
        when = parse_date(day, field="day")
        times = _optional_window(start, end)

        async def body(s: AsyncSession, now: datetime) -> ScheduleOut:
            provider = await get_provider(s, p.practice_id, provider_id, "provider_id")
            book = await location_for(s, p.practice_id, provider.id, location_id)
            await repo.clear_override(s, p.practice_id, provider.id, book.id, when)
            row = m.DateOverride(
                practice_id=p.practice_id,
                provider_id=provider.id,
                datebook_id=book.id,
                day=when,
                start_time=times[0] if times else None,
                end_time=times[1] if times else None,
            )
            s.add(row)
            await s.flush()
            if times:  # a day's new hours may suit the waitlist
                await time_opened(s, p, provider.id, book.id, now, on=when)
            await audit.record(
                s, p, now, "override.set", "override", row.id, detail=f"provider={provider.id}"
            )
            return await schedule_of(s, p.practice_id, provider, now)

        return await self.uc.write(p, "override.set", "provider", provider_id, body, ScheduleOut, idem)

    async def add_closure(self, p: Principal, c: Closure, idem: Idempotency | None = None) -> ScheduleOut:
        """Practice-wide: a holiday (no times), a closed window, or open-only hours, on each day from
        `day` to `last_day`."""
        first = parse_date(c.day, field="day")
        last = parse_date(c.last_day, field="last_day") if c.last_day else first
        if last < first:
            raise Invalid("last_day must not be before day", field="last_day")
        if (last - first).days >= CLOSURE_DAYS_MAX:
            raise Invalid(f"a closure may span at most {CLOSURE_DAYS_MAX} days", field="last_day")
        times = _optional_window(c.start, c.end)
        if c.open_only and times is None:
            raise Invalid("open-only hours need start and end", field="start")

        async def body(s: AsyncSession, now: datetime) -> ScheduleOut:
            if c.location_id is not None:
                await get_location(s, p.practice_id, c.location_id, "location_id")
            rows = []
            for i in range((last - first).days + 1):
                row = m.PracticeClosure(
                    practice_id=p.practice_id,
                    datebook_id=c.location_id,
                    day=first + timedelta(days=i),
                    kind="hours" if c.open_only else "closed",
                    start_time=times[0] if times else None,
                    end_time=times[1] if times else None,
                    reason=_reason(c.reason),
                )
                s.add(row)
                rows.append(row)
            await s.flush()
            for row in rows:
                await audit.record(s, p, now, "closure.create", "closure", row.id, detail=str(row.day))
            return ScheduleOut(exceptions=exceptions_out([], [], rows))

        return await self.uc.write(p, "closure.create", "practice", p.practice_id, body, ScheduleOut, idem)

    async def exceptions(
        self, p: Principal, provider_id: int | None, start: str | None, end: str | None
    ) -> ScheduleOut:
        async def body(s: AsyncSession, now: datetime) -> ScheduleOut:
            first = parse_date(start, field="start") if start else now.date()
            last = parse_date(end, field="end") if end else first + AHEAD
            if last < first or (last - first) > timedelta(days=366):
                raise Invalid("end must be after start and at most 366 days later", field="end")
            name = None
            if provider_id is not None:
                name = (await get_provider(s, p.practice_id, provider_id, "provider_id")).name
            lo = datetime.combine(first, datetime.min.time(), tzinfo=now.tzinfo)
            hi = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)
            off = await repo.time_off(s, p.practice_id, provider_id, lo, hi)
            ovs = await repo.overrides(s, p.practice_id, provider_id, first, last)
            closures = await repo.closures(s, p.practice_id, first, last)
            return ScheduleOut(
                provider_id=provider_id, provider_name=name, exceptions=exceptions_out(off, ovs, closures)
            )

        return await self.uc.read(p, "schedule.exceptions", "practice", p.practice_id, body)

    async def remove_exception(
        self, p: Principal, exception_id: str, idem: Idempotency | None = None
    ) -> ScheduleOut:
        kind, _, raw = exception_id.strip().partition(":")
        if kind not in ("timeoff", "override", "closure") or not raw.isdigit() or len(raw) > 18:
            raise Invalid(
                "exception_id must look like timeoff:3, override:5 or closure:7", field="exception_id"
            )
        number = int(raw)

        async def body(s: AsyncSession, now: datetime) -> ScheduleOut:
            finder = {
                "timeoff": repo.time_off_by_id,
                "override": repo.override_by_id,
                "closure": repo.closure_by_id,
            }
            row = await finder[kind](s, p.practice_id, number)
            if row is None:
                raise NotFound(f"no exception {exception_id}", field="exception_id")
            gone = exceptions_out(
                [row] if isinstance(row, m.TimeOff) else [],
                [row] if isinstance(row, m.DateOverride) else [],
                [row] if isinstance(row, m.PracticeClosure) else [],
            )
            await repo.remove(s, row)
            await audit.record(s, p, now, f"{kind}.remove", kind, number)
            return ScheduleOut(exceptions=gone)

        return await self.uc.write(p, "exception.remove", kind, number, body, ScheduleOut, idem)


def _optional_window(start: str | None, end: str | None) -> tuple[str, str] | None:
    if not start and not end:
        return None
    if not start or not end:
        raise Invalid("give both start and end (HH:MM), or neither", field="start" if not start else "end")
    return rules.window(start, end, field="hours")


def _reason(reason: str | None) -> str | None:
    text = (reason or "").strip()
    if len(text) > 255:
        raise Invalid("reason must be at most 255 characters", field="reason")
    return text or None
