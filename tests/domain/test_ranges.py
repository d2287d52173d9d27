"""TimeRange and the range algebra, checked against a minute-by-minute bitmap oracle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.domain.scheduling.ranges import TimeRange, intersect, merge, subtract

BASE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def at(minute: int) -> datetime:
    return BASE + timedelta(minutes=minute)


def rng(a: int, b: int) -> TimeRange:
    return TimeRange(at(a), at(b))


def minutes(ranges: list[TimeRange]) -> set[int]:
    """The oracle: a range list as the set of whole minutes (since BASE) it covers."""
    out: set[int] = set()
    for r in ranges:
        out.update(range((r.start - BASE) // timedelta(minutes=1), (r.end - BASE) // timedelta(minutes=1)))
    return out


def assert_normal(ranges: list[TimeRange]) -> None:
    """Sorted, and a real gap between neighbours (touching ranges must have been merged)."""
    for left, right in pairwise(ranges):
        assert left.end < right.start


small_ranges = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 20)).map(lambda t: rng(t[0], t[0] + t[1])),
    max_size=8,
)


# --- TimeRange -------------------------------------------------------------------------------


def test_rejects_naive_ends() -> None:
    with pytest.raises(ValueError, match="start"):
        TimeRange(datetime(2026, 1, 5, 9), at(30))
    with pytest.raises(ValueError, match="end"):
        TimeRange(at(0), datetime(2026, 1, 5, 10))


@pytest.mark.parametrize(("a", "b"), [(0, 0), (30, 0)])
def test_rejects_empty_or_reversed(a: int, b: int) -> None:
    with pytest.raises(ValueError, match="before"):
        rng(a, b)


def test_half_open_overlap() -> None:
    assert not rng(60, 90).overlaps(rng(90, 120))
    assert not rng(90, 120).overlaps(rng(60, 90))
    assert rng(60, 91).overlaps(rng(90, 120))
    assert rng(0, 100).overlaps(rng(10, 20))
    assert rng(10, 20).overlaps(rng(0, 100))


def test_contains() -> None:
    assert rng(0, 60).contains(rng(0, 60))
    assert rng(0, 60).contains(rng(10, 20))
    assert not rng(0, 60).contains(rng(50, 61))
    assert not rng(10, 20).contains(rng(0, 60))


def test_duration_and_padding() -> None:
    r = rng(60, 90)
    assert r.duration == timedelta(minutes=30)
    assert r.padded(timedelta(minutes=10), timedelta(minutes=5)) == rng(50, 95)


def test_same_instant_in_other_zones_compares_equal() -> None:
    lisbon = ZoneInfo("Europe/Lisbon")
    r = TimeRange(at(0).astimezone(lisbon), at(30).astimezone(ZoneInfo("Asia/Tokyo")))
    assert r == rng(0, 30)
    assert r.duration == timedelta(minutes=30)


def test_ordering_is_by_start_then_end() -> None:
    assert sorted([rng(5, 9), rng(0, 10), rng(0, 3)]) == [rng(0, 3), rng(0, 10), rng(5, 9)]


# --- algebra: examples --------------------------------------------------------------------------


def test_merge_fuses_touching_and_overlapping() -> None:
    assert merge([rng(30, 40), rng(0, 10), rng(10, 20), rng(35, 50), rng(60, 70)]) == [
        rng(0, 20),
        rng(30, 50),
        rng(60, 70),
    ]


def test_subtract_cut_spanning_two_base_ranges() -> None:
    assert subtract([rng(0, 10), rng(20, 30)], [rng(5, 25)]) == [rng(0, 5), rng(25, 30)]


def test_subtract_punches_holes() -> None:
    assert subtract([rng(0, 60)], [rng(10, 20), rng(30, 40)]) == [rng(0, 10), rng(20, 30), rng(40, 60)]
    assert subtract([rng(0, 60)], [rng(0, 60)]) == []


def test_intersect_example() -> None:
    assert intersect([rng(0, 30), rng(40, 60)], [rng(20, 50)]) == [rng(20, 30), rng(40, 50)]
    assert intersect([rng(0, 10)], [rng(10, 20)]) == []


# --- algebra: properties against the bitmap oracle ---------------------------------------------


@settings(max_examples=300, deadline=None)
@given(small_ranges)
def test_merge_matches_oracle(ranges: list[TimeRange]) -> None:
    out = merge(ranges)
    assert minutes(out) == minutes(ranges)
    assert_normal(out)
    assert merge(out) == out


@settings(max_examples=300, deadline=None)
@given(small_ranges, small_ranges)
def test_subtract_matches_oracle(base: list[TimeRange], cuts: list[TimeRange]) -> None:
    out = subtract(base, cuts)
    assert minutes(out) == minutes(base) - minutes(cuts)
    assert_normal(out)


@settings(max_examples=300, deadline=None)
@given(small_ranges, small_ranges)
def test_intersect_matches_oracle(a: list[TimeRange], b: list[TimeRange]) -> None:
    out = intersect(a, b)
    assert minutes(out) == minutes(a) & minutes(b)
    assert_normal(out)
    assert intersect(b, a) == out


@settings(max_examples=200, deadline=None)
@given(small_ranges, small_ranges)
def test_subtract_and_intersect_partition_the_base(base: list[TimeRange], cuts: list[TimeRange]) -> None:
    assert merge(subtract(base, cuts) + intersect(base, cuts)) == merge(base)
