"""Working hours are written in local wall-clock time; the scheduler works in UTC instants.

This module is the one place where wall-clock times become instants, so that every DST rule lives
here: a wall time that does not exist (spring-forward gap) moves to the first instant after the
gap, and a wall time that happens twice (fall-back fold) is read as its first occurrence when it
opens a window and its second when it closes one, so a window always covers all the wall-clock
time it names.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from frontdesk.domain.scheduling.ranges import TimeRange, _trusted, merge, subtract

__all__ = [
    "DateOverride",
    "WeeklyWindow",
    "expand_weekly",
    "local_range",
    "offset_segments",
    "utc_offset",
]

_ONE_DAY = timedelta(days=1)
_ONE_US = timedelta(microseconds=1)
_ONE_S = timedelta(seconds=1)
_PROBE_STEP = timedelta(days=2)
_MIDNIGHT = time(0)


def _check_wall_window(start: time, end: time, field: str) -> None:
    if start.tzinfo is not None or end.tzinfo is not None:
        raise ValueError(f"{field}: times must be naive wall-clock times; the zone comes from the practice")
    if start >= end:
        raise ValueError(f"{field}: start must be before end on the same day")


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """A recurring wall-clock window: every `weekday` (0=Monday..6=Sunday) from `start` to `end`.

    Used both for opening hours and for breaks. Windows never cross midnight: a night shift is two
    windows, which keeps "which day does this belong to" unambiguous for overrides and breaks.
    """

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if self.start.tzinfo is not None:
            raise ValueError("start must be a naive wall-clock time")
        if self.end.tzinfo is not None:
            raise ValueError("end must be a naive wall-clock time")
        if self.start >= self.end:
            raise ValueError("end must be after start on the same day")


@dataclass(frozen=True, slots=True)
class DateOverride:
    """Special hours for one local date. No windows means closed all day.

    The windows replace that weekday's regular windows; breaks still apply (a short day keeps its lunch).
    """

    day: date
    windows: tuple[tuple[time, time], ...] = ()

    def __post_init__(self) -> None:
        for start, end in self.windows:
            _check_wall_window(start, end, "windows")


def utc_offset(tz: tzinfo, instant: datetime) -> timedelta:
    """The UTC offset `tz` observes at the aware `instant`, asked of the zone itself."""
    off = instant.astimezone(tz).utcoffset()
    if off is None:  # pragma: no cover - ZoneInfo always has an offset
        raise ValueError("time zone has no UTC offset")
    return off


def _bisect_change(tz: tzinfo, lo: datetime, hi: datetime, base: timedelta) -> datetime:
    """The first instant in (lo, hi] whose offset is not `base`, given offset(lo) == base != offset(hi).

    Bisects down to one second, then tries the whole second in that interval (tzdata transitions
    fall on whole seconds) and only goes on to the microsecond if that guess is wrong.
    """
    while hi - lo > _ONE_S:
        mid = lo + (hi - lo) // 2
        if utc_offset(tz, mid) == base:
            lo = mid
        else:
            hi = mid
    whole = hi.replace(microsecond=0)
    if whole > lo and utc_offset(tz, whole) != base and utc_offset(tz, whole - _ONE_US) == base:
        return whole
    while hi - lo > _ONE_US:
        mid = lo + (hi - lo) // 2
        if utc_offset(tz, mid) == base:
            lo = mid
        else:
            hi = mid
    return hi


@lru_cache(maxsize=1024)
def _zone_year(tz: tzinfo, year: int) -> tuple[tuple[datetime, ...], tuple[timedelta, ...]]:
    """The offsets of `tz` through UTC calendar `year`: (instants, offsets), offsets[i] from instants[i].

    instants[0] is Jan 1 00:00 UTC; later entries are the transitions t with Jan 1 < t <= the next
    Jan 1. zoneinfo has no public list of transitions, so they are found by probing every two days
    and bisecting where the offset differs. That cannot miss one: since 1970 no tzdata zone has
    had two transitions less than 166 hours apart, so none can cancel out between two probes.
    The table depends only on the zone and the year, so it is cached: every search in a
    practice's zone shares the work, and the hot paths never ask zoneinfo again.
    """
    lo = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if year < 9999 else datetime.max.replace(tzinfo=UTC)
    base = utc_offset(tz, lo)
    instants = [lo]
    offsets = [base]
    while lo < end:
        probe = lo + _PROBE_STEP if end - lo > _PROBE_STEP else end
        if utc_offset(tz, probe) == base:
            lo = probe
            continue
        lo = _bisect_change(tz, lo, probe, base)
        base = utc_offset(tz, lo)
        instants.append(lo)
        offsets.append(base)
    return tuple(instants), tuple(offsets)


def offset_segments(tz: tzinfo, start: datetime, end: datetime) -> list[tuple[datetime, timedelta]]:
    """Pieces of constant UTC offset covering [start, end], as (piece start, offset) pairs.

    The first piece starts at `start`; each later one at an offset change in (start, end]. The
    slot finder aligns its grid per piece; local_range uses it to tell ordinary days (one piece)
    from days near a DST change.
    """
    start = start.astimezone(UTC)
    end = end.astimezone(UTC)
    instants, offsets = _zone_year(tz, start.year)
    out = [(start, offsets[bisect_right(instants, start) - 1])]
    for year in range(start.year, end.year + 1):
        instants, offsets = _zone_year(tz, year)
        # instants[0] is New Year, not a change; a change exactly then is the previous year's last entry.
        for i in range(max(1, bisect_right(instants, start)), len(instants)):
            if instants[i] > end:
                break
            out.append((instants[i], offsets[i]))
    return out


def _to_utc(wall: datetime, tz: tzinfo, fold: int) -> datetime:
    """A naive wall time near a DST change as a UTC instant; `fold` picks an ambiguous time's occurrence.

    For a wall time in a gap, PEP 495 reads fold=0 with the offset before the transition and
    fold=1 with the offset after; the transition (the first instant after the gap) lies between
    those two readings.
    """
    instant = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == wall:
        return instant
    a = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    b = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    pieces = offset_segments(tz, min(a, b), max(a, b))
    return pieces[1][0] if len(pieces) > 1 else max(a, b)


_JUST_BEFORE = timedelta(microseconds=1)


def _ambiguous(wall: datetime, tz: tzinfo) -> bool:
    """Whether `wall` happens twice (a fall-back fold: its first reading is the earlier instant; in a
    spring-forward gap PEP 495's two readings come the other way round)."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC) < wall.replace(tzinfo=tz, fold=1).astimezone(UTC)


def _day_offset(day: date, tz: tzinfo) -> timedelta | None:
    """The zone's offset if it is the same all through local `day` (and a margin), else None.

    Real offsets lie within a day of UTC, so the local day falls inside the UTC days day-1..day+1.
    On such a day a wall time maps to an instant by plain subtraction; only the rare day near a
    transition needs the fold/gap rules of `_to_utc`.
    """
    lo = datetime.combine(day, _MIDNIGHT, UTC) - _ONE_DAY
    pieces = offset_segments(tz, lo, lo + 3 * _ONE_DAY)
    return pieces[0][1] if len(pieces) == 1 else None


def _local_range(day: date, start: time, end: time, tz: tzinfo, offset: timedelta | None) -> TimeRange | None:
    if offset is not None:
        lo = datetime.combine(day, start, UTC) - offset
        hi = datetime.combine(day, end, UTC) - offset
    else:
        lo = _to_utc(datetime.combine(day, start), tz, fold=0)
        wall_end = datetime.combine(day, end)
        # An end where the repeated hour begins (Santiago's 23:00 the evening its clocks go back at
        # midnight, New York's 01:00) is its first occurrence: the second pass reads end and later only.
        first = _ambiguous(wall_end, tz) and not _ambiguous(wall_end - _JUST_BEFORE, tz)
        hi = _to_utc(wall_end, tz, fold=0 if first else 1)
    if lo >= hi:
        return None
    return _trusted(lo, hi)  # both ends aware UTC, ordered just above


def local_range(day: date, start: time, end: time, tz: ZoneInfo) -> TimeRange | None:
    """The wall-clock window `start`-`end` on local `day` as a UTC range, or None if it is empty.

    Gap times move to the end of the gap, so a window that starts in the gap starts when the clock
    resumes and a window that lies wholly in the gap is empty. Ambiguous times read as the first
    occurrence for `start` and the second for `end` (on the fall-back day 01:00-03:00 is three hours),
    except an `end` where the repeated hour begins, which is its first: 00:00-01:00 is one hour.
    """
    if start.tzinfo is not None or end.tzinfo is not None:
        raise ValueError("start and end must be naive wall-clock times")
    return _local_range(day, start, end, tz, _day_offset(day, tz))


def expand_weekly(
    windows: Sequence[WeeklyWindow],
    breaks: Sequence[WeeklyWindow],
    overrides: Sequence[DateOverride],
    tz: ZoneInfo,
    first_day: date,
    last_day: date,
) -> list[TimeRange]:
    """Open time for each local date in [first_day, last_day], as merged, sorted UTC ranges.

    Per date: the override's windows if there is one, else the weekday's windows, minus the
    weekday's breaks. Windows and breaks are both turned into UTC first and subtracted there, not
    on the wall clock: on a fall-back day a wall-clock difference such as 00:00-01:00 plus
    01:30-03:00 would turn back into overlapping UTC ranges and silently lose the break.
    """
    weekly: dict[int, list[tuple[time, time]]] = {d: [] for d in range(7)}
    for w in windows:
        weekly[w.weekday].append((w.start, w.end))
    weekly_breaks: dict[int, list[tuple[time, time]]] = {d: [] for d in range(7)}
    for b in breaks:
        weekly_breaks[b.weekday].append((b.start, b.end))
    by_day: dict[date, DateOverride] = {}
    for o in overrides:
        if o.day in by_day:
            raise ValueError(f"overrides: more than one override for {o.day.isoformat()}")
        by_day[o.day] = o

    out: list[TimeRange] = []
    day = first_day
    while day <= last_day:
        override = by_day.get(day)
        spans = override.windows if override is not None else weekly[day.weekday()]
        offset = _day_offset(day, tz)
        open_today = [r for s, e in spans if (r := _local_range(day, s, e, tz, offset)) is not None]
        day_breaks = weekly_breaks[day.weekday()]
        if open_today and day_breaks:
            cuts = [r for s, e in day_breaks if (r := _local_range(day, s, e, tz, offset)) is not None]
            open_today = subtract(open_today, cuts)
        out.extend(open_today)
        day += _ONE_DAY
    return merge(out)
