"""Recurrence expansion (no database): every occurrence keeps the first's local wall-clock time across
daylight-saving changes; count and until are respected; at most 52."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.domain.errors import Invalid
from frontdesk.services.scheduling.recurrence import MAX_OCCURRENCES, expand

ZONES = ["America/New_York", "Europe/Lisbon", "Australia/Sydney", "America/Santiago", "Asia/Tokyo", "UTC"]


@st.composite
def firsts(draw: st.DrawFn) -> tuple[datetime, ZoneInfo]:
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    day = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)))
    # Working-day hours: no zone here skips or repeats them.
    at = time(draw(st.integers(8, 19)), draw(st.sampled_from([0, 15, 30, 45])))
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC), tz


@settings(max_examples=300, deadline=None)
@given(firsts(), st.sampled_from(["weekly", "biweekly", "monthly"]), st.integers(1, MAX_OCCURRENCES))
def test_every_occurrence_keeps_the_first_local_time_and_count(
    first: tuple[datetime, ZoneInfo], frequency: str, count: int
) -> None:
    start, tz = first
    _, occ = expand(start, tz, frequency=frequency, count=count)
    assert len(occ) == count
    wall = start.astimezone(tz).time()
    for o in occ:
        assert o.start is not None
        assert o.start.astimezone(tz).time() == wall
        assert o.start.astimezone(tz).replace(tzinfo=None) == o.local
    assert occ[0].start == start
    assert [o.position for o in occ] == list(range(1, count + 1))
    gaps = {(b.local.date() - a.local.date()).days for a, b in itertools.pairwise(occ)}
    if frequency == "weekly":
        assert gaps <= {7}
    elif frequency == "biweekly":
        assert gaps <= {14}


@settings(max_examples=200, deadline=None)
@given(firsts(), st.integers(1, 400))
def test_until_is_respected(first: tuple[datetime, ZoneInfo], days: int) -> None:
    start, tz = first
    last_day = start.astimezone(tz).date() + timedelta(days=days)
    try:
        _, occ = expand(start, tz, frequency="weekly", until=last_day.isoformat())
    except Invalid as exc:  # more than 52 weeks fit
        assert days // 7 + 1 > MAX_OCCURRENCES and exc.field == "count"
        return
    assert len(occ) == days // 7 + 1
    assert all(o.local.date() <= last_day for o in occ)


def test_a_weekly_ten_oclock_crosses_the_new_york_change() -> None:
    tz = ZoneInfo("America/New_York")
    rule, occ = expand(datetime(2026, 3, 3, 15, tzinfo=UTC), tz, frequency="weekly", count=3)
    assert rule == "FREQ=WEEKLY;COUNT=3"
    assert [o.start.hour for o in occ if o.start] == [15, 14, 14]  # 10:00 EST, then 10:00 EDT


def test_an_rrule_string_and_its_limits() -> None:
    tz = ZoneInfo("Europe/Lisbon")
    first = datetime(2026, 3, 2, 10, tzinfo=UTC)
    _, occ = expand(first, tz, rule="RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=6")
    assert [o.local.strftime("%a") for o in occ] == ["Mon", "Thu"] * 3
    with pytest.raises(Invalid, match="at most 52"):
        expand(first, tz, rule="FREQ=DAILY;COUNT=60")
    with pytest.raises(Invalid, match="give count"):
        expand(first, tz, frequency="weekly")
    with pytest.raises(Invalid, match="daily or less often"):
        expand(first, tz, rule="FREQ=HOURLY;COUNT=3")
    with pytest.raises(Invalid, match="not a valid"):
        expand(first, tz, rule="FREQ=SOMETIMES")
    with pytest.raises(Invalid, match="one of them"):
        expand(first, tz, frequency="weekly", rule="FREQ=WEEKLY;COUNT=2")
    with pytest.raises(Invalid, match="count must be"):
        expand(first, tz, frequency="weekly", count=53)


def test_a_wall_clock_time_the_zone_skips_is_reported_not_moved() -> None:
    tz = ZoneInfo("America/New_York")
    # 02:30 daily from 7 March: 8 March 02:30 does not exist in New York.
    first = datetime(2026, 3, 7, 7, 30, tzinfo=UTC)
    _, occ = expand(first, tz, rule="FREQ=DAILY;COUNT=3")
    assert [o.problem for o in occ] == [None, "nonexistent_time", None]
