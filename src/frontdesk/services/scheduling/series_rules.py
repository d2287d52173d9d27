"""What stands in the way of each occurrence of a series (past, outside hours, time off, busy, a
wall-clock time the zone skips or repeats), found with the booking rules AppointmentService applies
to a single appointment: the working hours, breaks, overrides and time off, and the overlap query
run after the provider lock."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.scheduling.ranges import TimeRange
from frontdesk.domain.timeparse import to_local_iso
from frontdesk.services.scheduling.hours import Hours, load_hours, local_day_window, within
from frontdesk.services.scheduling.recurrence import Occurrence
from frontdesk.storage import models as m
from frontdesk.storage.repositories import appointments as appt_repo

MESSAGES = {
    "past": "this time has already passed",
    "nonexistent_time": "this wall-clock time does not exist that day (skipped for daylight saving)",
    "ambiguous_time": "this wall-clock time happens twice that day (daylight saving ends); "
    "book it on its own with an offset",
    "outside_hours": "outside the provider's working hours",
    "time_off": "the provider is off then",
}


@dataclass(frozen=True, slots=True)
class Checked:
    occurrence: Occurrence
    slot: TimeRange | None  # None when the wall-clock time has no single instant
    reason: str | None = None  # None: free to book
    message: str | None = None
    clashes: list[int] = field(default_factory=list)


async def check_all(
    s: AsyncSession,
    practice_id: int,
    provider: m.Provider,
    book: m.Datebook,
    occurrences: list[Occurrence],
    minutes: int,
    now: datetime,
) -> list[Checked]:
    """Each occurrence with what prevents booking it. The caller holds the provider's lock."""
    tz = ZoneInfo(book.timezone)
    starts = [o.start for o in occurrences if o.start is not None]
    hours = None
    if starts:
        window = TimeRange(min(starts) - timedelta(days=1), max(starts) + timedelta(days=2))
        hours = await load_hours(s, practice_id, [provider.id], {book.id: book}, window)
    out = []
    for o in occurrences:
        out.append(await _check(s, practice_id, provider, book, tz, hours, o, minutes, now))
    return out


async def _check(
    s: AsyncSession,
    practice_id: int,
    provider: m.Provider,
    book: m.Datebook,
    tz: ZoneInfo,
    hours: Hours | None,
    o: Occurrence,
    minutes: int,
    now: datetime,
) -> Checked:
    if o.start is None:
        reason = o.problem or "nonexistent_time"
        return Checked(o, None, reason, MESSAGES[reason])
    slot = TimeRange(o.start, o.start + timedelta(minutes=minutes))
    if o.start < now:
        return Checked(o, slot, "past", MESSAGES["past"])
    problem = _hours_problem(hours, provider.id, book.id, tz, slot)
    if problem is not None:
        return Checked(o, slot, problem, MESSAGES[problem])
    clashes = await appt_repo.overlapping(s, practice_id, provider.id, slot.start, slot.end, now)
    if clashes:
        first = clashes[0]
        message = (
            f"{provider.name} is already booked from {to_local_iso(first.starts_at, tz)} "
            f"to {to_local_iso(first.ends_at, tz)}"
        )
        return Checked(o, slot, "busy", message, [c.id for c in clashes])
    return Checked(o, slot)


def _hours_problem(
    hours: Hours | None, provider_id: int, datebook_id: int, tz: ZoneInfo, slot: TimeRange
) -> str | None:
    if hours is None:
        return "outside_hours"
    day = local_day_window(slot.start, tz)
    window = TimeRange(day.start, max(day.end, slot.end))
    if within(hours.open(window).get((provider_id, datebook_id), []), slot):
        return None
    # Inside the hours once time off is left out: it is the time off that is in the way.
    without_off = replace(hours, off={})
    if within(without_off.open(window).get((provider_id, datebook_id), []), slot):
        return "time_off"
    return "outside_hours"
