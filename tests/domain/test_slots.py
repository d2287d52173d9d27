"""The slot finder: worked examples, DST days, and properties checked against a brute-force oracle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.domain.scheduling.hours import WeeklyWindow, expand_weekly
from frontdesk.domain.scheduling.ranges import TimeRange
from frontdesk.domain.scheduling.slots import Busy, SlotRules, busy_by_provider, find_slots

NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
UTC_ZONE = ZoneInfo("UTC")
MINUTE = timedelta(minutes=1)
DAY = date(2026, 6, 15)
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def mins(n: int) -> timedelta:
    return timedelta(minutes=n)


def at(h: int, m: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(h, m), UTC)


def span(a: datetime, b: datetime) -> TimeRange:
    return TimeRange(a, b)


def booking(h: int, m: int, length: int, before: int = 0, after: int = 0) -> Busy:
    return Busy(span(at(h, m), at(h, m) + mins(length)), mins(before), mins(after))


WHOLE_DAY = span(at(0), at(0) + timedelta(days=1))
MORNING = [span(at(9), at(12))]


def starts(slots: list[TimeRange]) -> list[datetime]:
    return [s.start for s in slots]


def local_wall(slots: list[TimeRange], tz: ZoneInfo) -> list[time]:
    return [s.start.astimezone(tz).time() for s in slots]


def every(step: int, first: datetime, last: datetime) -> list[datetime]:
    out = []
    while first <= last:
        out.append(first)
        first += mins(step)
    return out


# --- worked examples ----------------------------------------------------------------------------


def test_empty_calendar_gives_every_grid_start() -> None:
    slots = find_slots(MORNING, [], SlotRules(duration=mins(30)), UTC_ZONE, LONG_AGO, WHOLE_DAY)
    assert starts(slots) == every(15, at(9), at(11, 30))
    assert all(s.duration == mins(30) for s in slots)
    assert all(s.start.tzinfo is UTC for s in slots)


def test_back_to_back_booking_leaves_the_next_slot_free() -> None:
    slots = find_slots(
        MORNING, [booking(10, 0, 30)], SlotRules(duration=mins(30)), UTC_ZONE, LONG_AGO, WHOLE_DAY
    )
    got = starts(slots)
    assert at(10, 30) in got  # starts as the booking ends
    assert at(9, 30) in got  # ends as the booking starts
    assert at(9, 45) not in got and at(10, 0) not in got and at(10, 15) not in got
    assert got == [at(9), at(9, 15), at(9, 30), *every(15, at(10, 30), at(11, 30))]


def test_booking_buffers_block_time() -> None:
    slots = find_slots(
        MORNING,
        [booking(10, 0, 30, before=15, after=15)],
        SlotRules(duration=mins(30)),
        UTC_ZONE,
        LONG_AGO,
        WHOLE_DAY,
    )
    assert starts(slots) == [at(9), at(9, 15), *every(15, at(10, 45), at(11, 30))]


def test_rule_buffers_keep_the_padded_slot_off_bookings() -> None:
    rules = SlotRules(duration=mins(30), buffer_before=mins(15), buffer_after=mins(15))
    slots = find_slots(MORNING, [booking(10, 0, 30)], rules, UTC_ZONE, LONG_AGO, WHOLE_DAY)
    assert starts(slots) == [at(9), at(9, 15), *every(15, at(10, 45), at(11, 30))]


def test_buffers_on_both_sides_do_not_add_up() -> None:
    # Each rule alone needs 10 minutes between the booking's end and the slot's start.
    rules = SlotRules(duration=mins(30), grid=mins(5), buffer_before=mins(10))
    slots = find_slots(MORNING, [booking(10, 0, 30, after=10)], rules, UTC_ZONE, LONG_AGO, WHOLE_DAY)
    assert at(10, 40) in starts(slots)
    assert at(10, 35) not in starts(slots)


def test_gap_exactly_one_slot_long_is_offered() -> None:
    busy = [booking(9, 30, 30), booking(10, 30, 30)]
    slots = find_slots(MORNING, busy, SlotRules(duration=mins(30)), UTC_ZONE, LONG_AGO, WHOLE_DAY)
    assert starts(slots) == [at(9), at(10), *every(15, at(11), at(11, 30))]


def test_overlapping_open_ranges_do_not_duplicate_slots() -> None:
    # The last start of the first range (09:30) is the first start of the second.
    ranges = [span(at(9), at(10)), span(at(9, 30), at(11))]
    slots = find_slots(ranges, [], SlotRules(duration=mins(30), grid=mins(30)), UTC_ZONE, LONG_AGO, WHOLE_DAY)
    assert starts(slots) == [at(9), at(9, 30), at(10), at(10, 30)]


def test_booking_nested_in_a_longer_one() -> None:
    busy = [booking(9, 0, 120), booking(9, 30, 30)]
    slots = find_slots(
        [span(at(8), at(12))], busy, SlotRules(duration=mins(30)), UTC_ZONE, LONG_AGO, WHOLE_DAY
    )
    assert starts(slots) == [at(8), at(8, 15), at(8, 30), *every(15, at(11), at(11, 30))]


def test_slot_must_fit_in_one_open_range() -> None:
    touching = [span(at(9), at(10)), span(at(10), at(11))]
    slots = find_slots(
        touching, [], SlotRules(duration=mins(60), grid=mins(30)), UTC_ZONE, LONG_AGO, WHOLE_DAY
    )
    assert starts(slots) == [at(9), at(10)]


def test_min_notice_and_horizon_bounds_are_inclusive() -> None:
    rules = SlotRules(duration=mins(30), min_notice=mins(60), horizon=mins(120))
    now = at(8, 30)
    slots = find_slots(MORNING, [], rules, UTC_ZONE, now, WHOLE_DAY)
    assert starts(slots) == every(15, at(9, 30), at(10, 30))


def test_window_clips_slots() -> None:
    window = span(at(10, 10), at(11, 15))
    slots = find_slots(MORNING, [], SlotRules(duration=mins(30)), UTC_ZONE, LONG_AGO, window)
    assert starts(slots) == [at(10, 15), at(10, 30), at(10, 45)]


def test_grid_is_local_wall_clock() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+05:30: local hours fall on UTC half hours
    slots = find_slots(MORNING, [], SlotRules(duration=mins(60), grid=mins(60)), kolkata, LONG_AGO, WHOLE_DAY)
    assert starts(slots) == [at(9, 30), at(10, 30)]
    assert local_wall(slots, kolkata) == [time(15), time(16)]


def test_open_range_off_the_grid_starts_at_the_next_grid_time() -> None:
    slots = find_slots(
        [span(at(9, 7), at(10, 7))],
        [],
        SlotRules(duration=mins(20), grid=mins(10)),
        UTC_ZONE,
        LONG_AGO,
        WHOLE_DAY,
    )
    assert starts(slots) == every(10, at(9, 10), at(9, 40))


def test_inputs_in_other_zones_give_the_same_utc_slots() -> None:
    lisbon = ZoneInfo("Europe/Lisbon")
    rules = SlotRules(duration=mins(30), buffer_after=mins(5))
    busy = [booking(10, 0, 30, before=5), booking(11, 0, 15)]
    expected = find_slots(MORNING, busy, rules, lisbon, at(7), WHOLE_DAY)

    def moved(r: TimeRange) -> TimeRange:
        return TimeRange(r.start.astimezone(lisbon), r.end.astimezone(NEW_YORK))

    got = find_slots(
        [moved(r) for r in MORNING],
        [Busy(moved(b.range), b.buffer_before, b.buffer_after) for b in busy],
        rules,
        lisbon,
        at(7).astimezone(NEW_YORK),
        moved(WHOLE_DAY),
    )
    assert got == expected
    assert all(s.start.tzinfo is UTC and s.end.tzinfo is UTC for s in got)


def test_limit() -> None:
    rules = SlotRules(duration=mins(30))
    full = find_slots(MORNING, [], rules, UTC_ZONE, LONG_AGO, WHOLE_DAY)
    assert find_slots(MORNING, [], rules, UTC_ZONE, LONG_AGO, WHOLE_DAY, limit=3) == full[:3]
    assert find_slots(MORNING, [], rules, UTC_ZONE, LONG_AGO, WHOLE_DAY, limit=len(full) + 5) == full
    assert find_slots(MORNING, [], rules, UTC_ZONE, LONG_AGO, WHOLE_DAY, limit=0) == []
    with pytest.raises(ValueError, match="limit"):
        find_slots(MORNING, [], rules, UTC_ZONE, LONG_AGO, WHOLE_DAY, limit=-1)


def test_nothing_to_find() -> None:
    rules = SlotRules(duration=mins(30))
    assert find_slots([], [], rules, UTC_ZONE, LONG_AGO, WHOLE_DAY) == []
    assert find_slots([span(at(9), at(9, 20))], [], rules, UTC_ZONE, LONG_AGO, WHOLE_DAY) == []
    assert find_slots(MORNING, [booking(8, 0, 300)], rules, UTC_ZONE, LONG_AGO, WHOLE_DAY) == []
    assert find_slots(MORNING, [], rules, UTC_ZONE, at(13), WHOLE_DAY) == []


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="now"):
        find_slots(MORNING, [], SlotRules(duration=mins(30)), UTC_ZONE, datetime(2026, 1, 1), WHOLE_DAY)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"duration": mins(0)}, "duration"),
        ({"duration": mins(-5)}, "duration"),
        ({"duration": mins(30), "grid": mins(0)}, "grid"),
        ({"duration": mins(30), "grid": mins(7)}, "grid"),  # does not divide a day
        ({"duration": mins(30), "grid": timedelta(seconds=90)}, "grid"),  # not whole minutes
        ({"duration": mins(30), "buffer_before": mins(-1)}, "buffer_before"),
        ({"duration": mins(30), "buffer_after": mins(-1)}, "buffer_after"),
        ({"duration": mins(30), "min_notice": mins(-1)}, "min_notice"),
        ({"duration": mins(30), "horizon": mins(-1)}, "horizon"),
    ],
)
def test_rules_validation(kwargs: dict[str, timedelta], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        SlotRules(**kwargs)


def test_busy_validation() -> None:
    with pytest.raises(ValueError, match="buffer_after"):
        Busy(span(at(9), at(10)), buffer_after=mins(-5))


# --- DST days -----------------------------------------------------------------------------------


def slots_on(tz: ZoneInfo, day: date, start: time, end: time, rules: SlotRules) -> list[TimeRange]:
    open_ranges = expand_weekly([WeeklyWindow(day.weekday(), start, end)], [], [], tz, day, day)
    window = span(
        datetime.combine(day, time(0), UTC) - timedelta(days=1),
        datetime.combine(day, time(0), UTC) + timedelta(days=2),
    )
    return find_slots(open_ranges, [], rules, tz, LONG_AGO, window)


def assert_distinct_and_increasing(slots: list[TimeRange]) -> None:
    for a, b in pairwise(slots):
        assert a.start < b.start


def test_new_york_spring_forward_day() -> None:
    slots = slots_on(NEW_YORK, date(2026, 3, 8), time(0), time(6), SlotRules(duration=mins(30)))
    assert_distinct_and_increasing(slots)
    wall = [time(h, m) for h in (0, 1) for m in (0, 15, 30, 45)]
    wall += [time(h, m) for h in (3, 4, 5) for m in (0, 15, 30, 45)][:-1]  # last start 05:30
    assert local_wall(slots, NEW_YORK) == wall
    # Every step is exactly one grid: nothing skipped, nothing doubled, across the gap too.
    assert all(b.start - a.start == mins(15) for a, b in pairwise(slots))
    assert starts(slots)[0] == datetime(2026, 3, 8, 5, tzinfo=UTC)
    assert starts(slots)[8] == datetime(2026, 3, 8, 7, tzinfo=UTC)  # 03:00 EDT


def test_new_york_fall_back_day() -> None:
    slots = slots_on(NEW_YORK, date(2026, 11, 1), time(0), time(3), SlotRules(duration=mins(30)))
    assert_distinct_and_increasing(slots)
    assert starts(slots) == every(
        15, datetime(2026, 11, 1, 4, tzinfo=UTC), datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    )
    hours = [time(0, m) for m in (0, 15, 30, 45)]
    ones = [time(1, m) for m in (0, 15, 30, 45)]
    assert local_wall(slots, NEW_YORK) == [*hours, *ones, *ones, time(2), time(2, 15), time(2, 30)]
    # The repeated 01:xx are the two different instants, EDT then EST.
    offsets = [s.start.astimezone(NEW_YORK).utcoffset() for s in slots[4:12]]
    assert offsets == [timedelta(hours=-4)] * 4 + [timedelta(hours=-5)] * 4


def test_lord_howe_half_hour_shift_keeps_a_quarter_hour_grid() -> None:
    slots = slots_on(LORD_HOWE, date(2026, 10, 4), time(1), time(4), SlotRules(duration=mins(15)))
    assert local_wall(slots, LORD_HOWE) == [
        *(time(1, m) for m in (0, 15, 30, 45)),
        time(2, 30),
        time(2, 45),
        *(time(3, m) for m in (0, 15, 30, 45)),
    ]
    assert all(b.start - a.start == mins(15) for a, b in pairwise(slots))


def test_lord_howe_half_hour_shift_realigns_an_hourly_grid() -> None:
    rules = SlotRules(duration=mins(60), grid=mins(60))
    spring = slots_on(LORD_HOWE, date(2026, 10, 4), time(0), time(6), rules)
    assert local_wall(spring, LORD_HOWE) == [time(0), time(1), time(3), time(4), time(5)]
    fall = slots_on(LORD_HOWE, date(2026, 4, 5), time(0), time(6), rules)
    assert local_wall(fall, LORD_HOWE) == [time(h) for h in range(6)]
    # 01:00 (+11:00) to 02:00 (+10:30) is ninety minutes of real time.
    assert fall[2].start - fall[1].start == mins(90)


# --- properties ---------------------------------------------------------------------------------

SCENARIOS = [
    (NEW_YORK, date(2026, 3, 8)),
    (NEW_YORK, date(2026, 11, 1)),
    (LORD_HOWE, date(2026, 10, 4)),
    (LORD_HOWE, date(2026, 4, 5)),
    (ZoneInfo("Europe/London"), date(2026, 3, 29)),
    (ZoneInfo("Europe/Lisbon"), date(2026, 6, 15)),
    (ZoneInfo("Asia/Kolkata"), date(2026, 6, 15)),
    (UTC_ZONE, date(2026, 1, 1)),
]
# Minutes covered by a generated case, from six hours before local midnight: enough to include
# every scenario's clock change, small enough that bookings and ranges often meet.
SPAN = 16 * 60


@dataclass(frozen=True)
class Case:
    open_ranges: list[TimeRange]
    busy: list[Busy]
    rules: SlotRules
    tz: ZoneInfo
    now: datetime
    window: TimeRange


@st.composite
def cases(draw: st.DrawFn) -> Case:
    tz, day = draw(st.sampled_from(SCENARIOS))
    base = datetime.combine(day, time(0), tz).astimezone(UTC) - timedelta(hours=6)

    # Half the cases stay on a five-minute lattice, so that ranges often touch exactly: the edge
    # cases (a gap exactly one slot long, a booking ending as a range ends) need that.
    step = draw(st.sampled_from([1, 5]))

    def minute_range(max_len: int) -> TimeRange:
        start = draw(st.integers(0, (SPAN - 1) // step)) * step
        length = draw(st.integers(1, max_len // step)) * step
        return TimeRange(base + mins(start), base + mins(start + length))

    buffers = st.sampled_from([0, 0, 5, 10, 15, 30]).map(mins)
    # Open ranges and bookings come as chains, each placed a little after (or, with a negative gap,
    # overlapping or inside) the previous one: that is how ranges sharing exactly one start, gaps of
    # exactly one slot and nested bookings show up.
    open_ranges = []
    cursor = draw(st.integers(0, SPAN // step)) * step
    for _ in range(draw(st.integers(0, 4))):
        length = draw(st.integers(1, 600 // step)) * step
        open_ranges.append(TimeRange(base + mins(cursor), base + mins(cursor + length)))
        cursor += length + draw(st.integers(-120 // step, 120 // step)) * step
    busy = []
    cursor = draw(st.integers(0, SPAN // step)) * step
    for _ in range(draw(st.integers(0, 10))):
        length = draw(st.integers(1, 120 // step)) * step
        core = TimeRange(base + mins(cursor), base + mins(cursor + length))
        busy.append(Busy(core, draw(buffers), draw(buffers)))
        cursor += length + draw(st.integers(-150 // step, 90 // step)) * step
    rules = SlotRules(
        duration=mins(draw(st.sampled_from([5, 15, 20, 30, 45, 60, 90]))),
        grid=mins(draw(st.sampled_from([1, 5, 10, 15, 20, 30, 60]))),
        buffer_before=draw(buffers),
        buffer_after=draw(buffers),
        min_notice=mins(draw(st.integers(0, 720))),
        horizon=draw(st.none() | st.integers(0, SPAN).map(mins)),
    )
    now = base + mins(draw(st.integers(0, SPAN)))
    whole = TimeRange(base - timedelta(hours=2), base + mins(SPAN) + timedelta(hours=12))
    window = whole if draw(st.booleans()) else minute_range(SPAN)
    return Case(open_ranges, busy, rules, tz, now, window)


def on_grid(s: datetime, tz: ZoneInfo, grid: timedelta) -> bool:
    local = s.astimezone(tz)
    return (
        local.second == 0
        and local.microsecond == 0
        and (local.hour * 60 + local.minute) % (grid // MINUTE) == 0
    )


def qualifies(c: Case, s: datetime) -> bool:
    """Every rule, spelled out the slow way."""
    r = c.rules
    core = TimeRange(s, s + r.duration)
    padded = core.padded(r.buffer_before, r.buffer_after)
    return (
        on_grid(s, c.tz, r.grid)
        and any(o.contains(core) for o in c.open_ranges)
        and c.window.contains(core)
        and s >= c.now + r.min_notice
        and (r.horizon is None or s <= c.now + r.horizon)
        and not any(core.overlaps(b.padded) for b in c.busy)
        and not any(padded.overlaps(b.range) for b in c.busy)
    )


def oracle(c: Case) -> list[datetime]:
    """Brute force: step through the window a minute at a time and test each start."""
    out = []
    s = c.window.start
    while s + c.rules.duration <= c.window.end:
        if qualifies(c, s):
            out.append(s)
        s += MINUTE
    return out


def run(c: Case, limit: int | None = None) -> list[TimeRange]:
    return find_slots(c.open_ranges, c.busy, c.rules, c.tz, c.now, c.window, limit)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_every_slot_obeys_every_rule(c: Case) -> None:
    slots = run(c)
    r = c.rules
    for slot in slots:
        assert slot.duration == r.duration
        assert any(o.contains(slot) for o in c.open_ranges)
        assert c.window.contains(slot)
        assert slot.start >= c.now + r.min_notice
        assert r.horizon is None or slot.start <= c.now + r.horizon
        assert not any(slot.overlaps(b.padded) for b in c.busy)
        assert not any(slot.padded(r.buffer_before, r.buffer_after).overlaps(b.range) for b in c.busy)
        assert on_grid(slot.start, c.tz, r.grid)
        assert slot.start.tzinfo is UTC
    assert_distinct_and_increasing(slots)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_matches_brute_force_oracle(c: Case) -> None:
    """Completeness as well as soundness: every qualifying grid start is returned."""
    assert starts(run(c)) == oracle(c)


@settings(max_examples=150, deadline=None)
@given(cases(), st.integers(0, 10))
def test_limit_returns_a_prefix(c: Case, limit: int) -> None:
    assert run(c, limit) == run(c)[:limit]


@settings(max_examples=100, deadline=None)
@given(cases())
def test_busy_order_does_not_matter(c: Case) -> None:
    reordered = Case(list(reversed(c.open_ranges)), list(reversed(c.busy)), c.rules, c.tz, c.now, c.window)
    assert run(reordered) == run(c)


def test_busy_by_provider_groups_rows_and_applies_each_services_buffers() -> None:
    rows = [(7, 1, at(9), at(9, 30)), (8, None, at(10), at(11)), (7, 2, at(12), at(12, 30))]
    busy = busy_by_provider(rows, {1: (mins(5), mins(10))})
    assert busy == {
        7: [Busy(TimeRange(at(9), at(9, 30)), mins(5), mins(10)), Busy(TimeRange(at(12), at(12, 30)))],
        8: [Busy(TimeRange(at(10), at(11)))],
    }


def test_busy_by_provider_refuses_a_booking_that_does_not_start_before_it_ends() -> None:
    with pytest.raises(ValueError, match="start before it ends"):
        busy_by_provider([(7, None, at(9), at(9))], {})
