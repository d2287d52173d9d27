"""Half-open time ranges and the set algebra (merge, subtract, intersect) the scheduler is built on.

Ranges are half-open, [start, end), so that back-to-back appointments touch without overlapping
and "10:00-10:30" plus "10:30-11:00" is exactly one hour with no shared instant. Both ends must
be timezone-aware: the engine compares instants, never wall-clock readings, so a naive datetime
is always a bug upstream and is refused at the door.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter

__all__ = ["TimeRange", "intersect", "merge", "subtract"]


@dataclass(frozen=True, slots=True, order=True)
class TimeRange:
    """The instants t with start <= t < end. Ordered by (start, end)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None:
            raise ValueError("start must be timezone-aware")
        if self.end.utcoffset() is None:
            raise ValueError("end must be timezone-aware")
        if self.start >= self.end:
            raise ValueError("start must be before end")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: TimeRange) -> bool:
        """True if the ranges share an instant; ranges that only touch do not overlap."""
        return self.start < other.end and other.start < self.end

    def contains(self, other: TimeRange) -> bool:
        """True if every instant of `other` is in this range."""
        return self.start <= other.start and other.end <= self.end

    def padded(self, before: timedelta, after: timedelta) -> TimeRange:
        """This range widened by `before` at the start and `after` at the end (how buffers block time)."""
        return TimeRange(self.start - before, self.end + after)


_new = object.__new__
_set = object.__setattr__


def _trusted(start: datetime, end: datetime) -> TimeRange:
    """Build a TimeRange without re-validating it.

    Only for ranges cut from already validated ones (aware ends, start < end established by the
    caller's own comparison). Validation costs about twice the construction itself, which matters
    in the slot finder's inner loop; that is the whole reason this exists.
    """
    r: TimeRange = _new(TimeRange)
    _set(r, "start", start)
    _set(r, "end", end)
    return r


_by_start = attrgetter("start")


def merge(ranges: Iterable[TimeRange]) -> list[TimeRange]:
    """Sorted, with overlapping or touching ranges fused, so the result has a gap between any two ranges."""
    out: list[TimeRange] = []
    for r in sorted(ranges, key=_by_start):
        if out and r.start <= out[-1].end:
            last = out[-1]
            if r.end > last.end:
                out[-1] = _trusted(last.start, r.end)
        else:
            out.append(r)
    return out


def subtract(base: Iterable[TimeRange], cuts: Iterable[TimeRange]) -> list[TimeRange]:
    """The instants of `base` that are in no cut; sorted and merged.

    Both inputs are merged first, then swept once with two pointers: O((n+m) log(n+m)) for the sorts.
    """
    cut_list = merge(cuts)
    out: list[TimeRange] = []
    j = 0
    n = len(cut_list)
    for r in merge(base):
        start = r.start
        # Cuts that end before this range cannot touch it or any later one.
        while j < n and cut_list[j].end <= start:
            j += 1
        k = j
        while k < n and cut_list[k].start < r.end:
            cut = cut_list[k]
            if cut.start > start:
                out.append(_trusted(start, cut.start))
            if cut.end > start:
                start = cut.end
            if start >= r.end:
                break  # this cut may reach into the next base range: keep it
            k += 1
        if start < r.end:
            out.append(_trusted(start, r.end))
        j = k
    return out


def intersect(a: Iterable[TimeRange], b: Iterable[TimeRange]) -> list[TimeRange]:
    """The instants in both `a` and `b`; sorted and merged (pieces of two merged lists never touch)."""
    left = merge(a)
    right = merge(b)
    out: list[TimeRange] = []
    i = j = 0
    while i < len(left) and j < len(right):
        x, y = left[i], right[j]
        start = x.start if x.start >= y.start else y.start
        end = x.end if x.end <= y.end else y.end
        if start < end:
            out.append(_trusted(start, end))
        if x.end <= y.end:
            i += 1
        else:
            j += 1
    return out
