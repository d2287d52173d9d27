"""Who can take a booking that names no provider, and which of them gets it.

`candidates` is the one place that decides which providers can do a service at a time and place. Until
services carry their providers (the service<->provider assignment), it is the providers with working
hours covering the time at the location; switch it to the assignment table there and nothing else
changes. `pick` then orders the free ones by the practice's strategy, the client's titular provider
first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.scheduling import assignment
from frontdesk.domain.scheduling.ranges import TimeRange
from frontdesk.domain.settings import Values
from frontdesk.services.scheduling.catalogue import deliverers
from frontdesk.services.scheduling.hours import local_day_window, open_ranges, within
from frontdesk.storage import models as m
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import bookings as repo


@dataclass(frozen=True, slots=True)
class Candidate:
    provider: m.Provider
    book: m.Datebook
    start: datetime
    end: datetime


async def candidates(
    s: AsyncSession,
    practice_id: int,
    service: m.Service | None,
    books: Sequence[m.Datebook],
    providers: Sequence[m.Provider],
    when: dict[int, tuple[datetime, datetime]],
) -> list[Candidate]:
    """The providers who can do `service` from start to end (`when`, per datebook id: the time read in
    that datebook's zone) at one of `books`: those assigned to the service whose working hours there
    cover it."""
    out: list[Candidate] = []
    delivering = await deliverers(s, practice_id, service)
    if delivering is not None:
        providers = [pr for pr in providers if pr.id in delivering]
    ids = [pr.id for pr in providers]
    for book in books:
        start, end = when[book.id]
        day = local_day_window(start, ZoneInfo(book.timezone))
        window = TimeRange(day.start, max(day.end, end))
        opened = await open_ranges(s, practice_id, ids, {book.id: book}, window)
        for pr in providers:
            if within(opened.get((pr.id, book.id), []), TimeRange(start, end)):
                out.append(Candidate(pr, book, start, end))
    return out


async def free(
    s: AsyncSession, practice_id: int, found: Sequence[Candidate], now: datetime
) -> list[Candidate]:
    """The candidates with nothing booked then. The caller holds their providers' locks."""
    out = []
    for c in found:
        await appt_repo.expire_holds(s, practice_id, c.provider.id, now)
        if not await appt_repo.overlapping(s, practice_id, c.provider.id, c.start, c.end, now):
            out.append(c)
    return out


async def pick(
    s: AsyncSession,
    practice_id: int,
    options: Sequence[Candidate],
    settings: Values,
    *,
    service_id: int | None,
    patient_id: int,
) -> tuple[Candidate, str]:
    """The free candidate the strategy chooses, and how it was chosen (the strategy, or titular)."""
    strategy = str(settings["availability.assignmentStrategy"])
    by_id = {c.provider.id: c for c in options}
    ids = list(by_id)
    first = options[0]
    tz = ZoneInfo(first.book.timezone)
    day = local_day_window(first.start, tz)
    titular = await repo.titular(s, practice_id, patient_id)
    booked: dict[int, int] = {}
    free_minutes: dict[int, float] = {}
    last = None
    if strategy == "round_robin":
        last = await repo.last_auto_assigned(s, practice_id, service_id)
    elif strategy in ("least_booked", "most_available"):
        counts = await repo.booked(s, practice_id, ids, day.start, day.end)
        booked = {pid: n for pid, (n, _) in counts.items()}
        if strategy == "most_available":
            books = {c.book.id: c.book for c in options}
            opened = await open_ranges(s, practice_id, ids, books, day)
            for c in options:
                open_min = sum(
                    (r.end - r.start) / timedelta(minutes=1)
                    for r in opened.get((c.provider.id, c.book.id), [])
                )
                free_minutes[c.provider.id] = open_min - counts.get(c.provider.id, (0, 0.0))[1]
    seed = f"{practice_id}:{service_id}:{patient_id}:{int(first.start.timestamp())}"
    ranked = assignment.order(
        strategy, ids, last=last, booked=booked, free_minutes=free_minutes, seed=seed, titular=titular
    )
    chosen = by_id[ranked[0]]
    return chosen, ("titular" if chosen.provider.id == titular else strategy)
