"""Weekly availability per provider per location, with breaks: replaced whole (admin_set_availability),
added to a block at a time (MedCor's appointment slots) and read back with the coming exceptions
(services/setup/exceptions.py makes those)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.errors import Conflict, Invalid
from frontdesk.domain.settings import Values
from frontdesk.domain.timeparse import parse_date
from frontdesk.services import audit
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.scheduling.waitlist import time_opened
from frontdesk.services.setup import rules
from frontdesk.services.setup.locations import get_location
from frontdesk.services.setup.providers import get_provider
from frontdesk.services.setup.shapes import BlockOut, ExceptionOut, LocationWeek, ScheduleOut
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import setup as repo

READ = (access.APPOINTMENTS_READ, access.ADMIN)
BLOCKS_MAX = 50
AHEAD = timedelta(days=90)  # exceptions a schedule read shows


@dataclass(frozen=True, slots=True)
class Block:
    day: str
    start: str
    end: str


Window = tuple[int, str, str]  # weekday, HH:MM start, HH:MM end


def _windows(blocks: Sequence[Block], field: str) -> list[Window]:
    if len(blocks) > BLOCKS_MAX:
        raise Invalid(f"{field}: at most {BLOCKS_MAX} blocks", field=field)
    out = []
    for i, b in enumerate(blocks):
        day = rules.day_index(b.day, field=f"{field}[{i}].day")
        start, end = rules.window(b.start, b.end, field=f"{field}[{i}]")
        out.append((day, start, end))
    out.sort()
    for (d1, _, e1), (d2, s2, _) in itertools.pairwise(out):
        if d1 == d2 and s2 < e1:
            raise Invalid(f"{field}: two blocks overlap on {rules.DAYS[d1]}", field=field)
    return out


def _week_checked(blocks: Sequence[Block], breaks: Sequence[Block]) -> tuple[list[Window], list[Window]]:
    work = _windows(blocks, "schedule")
    pauses = _windows(breaks, "breaks")
    for day, start, end in pauses:
        if not any(d == day and a <= start and end <= b for d, a, b in work):
            raise Invalid(
                f"breaks: the {rules.DAYS[day]} break {start}-{end} is outside that day's blocks",
                field="breaks",
            )
    return work, pauses


def default_week(v: Values) -> list[Block]:
    """The practice's default hours: Monday to Friday, and Saturday when it opens on Saturdays."""
    days = [
        Block(day, v["availability.weekdayStart"], v["availability.weekdayEnd"]) for day in rules.DAYS[:5]
    ]
    if v["availability.saturdayEnabled"]:
        days.append(Block(rules.DAYS[5], v["availability.saturdayStart"], v["availability.saturdayEnd"]))
    return days


def _week(rows: Sequence[m.WorkingHours], books: dict[int, m.Datebook]) -> list[LocationWeek]:
    out = []
    for book_id in sorted({r.datebook_id for r in rows}):
        book = books[book_id]
        mine = sorted((r for r in rows if r.datebook_id == book_id), key=lambda r: (r.weekday, r.start_time))

        def blocks(kind: str, mine: list[m.WorkingHours] = mine) -> list[BlockOut]:
            return [
                BlockOut(day=rules.DAYS[r.weekday], start=r.start_time, end=r.end_time)
                for r in mine
                if r.kind == kind
            ]

        out.append(
            LocationWeek(
                location_id=book.id,
                location_name=book.name,
                timezone=book.timezone,
                blocks=blocks("work"),
                breaks=blocks("break"),
            )
        )
    return out


def exceptions_out(
    off: Sequence[m.TimeOff], overrides: Sequence[m.DateOverride], closures: Sequence[m.PracticeClosure]
) -> list[ExceptionOut]:
    out = [
        ExceptionOut(
            id=f"timeoff:{t.id}",
            kind="time_off",
            provider_id=t.provider_id,
            start=t.starts_at.isoformat(),
            end=t.ends_at.isoformat(),
            closed=True,
            reason=t.reason,
        )
        for t in off
    ]
    out += [
        ExceptionOut(
            id=f"override:{o.id}",
            kind="override",
            provider_id=o.provider_id,
            location_id=o.datebook_id,
            day=o.day.isoformat(),
            start=o.start_time,
            end=o.end_time,
            closed=o.start_time is None,
        )
        for o in overrides
    ]
    out += [
        ExceptionOut(
            id=f"closure:{c.id}",
            kind="closure",
            location_id=c.datebook_id,
            day=c.day.isoformat(),
            start=c.start_time,
            end=c.end_time,
            closed=c.kind == "closed",
            reason=c.reason,
        )
        for c in closures
    ]
    return out


async def schedule_of(s: AsyncSession, practice_id: int, provider: m.Provider, now: datetime) -> ScheduleOut:
    rows = await repo.weekly(s, practice_id, provider.id)
    books = {b.id: b for b in await dir_repo.datebooks(s, practice_id, active_only=False)}
    today = now.date()
    off = await repo.time_off(s, practice_id, provider.id, now, now + AHEAD)
    ovs = await repo.overrides(s, practice_id, provider.id, today, today + AHEAD)
    closures = await repo.closures(s, practice_id, today, today + AHEAD)
    return ScheduleOut(
        provider_id=provider.id,
        provider_name=provider.name,
        locations=_week(rows, books),
        exceptions=exceptions_out(off, ovs, closures),
    )


async def _first_location(s: AsyncSession, practice_id: int) -> m.Datebook:
    """A practice without locations (one set up through Coordinalo, whose organization is the
    place) gets its first, named after it and in its time zone, when hours are first set."""
    practice = await dir_repo.practice_by_id(s, practice_id)
    assert practice is not None
    row = m.Datebook(
        practice_id=practice_id, name=practice.name[:120], timezone=practice.timezone, active=True
    )
    s.add(row)
    await s.flush()
    return row


async def location_for(
    s: AsyncSession, practice_id: int, provider_id: int, location_id: int | None
) -> m.Datebook:
    if location_id is not None:
        return await get_location(s, practice_id, location_id, "location_id")
    books = await dir_repo.datebooks(s, practice_id)
    if len(books) == 1:
        return books[0]
    used = {h.datebook_id for h in await repo.weekly(s, practice_id, provider_id)}
    if len(used) == 1:
        return await get_location(s, practice_id, used.pop(), "location_id")
    if not books:
        return await _first_location(s, practice_id)
    raise Invalid("location_id is required: the practice has several locations", field="location_id")


class ScheduleService:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc.scoped(read=READ, write=access.ADMIN)

    async def get(self, p: Principal, provider_id: int) -> ScheduleOut:
        async def body(s: AsyncSession, now: datetime) -> ScheduleOut:
            provider = await get_provider(s, p.practice_id, provider_id, "provider_id")
            return await schedule_of(s, p.practice_id, provider, now)

        return await self.uc.read(p, "schedule.read", "provider", provider_id, body)

    async def set_weekly(
        self,
        p: Principal,
        provider_id: int,
        blocks: Sequence[Block] | None,
        breaks: Sequence[Block] = (),
        location_id: int | None = None,
        idem: Idempotency | None = None,
    ) -> ScheduleOut:
        """Replace the provider's weekly schedule at one location (not additive). Without a location:
        the practice's only active one, or the only one the provider works at. Without blocks (None,
        not an empty week): the practice's default hours (settings chapter availability)."""
        checked = None if blocks is None else _week_checked(blocks, breaks)

        async def body(s: AsyncSession, now: datetime) -> ScheduleOut:
            work, pauses = checked or _week_checked(
                default_week(await settings_values(s, p.practice_id)), breaks
            )
            provider = await get_provider(s, p.practice_id, provider_id, "provider_id")
            book = await location_for(s, p.practice_id, provider.id, location_id)
            await repo.clear_weekly(s, p.practice_id, provider.id, book.id)
            for kind, windows in (("work", work), ("break", pauses)):
                for day, start, end in windows:
                    s.add(
                        m.WorkingHours(
                            practice_id=p.practice_id,
                            provider_id=provider.id,
                            datebook_id=book.id,
                            kind=kind,
                            weekday=day,
                            start_time=start,
                            end_time=end,
                        )
                    )
            await s.flush()
            # New hours may suit someone on the waitlist.
            await time_opened(s, p, provider.id, book.id, now, {day for day, _, _ in work})
            detail = f"location={book.id} blocks={len(work)} breaks={len(pauses)}"
            await audit.record(s, p, now, "schedule.replace", "provider", provider.id, detail=detail)
            return await schedule_of(s, p.practice_id, provider, now)

        return await self.uc.write(p, "schedule.replace", "provider", provider_id, body, ScheduleOut, idem)

    async def add_block(
        self,
        p: Principal,
        provider_id: int,
        block: Block,
        location_id: int | None = None,
        idem: Idempotency | None = None,
    ) -> ScheduleOut:
        """One more weekly block (MedCor's appointment slot); one overlapping that day is refused."""
        ((day, start, end),) = _windows([block], "slot")

        async def body(s: AsyncSession, now: datetime) -> ScheduleOut:
            provider = await get_provider(s, p.practice_id, provider_id, "doctor_id")
            book = await location_for(s, p.practice_id, provider.id, location_id)
            for h in await repo.weekly(s, p.practice_id, provider.id):
                if h.kind == "work" and h.datebook_id == book.id and h.weekday == day:
                    if start < h.end_time and h.start_time < end:
                        raise Conflict(
                            f"{provider.name} already has {rules.DAYS[day]} {h.start_time}-{h.end_time} "
                            f"at {book.name}",
                            field="start",
                        )
            s.add(
                m.WorkingHours(
                    practice_id=p.practice_id,
                    provider_id=provider.id,
                    datebook_id=book.id,
                    kind="work",
                    weekday=day,
                    start_time=start,
                    end_time=end,
                )
            )
            await s.flush()
            await time_opened(s, p, provider.id, book.id, now, {day})  # may suit the waitlist
            detail = f"location={book.id} {rules.DAYS[day]} {start}-{end}"
            await audit.record(s, p, now, "schedule.add_block", "provider", provider.id, detail=detail)
            return await schedule_of(s, p.practice_id, provider, now)

        return await self.uc.write(p, "schedule.add_block", "provider", provider_id, body, ScheduleOut, idem)

    async def weekly_blocks(
        self, p: Principal, provider_id: int | None, day: str | None
    ) -> list[ScheduleOut]:
        """Each provider's weekly blocks (one provider, or every active one), only `day`'s weekday
        when given."""
        weekday = parse_date(day, field="date").weekday() if day else None

        async def body(s: AsyncSession, now: datetime) -> list[ScheduleOut]:
            if provider_id is not None:
                provs = [await get_provider(s, p.practice_id, provider_id, "doctor_id")]
            else:
                provs = list(await dir_repo.providers(s, p.practice_id))
            books = {b.id: b for b in await dir_repo.datebooks(s, p.practice_id, active_only=False)}
            out = []
            for pr in provs:
                rows = [
                    r
                    for r in await repo.weekly(s, p.practice_id, pr.id)
                    if weekday is None or r.weekday == weekday
                ]
                out.append(
                    ScheduleOut(provider_id=pr.id, provider_name=pr.name, locations=_week(rows, books))
                )
            return out

        return await self.uc.read(p, "schedule.list", "provider", provider_id, body)
