"""Free appointment slots: open time, minus bookings and their buffers, on a local wall-clock grid.

The finder never tests candidate starts one by one. Every rule is turned into a set of allowed
start instants first:

* a core [s, s+d) fits in open range [a, b) exactly when s is in the closed interval [a, b-d];
  the window, the minimum notice and the horizon are one more closed interval;
* a booking with core [c0, c1) forbids the open interval of starts (c0 - pre - d, c1 + post),
  where pre = max(booking.buffer_before, rules.buffer_after) and
  post = max(booking.buffer_after, rules.buffer_before). That single interval is the union of the
  two rules "the slot core must miss the padded booking" and "the padded slot must miss the booking
  core": both forbid an interval containing (c0 - d, c1), so their union is one interval.

Allowed-minus-forbidden is one two-pointer sweep over sorted lists, and grid points inside each
resulting interval are found arithmetically, so the cost follows the number of ranges, bookings
and returned slots, not the number of candidate minutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from zoneinfo import ZoneInfo

from frontdesk.domain.scheduling.hours import offset_segments
from frontdesk.domain.scheduling.ranges import TimeRange

__all__ = ["Busy", "SlotRules", "busy_by_provider", "find_slots"]

_ZERO = timedelta(0)
_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)
_RESOLUTION = timedelta.resolution
_first = itemgetter(0)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Busy:
    """An existing booking. Its own buffers (cleaning, travel) block time around it."""

    range: TimeRange
    buffer_before: timedelta = _ZERO
    buffer_after: timedelta = _ZERO

    def __post_init__(self) -> None:
        if self.buffer_before < _ZERO:
            raise ValueError("buffer_before must not be negative")
        if self.buffer_after < _ZERO:
            raise ValueError("buffer_after must not be negative")

    @property
    def padded(self) -> TimeRange:
        """The time this booking blocks for other bookings' cores."""
        return self.range.padded(self.buffer_before, self.buffer_after)


def busy_by_provider(
    rows: Iterable[tuple[int, int | None, datetime, datetime]],
    buffers: Mapping[int, tuple[timedelta, timedelta]],
) -> dict[int, list[Busy]]:
    """Stored bookings (provider_id, service_id, starts_at, ends_at) as Busy entries per provider,
    each with its service's (before, after) buffers. The instants come from storage as aware UTC, so
    only their order is checked; a slot search reads thousands of these."""
    out: dict[int, list[Busy]] = {}
    none = (_ZERO, _ZERO)
    new, put = object.__new__, object.__setattr__
    for provider_id, service_id, start, end in rows:
        if not start < end:
            raise ValueError("a booking must start before it ends")
        r = new(TimeRange)
        put(r, "start", start)
        put(r, "end", end)
        before, after = buffers.get(service_id, none) if service_id is not None else none
        b = new(Busy)
        put(b, "range", r)
        put(b, "buffer_before", before)
        put(b, "buffer_after", after)
        out.setdefault(provider_id, []).append(b)
    return out


@dataclass(frozen=True, slots=True)
class SlotRules:
    """How a service is booked.

    `grid` is the spacing of allowed start times on the local wall clock; it must divide a day
    into whole minutes so that the grid is the same on every date (09:00 is always on it).
    `horizon`, when set, is how far ahead the latest start may be.
    """

    duration: timedelta
    grid: timedelta = timedelta(minutes=15)
    buffer_before: timedelta = _ZERO
    buffer_after: timedelta = _ZERO
    min_notice: timedelta = _ZERO
    horizon: timedelta | None = None

    def __post_init__(self) -> None:
        if self.duration <= _ZERO:
            raise ValueError("duration must be positive")
        if self.grid <= _ZERO or self.grid % _MINUTE or _DAY % self.grid:
            raise ValueError("grid must be a whole number of minutes that divides 24 hours")
        if self.buffer_before < _ZERO:
            raise ValueError("buffer_before must not be negative")
        if self.buffer_after < _ZERO:
            raise ValueError("buffer_after must not be negative")
        if self.min_notice < _ZERO:
            raise ValueError("min_notice must not be negative")
        if self.horizon is not None and self.horizon < _ZERO:
            raise ValueError("horizon must not be negative")


def _utc(dt: datetime) -> datetime:
    # Same tzinfo object on both sides lets datetime compare and subtract without offset lookups.
    return dt if dt.tzinfo is UTC else dt.astimezone(UTC)


def find_slots(
    open_ranges: Sequence[TimeRange],
    busy: Sequence[Busy],
    rules: SlotRules,
    tz: ZoneInfo,
    now: datetime,
    window: TimeRange,
    limit: int | None = None,
) -> list[TimeRange]:
    """Bookable slot cores, sorted by start, at most `limit` of them.

    A start s qualifies when its local wall-clock time in `tz` is on the grid, [s, s+duration)
    lies inside one open range and inside `window`, now + min_notice <= s (<= now + horizon),
    the core misses every booking padded with its buffers, and the core padded with the rules'
    buffers misses every booking core. Slots may overlap one another: they are alternative starts.
    `now` is a parameter, never read from the clock, so the answer is reproducible.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if limit is not None and limit < 0:
        raise ValueError("limit must not be negative")
    if limit == 0:
        return []
    d = rules.duration
    now = _utc(now)

    # Starts allowed by the window, the notice and the horizon: one closed interval [lo, hi].
    lo = max(_utc(window.start), now + rules.min_notice)
    hi = _utc(window.end) - d
    if rules.horizon is not None:
        hi = min(hi, now + rules.horizon)
    if lo > hi:
        return []

    allowed = _allowed_starts(open_ranges, d, lo, hi)
    if not allowed:
        return []
    free = _minus_forbidden(allowed, _forbidden_starts(busy, rules))
    if not free:
        return []
    return _grid_points(free, rules, tz, limit)


def _allowed_starts(
    open_ranges: Sequence[TimeRange], d: timedelta, lo: datetime, hi: datetime
) -> list[tuple[datetime, datetime]]:
    """Closed start intervals [a, b-d] of the open ranges long enough for d, clipped to [lo, hi], merged.

    Open ranges are not merged first: a slot must fit in one range, so two touching ranges do not
    make room for a slot across their common end.
    """
    spans: list[tuple[datetime, datetime]] = []
    for r in open_ranges:
        a = _utc(r.start)
        b = _utc(r.end) - d
        if a < lo:
            a = lo
        if b > hi:
            b = hi
        if a <= b:
            spans.append((a, b))
    spans.sort()
    out: list[tuple[datetime, datetime]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _forbidden_starts(busy: Sequence[Busy], rules: SlotRules) -> list[tuple[datetime, datetime]]:
    """Open intervals (x, y) of starts ruled out by bookings, sorted by x.

    They are not merged: the sweep in `_minus_forbidden` copes with overlaps, and skipping the
    merge pass is measurably cheaper for a month of bookings. Bookings already sorted by start
    (as a database returns them) make the sort linear.
    """
    d = rules.duration
    slot_after = rules.buffer_after
    slot_before = rules.buffer_before
    lead = slot_after + d
    spans: list[tuple[datetime, datetime]] = []
    append = spans.append
    for b in busy:
        r = b.range
        start = r.start
        end = r.end
        if start.tzinfo is not UTC:
            start = start.astimezone(UTC)
        if end.tzinfo is not UTC:
            end = end.astimezone(UTC)
        before = b.buffer_before
        after = b.buffer_after
        # The larger of the two buffers that meet wins; they do not add up.
        first_blocked = start - (before + d if before > slot_after else lead)
        first_free = end + (after if after > slot_before else slot_before)
        append((first_blocked, first_free))
    spans.sort(key=_first)
    return spans


def _minus_forbidden(
    allowed: list[tuple[datetime, datetime]], forbidden: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """Closed intervals `allowed` (sorted, disjoint) minus open intervals `forbidden` (sorted by x).

    One two-pointer sweep. `cur` is the earliest start not yet ruled out; it only moves forward,
    so a forbidden interval nested in an earlier one changes nothing, and the end point y of a
    forbidden interval stays allowed (a slot may begin exactly when blocked time ends).
    """
    out: list[tuple[datetime, datetime]] = []
    j = 0
    n = len(forbidden)
    for a, b in allowed:
        while j < n and forbidden[j][1] <= a:
            j += 1
        cur = a
        k = j
        while k < n:
            x, y = forbidden[k]
            if x >= b:
                break  # (x, y) holds no start <= b
            if x >= cur:
                out.append((cur, x))  # x is allowed: the slot ends as the blocked time begins
            if y > cur:
                cur = y
                if cur > b:
                    break  # this interval may still rule out starts in the next allowed one
            k += 1
        if cur <= b:
            out.append((cur, b))
        j = k
    return out


def _grid_points(
    free: list[tuple[datetime, datetime]], rules: SlotRules, tz: ZoneInfo, limit: int | None
) -> list[TimeRange]:
    """Slot cores for every start in `free` whose local wall-clock time is on the grid.

    Within a piece of constant UTC offset `off`, s is on the grid exactly when the local reading
    s + off is a whole number of grids past local midnight; since the grid divides a day that is
    (s - (epoch - off)) % grid == 0. After an offset change the anchor moves, which re-aligns the
    grid to the new local clock (a 30-minute shift keeps a 15-minute grid, shifts a 60-minute one).

    The arithmetic uses the days/seconds/microseconds fields of timedeltas rather than timedelta
    division, which costs about ten datetime additions; this runs once per free interval. Whole
    days can be dropped from the remainder because the grid divides a day.
    """
    grid = rules.grid
    grid_us = grid // _RESOLUTION
    d = rules.duration
    out: list[TimeRange] = []
    append = out.append
    new = object.__new__
    setattr_ = object.__setattr__
    shifts: dict[int, timedelta] = {}
    remaining = limit if limit is not None else -1

    pieces = offset_segments(tz, free[0][0], free[-1][1])
    anchors = [_EPOCH - off for _, off in pieces]
    changes = [t for t, _ in pieces[1:]]
    changes.append(_NEVER)
    i = 0  # index of the offset piece containing p
    for p, q in free:
        while True:
            while changes[i] <= p:
                i += 1
            change = changes[i]
            end = q if q < change else change - _RESOLUTION
            ahead = anchors[i] - p
            rem = (ahead.seconds * 1_000_000 + ahead.microseconds) % grid_us
            if rem:
                shift = shifts.get(rem)
                if shift is None:
                    shift = shifts[rem] = timedelta(microseconds=rem)
                s = p + shift
            else:
                s = p
            if s <= end:
                span = end - s
                count = ((span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds) // grid_us + 1
                if 0 < remaining <= count:
                    count = remaining
                for _ in range(count):
                    # ranges._trusted inlined: this loop is where the finder spends its time.
                    slot: TimeRange = new(TimeRange)
                    setattr_(slot, "start", s)
                    setattr_(slot, "end", s + d)
                    append(slot)
                    s += grid
                if remaining > 0:
                    remaining -= count
                    if remaining == 0:
                        return out
            if q < change:
                break
            p = change
    return out
