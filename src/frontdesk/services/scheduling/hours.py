"""Open time per provider and datebook, from stored working hours, overrides, time off and the
practice-wide closures (holidays, closed windows, one-day hours) that apply to everyone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.scheduling.hours import DateOverride, WeeklyWindow, expand_weekly
from frontdesk.domain.scheduling.ranges import TimeRange, intersect, subtract
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as repo
from frontdesk.storage.repositories import setup as setup_repo

Key = tuple[int, int]  # (provider_id, datebook_id)


def _t(text: str) -> time:
    return time.fromisoformat(text)


@dataclass
class Hours:
    """Stored working hours, breaks, date overrides and time off of some providers at some datebooks,
    read once for a search; `open` expands them for any window inside the one they were read for."""

    datebooks: dict[int, m.Datebook]
    work: dict[Key, list[WeeklyWindow]]
    breaks: dict[Key, list[WeeklyWindow]]
    overrides: dict[Key, dict[date, list[tuple[time, time]]]]
    off: dict[int, list[TimeRange]]
    closed: dict[int, list[TimeRange]] = field(default_factory=dict)  # per datebook, practice-wide

    def open(self, window: TimeRange) -> dict[Key, list[TimeRange]]:
        """Working hours minus breaks and time off, clipped to `window`, per (provider, datebook)."""
        out: dict[Key, list[TimeRange]] = {}
        for key, windows in self.work.items():
            provider_id, datebook_id = key
            tz = ZoneInfo(self.datebooks[datebook_id].timezone)
            # The local dates the window touches in this zone: windows never cross midnight
            # (WeeklyWindow), so no other date's hours can reach into it.
            first = window.start.astimezone(tz).date()
            last = window.end.astimezone(tz).date()
            ovs = [
                DateOverride(day=d, windows=tuple(w))
                for d, w in self.overrides.get(key, {}).items()
                if first <= d <= last
            ]
            expanded = expand_weekly(windows, self.breaks.get(key, []), ovs, tz, first, last)
            clipped = intersect(expanded, [window])
            out[key] = subtract(clipped, [*self.off.get(provider_id, []), *self.closed.get(datebook_id, [])])
        return out


async def load_hours(
    s: AsyncSession,
    practice_id: int,
    provider_ids: Sequence[int],
    datebooks: dict[int, m.Datebook],
    window: TimeRange,
) -> Hours | None:
    """What `Hours.open` needs for windows inside `window`; None when nobody works there at all."""
    if not provider_ids or not datebooks:
        return None
    only = next(iter(datebooks)) if len(datebooks) == 1 else None
    rows = await repo.hours_for(s, practice_id, provider_ids, only)
    work: dict[Key, list[WeeklyWindow]] = defaultdict(list)
    breaks: dict[Key, list[WeeklyWindow]] = defaultdict(list)
    for r in rows:
        if r.datebook_id not in datebooks:
            continue
        ww = WeeklyWindow(weekday=r.weekday, start=_t(r.start_time), end=_t(r.end_time))
        (work if r.kind == "work" else breaks)[(r.provider_id, r.datebook_id)].append(ww)
    if not work:
        return None
    first = (window.start - timedelta(days=1)).date()
    last = (window.end + timedelta(days=1)).date()
    override_rows = await repo.overrides_for(s, practice_id, provider_ids, first, last)
    overrides: dict[Key, dict[date, list[tuple[time, time]]]] = defaultdict(lambda: defaultdict(list))
    for o in override_rows:
        day_windows = overrides[(o.provider_id, o.datebook_id)][o.day]
        if o.start_time and o.end_time:
            day_windows.append((_t(o.start_time), _t(o.end_time)))
    off_rows = await repo.time_off_for(s, practice_id, provider_ids, window.start, window.end)
    off: dict[int, list[TimeRange]] = defaultdict(list)
    for t in off_rows:
        off[t.provider_id].append(TimeRange(t.starts_at, t.ends_at))
    closed = closed_ranges(await setup_repo.closures(s, practice_id, first, last), datebooks)
    return Hours(datebooks, work, breaks, overrides, off, closed)


def closed_ranges(
    rows: Sequence[m.PracticeClosure], datebooks: dict[int, m.Datebook]
) -> dict[int, list[TimeRange]]:
    """Practice-wide closures as the instants they close, per datebook: a holiday closes its local
    day, a 'closed' window that window, an 'hours' day everything outside its window."""
    out: dict[int, list[TimeRange]] = defaultdict(list)
    for row in rows:
        for book_id, book in datebooks.items():
            if row.datebook_id is not None and row.datebook_id != book_id:
                continue
            tz = ZoneInfo(book.timezone)
            day = local_day_window(datetime.combine(row.day, time(12), tzinfo=tz), tz)
            if row.start_time is None or row.end_time is None:
                out[book_id].append(day)
                continue
            start = datetime.combine(row.day, _t(row.start_time), tzinfo=tz).astimezone(UTC)
            end = datetime.combine(row.day, _t(row.end_time), tzinfo=tz).astimezone(UTC)
            if row.kind == "closed":
                out[book_id].append(TimeRange(start, end))
            else:
                cuts = ((day.start, start), (end, day.end))
                out[book_id].extend(TimeRange(a, b) for a, b in cuts if a < b)
    return out


async def open_ranges(
    s: AsyncSession,
    practice_id: int,
    provider_ids: Sequence[int],
    datebooks: dict[int, m.Datebook],
    window: TimeRange,
) -> dict[Key, list[TimeRange]]:
    """Working hours minus breaks and time off, clipped to `window`, per (provider, datebook)."""
    hours = await load_hours(s, practice_id, provider_ids, datebooks, window)
    return {} if hours is None else hours.open(window)


def within(ranges: Sequence[TimeRange], candidate: TimeRange) -> bool:
    return any(r.contains(candidate) for r in ranges)


def describe_hours(ranges: Sequence[TimeRange], tz: ZoneInfo) -> str:
    if not ranges:
        return "no working hours that day"
    return ", ".join(
        f"{r.start.astimezone(tz).strftime('%H:%M')}-{r.end.astimezone(tz).strftime('%H:%M')}" for r in ranges
    )


def local_day_window(moment: datetime, tz: ZoneInfo) -> TimeRange:
    """The whole local day containing `moment`, as a UTC range (23 or 25 hours on DST days)."""
    local = moment.astimezone(tz)
    start = datetime.combine(local.date(), time(0), tzinfo=tz)
    end = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)
    return TimeRange(start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC")))
