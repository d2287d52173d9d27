"""Wall-clock working hours to UTC ranges, including the days the clocks change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.domain.scheduling.hours import (
    DateOverride,
    WeeklyWindow,
    expand_weekly,
    local_range,
    offset_segments,
)
from frontdesk.domain.scheduling.ranges import TimeRange

NEW_YORK = ZoneInfo("America/New_York")
LISBON = ZoneInfo("Europe/Lisbon")
LONDON = ZoneInfo("Europe/London")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
UTC_ZONE = ZoneInfo("UTC")
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)

US_SPRING = date(2026, 3, 8)  # Sunday: 02:00 EST -> 03:00 EDT at 07:00 UTC
US_FALL = date(2026, 11, 1)  # Sunday: 02:00 EDT -> 01:00 EST at 06:00 UTC


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def t(h: int, m: int = 0) -> time:
    return time(h, m)


def weekdays(start: time, end: time, days: range = range(5)) -> list[WeeklyWindow]:
    return [WeeklyWindow(d, start, end) for d in days]


# --- local_range: ordinary days --------------------------------------------------------------


def test_lisbon_ordinary_days_summer_and_winter() -> None:
    assert local_range(date(2026, 6, 15), t(9), t(17), LISBON) == TimeRange(
        utc(2026, 6, 15, 8), utc(2026, 6, 15, 16)
    )
    assert local_range(date(2026, 1, 12), t(9), t(17), LISBON) == TimeRange(
        utc(2026, 1, 12, 9), utc(2026, 1, 12, 17)
    )


def test_new_york_ordinary_day() -> None:
    r = local_range(date(2026, 6, 15), t(9), t(17, 30), NEW_YORK)
    assert r == TimeRange(utc(2026, 6, 15, 13), utc(2026, 6, 15, 21, 30))
    assert r is not None and r.start.tzinfo is UTC and r.end.tzinfo is UTC


def test_aware_wall_times_are_refused() -> None:
    with pytest.raises(ValueError):
        local_range(date(2026, 6, 15), time(9, tzinfo=UTC), t(17), LISBON)


# --- local_range: United States --------------------------------------------------------------


def test_spring_forward_day_loses_an_hour() -> None:
    r = local_range(US_SPRING, t(1), t(5), NEW_YORK)
    assert r == TimeRange(utc(2026, 3, 8, 6), utc(2026, 3, 8, 9))
    assert r.duration == 3 * HOUR


def test_window_starting_in_the_gap_starts_when_the_clock_resumes() -> None:
    r = local_range(US_SPRING, t(2, 30), t(4), NEW_YORK)
    assert r == TimeRange(utc(2026, 3, 8, 7), utc(2026, 3, 8, 8))
    assert r.start.astimezone(NEW_YORK).time() == t(3)


def test_window_ending_in_the_gap_ends_at_the_gap() -> None:
    assert local_range(US_SPRING, t(1), t(2, 30), NEW_YORK) == TimeRange(
        utc(2026, 3, 8, 6), utc(2026, 3, 8, 7)
    )


def test_window_wholly_in_the_gap_is_empty() -> None:
    assert local_range(US_SPRING, t(2, 10), t(2, 50), NEW_YORK) is None


def test_fall_back_day_gains_an_hour() -> None:
    r = local_range(US_FALL, t(1), t(3), NEW_YORK)
    assert r == TimeRange(utc(2026, 11, 1, 5), utc(2026, 11, 1, 8))
    assert r.duration == 3 * HOUR


def test_ambiguous_window_covers_both_occurrences() -> None:
    # 01:00 first time (EDT, 05:00Z) to 01:30 second time (EST, 06:30Z).
    assert local_range(US_FALL, t(1), t(1, 30), NEW_YORK) == TimeRange(
        utc(2026, 11, 1, 5), utc(2026, 11, 1, 6, 30)
    )


# --- local_range: Europe/London and Australia/Lord_Howe ----------------------------------------


def test_london_spring_forward() -> None:
    day = date(2026, 3, 29)  # 01:00 GMT -> 02:00 BST
    assert local_range(day, t(0), t(3), LONDON) == TimeRange(utc(2026, 3, 29, 0), utc(2026, 3, 29, 2))
    assert local_range(day, t(1, 30), t(4), LONDON) == TimeRange(utc(2026, 3, 29, 1), utc(2026, 3, 29, 3))


def test_london_fall_back() -> None:
    day = date(2026, 10, 25)  # 02:00 BST -> 01:00 GMT
    r = local_range(day, t(1), t(3), LONDON)
    assert r == TimeRange(utc(2026, 10, 25, 0), utc(2026, 10, 25, 3))
    assert r.duration == 3 * HOUR


def test_lord_howe_half_hour_spring_forward() -> None:
    day = date(2026, 10, 4)  # 02:00 +10:30 -> 02:30 +11:00, at 15:30Z the day before
    r = local_range(day, t(1), t(4), LORD_HOWE)
    assert r == TimeRange(utc(2026, 10, 3, 14, 30), utc(2026, 10, 3, 17))
    assert r.duration == timedelta(hours=2, minutes=30)
    assert local_range(day, t(2, 10), t(3), LORD_HOWE) == TimeRange(
        utc(2026, 10, 3, 15, 30), utc(2026, 10, 3, 16)
    )
    assert local_range(day, t(2), t(2, 29), LORD_HOWE) is None


def test_lord_howe_half_hour_fall_back() -> None:
    day = date(2026, 4, 5)  # 02:00 +11:00 -> 01:30 +10:30, at 15:00Z the day before
    r = local_range(day, t(1), t(3), LORD_HOWE)
    assert r == TimeRange(utc(2026, 4, 4, 14), utc(2026, 4, 4, 16, 30))
    assert r.duration == timedelta(hours=2, minutes=30)
    assert local_range(day, t(1, 30), t(2), LORD_HOWE) == TimeRange(
        utc(2026, 4, 4, 14, 30), utc(2026, 4, 4, 15, 30)
    )


def test_offset_segments_find_the_transitions() -> None:
    pieces = offset_segments(NEW_YORK, utc(2026, 1, 1), utc(2026, 12, 31))
    assert pieces == [
        (utc(2026, 1, 1), timedelta(hours=-5)),
        (utc(2026, 3, 8, 7), timedelta(hours=-4)),
        (utc(2026, 11, 1, 6), timedelta(hours=-5)),
    ]
    # Across New Year there is no change to report, only the offset.
    assert offset_segments(NEW_YORK, utc(2025, 12, 30), utc(2026, 1, 2)) == [
        (utc(2025, 12, 30), timedelta(hours=-5))
    ]


# --- local_range against a brute-force oracle --------------------------------------------------


def clock_change_days(tz: ZoneInfo, year: int) -> list[date]:
    """Local dates on which `tz` changed its UTC offset in `year`, found by an hourly scan."""
    out = []
    m = datetime(year, 1, 1, tzinfo=UTC)
    before = m.astimezone(tz).utcoffset()
    while m.year == year:
        m += timedelta(hours=1)
        local = m.astimezone(tz)
        if local.utcoffset() != before:
            out.append(local.date())
            before = local.utcoffset()
    return out


CHANGING_ZONES = [NEW_YORK, LONDON, LORD_HOWE, ZoneInfo("Europe/Berlin"), ZoneInfo("America/Santiago")]
# (zone, day) pairs on which that zone's clocks change; Santiago changes at midnight, so one of its
# local days starts at 01:00 and another has two 23:xx hours the evening before.
CLOCK_CHANGES = [(tz, day) for tz in CHANGING_ZONES for day in clock_change_days(tz, 2026)]
ORDINARY_DAYS = st.tuples(
    st.sampled_from([LISBON, NEW_YORK, LORD_HOWE, ZoneInfo("Asia/Kolkata")]),
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
)


def test_scenarios_really_are_clock_change_days() -> None:
    assert (NEW_YORK, US_SPRING) in CLOCK_CHANGES and (NEW_YORK, US_FALL) in CLOCK_CHANGES
    assert len(CLOCK_CHANGES) == 2 * len(CHANGING_ZONES)


def wall_hull(day: date, start: time, end: time, tz: ZoneInfo) -> TimeRange | None:
    """The oracle: from the first to the last UTC minute whose local reading is on `day` in [start, end)."""
    hits = []
    m = datetime.combine(day, time(0), UTC) - timedelta(hours=15)
    stop = m + timedelta(hours=15 + 24 + 15)
    while m < stop:
        local = m.astimezone(tz)
        if local.date() == day and start <= local.time() < end:
            hits.append(m)
        m += MINUTE
    return TimeRange(hits[0], hits[-1] + MINUTE) if hits else None


def _wall(m: int) -> time:
    return time(m // 60, m % 60)


# Half the wall times fall in 22:00-04:00, where clocks change, the rest anywhere in the day.
wall_time = st.one_of(
    st.integers(0, 4 * 60 - 1), st.integers(22 * 60, 24 * 60 - 1), st.integers(0, 24 * 60 - 1)
).map(_wall)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CLOCK_CHANGES) | ORDINARY_DAYS, wall_time, wall_time)
def test_local_range_matches_wall_clock_oracle(scenario: tuple[ZoneInfo, date], a: time, b: time) -> None:
    tz, day = scenario
    start, end = min(a, b), max(a, b)
    if start == end:
        return
    assert local_range(day, start, end, tz) == wall_hull(day, start, end, tz)


# --- expand_weekly ------------------------------------------------------------------------------


def test_week_with_lunch_break() -> None:
    out = expand_weekly(
        weekdays(t(9), t(17)),
        weekdays(t(12), t(13)),
        [],
        LISBON,
        date(2026, 6, 13),  # Saturday
        date(2026, 6, 16),  # Tuesday
    )
    assert out == [
        TimeRange(utc(2026, 6, 15, 8), utc(2026, 6, 15, 11)),
        TimeRange(utc(2026, 6, 15, 12), utc(2026, 6, 15, 16)),
        TimeRange(utc(2026, 6, 16, 8), utc(2026, 6, 16, 11)),
        TimeRange(utc(2026, 6, 16, 12), utc(2026, 6, 16, 16)),
    ]
    assert all(r.start.tzinfo is UTC and r.end.tzinfo is UTC for r in out)


def test_overrides_close_a_day_and_replace_hours_breaks_still_apply() -> None:
    out = expand_weekly(
        weekdays(t(9), t(17)),
        weekdays(t(12), t(13), range(7)),
        [
            DateOverride(date(2026, 6, 15), ()),  # Monday closed
            DateOverride(date(2026, 6, 16), ((t(11), t(14)),)),  # Tuesday short day, lunch stays
            DateOverride(date(2026, 6, 20), ((t(10), t(12)), (t(15), t(16)))),  # Saturday opens
        ],
        NEW_YORK,
        date(2026, 6, 15),
        date(2026, 6, 21),
    )
    by_day: dict[date, list[tuple[time, time]]] = {}
    for r in out:
        start, end = r.start.astimezone(NEW_YORK), r.end.astimezone(NEW_YORK)
        by_day.setdefault(start.date(), []).append((start.time(), end.time()))
    assert by_day == {
        date(2026, 6, 16): [(t(11), t(12)), (t(13), t(14))],
        date(2026, 6, 17): [(t(9), t(12)), (t(13), t(17))],
        date(2026, 6, 18): [(t(9), t(12)), (t(13), t(17))],
        date(2026, 6, 19): [(t(9), t(12)), (t(13), t(17))],
        date(2026, 6, 20): [(t(10), t(12)), (t(15), t(16))],
    }


def test_windows_of_a_day_are_merged() -> None:
    out = expand_weekly(
        [WeeklyWindow(0, t(9), t(12)), WeeklyWindow(0, t(12), t(14)), WeeklyWindow(0, t(11), t(13))],
        [],
        [],
        UTC_ZONE,
        date(2026, 6, 15),
        date(2026, 6, 15),
    )
    assert out == [TimeRange(utc(2026, 6, 15, 9), utc(2026, 6, 15, 14))]


def test_spring_forward_sunday_in_a_week() -> None:
    out = expand_weekly(
        [WeeklyWindow(6, t(1), t(5)), WeeklyWindow(5, t(1), t(5))],
        [],
        [],
        NEW_YORK,
        date(2026, 3, 7),
        date(2026, 3, 8),
    )
    assert out == [
        TimeRange(utc(2026, 3, 7, 6), utc(2026, 3, 7, 10)),  # Saturday, EST: four hours
        TimeRange(utc(2026, 3, 8, 6), utc(2026, 3, 8, 9)),  # Sunday: three hours
    ]


def test_break_on_the_fall_back_day_covers_both_occurrences() -> None:
    # Subtracting on the wall clock would give 00:00-01:00 and 01:30-03:00, whose UTC forms overlap
    # and would swallow the break; subtracting in UTC keeps it.
    out = expand_weekly(
        [WeeklyWindow(6, t(0), t(3))], [WeeklyWindow(6, t(1), t(1, 30))], [], NEW_YORK, US_FALL, US_FALL
    )
    assert out == [
        TimeRange(utc(2026, 11, 1, 4), utc(2026, 11, 1, 5)),
        TimeRange(utc(2026, 11, 1, 6, 30), utc(2026, 11, 1, 8)),
    ]


def test_lord_howe_days_around_both_changes() -> None:
    days = [WeeklyWindow(6, t(0), t(6))]
    spring = expand_weekly(days, [], [], LORD_HOWE, date(2026, 10, 4), date(2026, 10, 4))
    assert [r.duration for r in spring] == [timedelta(hours=5, minutes=30)]
    fall = expand_weekly(days, [], [], LORD_HOWE, date(2026, 4, 5), date(2026, 4, 5))
    assert [r.duration for r in fall] == [timedelta(hours=6, minutes=30)]


def test_london_dst_days() -> None:
    days = [WeeklyWindow(6, t(0), t(4))]
    assert [
        r.duration for r in expand_weekly(days, [], [], LONDON, date(2026, 3, 29), date(2026, 3, 29))
    ] == [3 * HOUR]
    assert [
        r.duration for r in expand_weekly(days, [], [], LONDON, date(2026, 10, 25), date(2026, 10, 25))
    ] == [5 * HOUR]


def test_empty_span() -> None:
    assert expand_weekly(weekdays(t(9), t(17)), [], [], LISBON, date(2026, 6, 16), date(2026, 6, 15)) == []


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(CLOCK_CHANGES),
    st.lists(st.tuples(st.integers(0, 6), wall_time, wall_time), max_size=6),
    st.lists(st.tuples(st.integers(0, 6), wall_time, wall_time), max_size=3),
)
def test_expand_weekly_matches_oracle(
    scenario: tuple[ZoneInfo, date],
    raw_windows: list[tuple[int, time, time]],
    raw_breaks: list[tuple[int, time, time]],
) -> None:
    tz, day = scenario

    def windows(raw: list[tuple[int, time, time]]) -> list[WeeklyWindow]:
        return [WeeklyWindow(d, min(a, b), max(a, b)) for d, a, b in raw if a != b]

    weekly, breaks = windows(raw_windows), windows(raw_breaks)
    first, last = day - timedelta(days=1), day + timedelta(days=1)
    out = expand_weekly(weekly, breaks, [], tz, first, last)

    expected: set[datetime] = set()
    d = first
    while d <= last:
        day_open: set[datetime] = set()
        for w in weekly:
            if w.weekday == d.weekday() and (r := wall_hull(d, w.start, w.end, tz)) is not None:
                day_open.update(r.start + k * MINUTE for k in range(r.duration // MINUTE))
        for b in breaks:
            if b.weekday == d.weekday() and (r := wall_hull(d, b.start, b.end, tz)) is not None:
                day_open.difference_update(r.start + k * MINUTE for k in range(r.duration // MINUTE))
        expected |= day_open
        d += timedelta(days=1)
    got = {r.start + k * MINUTE for r in out for k in range(r.duration // MINUTE)}
    assert got == expected
    for left, right in pairwise(out):
        assert left.end < right.start


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((7, t(9), t(17)), "weekday"),
        ((-1, t(9), t(17)), "weekday"),
        ((0, t(17), t(9)), "end"),
        ((0, t(9), t(9)), "end"),
        ((0, time(9, tzinfo=UTC), t(17)), "start"),
    ],
)
def test_weekly_window_validation(args: tuple[int, time, time], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        WeeklyWindow(*args)


def test_date_override_validation() -> None:
    with pytest.raises(ValueError, match="windows"):
        DateOverride(date(2026, 6, 15), ((t(14), t(11)),))


def test_two_overrides_for_one_day_are_refused() -> None:
    same = date(2026, 6, 15)
    with pytest.raises(ValueError, match="overrides"):
        expand_weekly(
            [], [], [DateOverride(same, ()), DateOverride(same, ((t(9), t(10)),))], LISBON, same, same
        )


@pytest.mark.parametrize(
    ("tz", "day", "end", "utc_end"),
    [
        # Santiago's clocks go back at midnight: 23:00 of 4 April 2026 happens twice.
        (ZoneInfo("America/Santiago"), date(2026, 4, 4), time(23), datetime(2026, 4, 5, 2, tzinfo=UTC)),
        # New York's 01:00 happens twice on 1 November 2026.
        (NEW_YORK, date(2026, 11, 1), time(1), datetime(2026, 11, 1, 5, tzinfo=UTC)),
    ],
)
def test_a_window_ending_where_the_repeated_hour_begins_ends_at_its_first_occurrence(
    tz: ZoneInfo, day: date, end: time, utc_end: datetime
) -> None:
    r = local_range(day, time(0), end, tz)
    assert r is not None and r.end == utc_end == wall_hull(day, time(0), end, tz).end  # type: ignore[union-attr]
    # Half an hour later it is the second occurrence: the repeated half hour reads before the end.
    later = time(end.hour, 30)
    assert local_range(day, time(0), later, tz) == wall_hull(day, time(0), later, tz)
