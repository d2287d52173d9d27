"""Free slots through the service: hours, breaks, time off, overrides, buffers, holds, DST days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.composition import Frontdesk
from frontdesk.services.scheduling import availability
from frontdesk.services.scheduling.appointments import BookingRequest
from frontdesk.storage import models as m
from tests.conftest import Clock
from tests.factories import Scenario

NY = ZoneInfo("America/New_York")


def local(slots: list, tz: ZoneInfo = NY) -> list[str]:  # type: ignore[type-arg]
    return [s.starts_at.astimezone(tz).strftime("%H:%M") for s in slots]


async def test_slots_follow_hours_breaks_and_bookings(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    await app.appointments.book(
        p,
        BookingRequest(
            provider_id=scenario.garcia,
            datebook_id=scenario.ny,
            patient_id=scenario.juan,
            starts_at="2026-03-03T10:00",
            service_id=scenario.crown,
        ),
    )
    slots = await app.availability.find(
        p,
        provider_id=scenario.garcia,
        datebook_id=scenario.ny,
        service_id=scenario.cleaning,
        start="2026-03-03",
        end="2026-03-04",
    )
    times = local(slots)
    assert times[:4] == [
        "09:00",
        "09:15",
        "09:30",
        "11:15",
    ]  # the crown runs 10:00-11:00 plus a 15 min buffer
    assert "11:30" in times and "11:45" not in times  # 11:45 + 30 min would run into lunch
    assert "12:00" not in times and "12:30" not in times and "13:00" in times
    assert times[-1] == "16:30"
    assert all(s.provider_name == "Dr. Ana Garcia" and s.datebook_name == "Main Street" for s in slots)


async def test_time_off_and_date_overrides(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    async with app.db.write() as s:
        s.add(
            m.TimeOff(
                practice_id=scenario.practice_id,
                provider_id=scenario.garcia,
                starts_at=datetime(2026, 3, 3, 14, 0, tzinfo=UTC),  # 09:00-13:00 New York
                ends_at=datetime(2026, 3, 3, 18, 0, tzinfo=UTC),
            )
        )
        s.add(
            m.DateOverride(
                practice_id=scenario.practice_id,
                provider_id=scenario.garcia,
                datebook_id=scenario.ny,
                day=date(2026, 3, 4),
            )
        )  # closed
        s.add(
            m.DateOverride(
                practice_id=scenario.practice_id,
                provider_id=scenario.garcia,
                datebook_id=scenario.ny,
                day=date(2026, 3, 7),
                start_time="10:00",
                end_time="11:00",
            )
        )
    slots = await app.availability.find(
        p, provider_id=scenario.garcia, duration_minutes=30, start="2026-03-03", end="2026-03-08"
    )
    by_day: dict[str, list[str]] = {}
    for sl in slots:
        t = sl.starts_at.astimezone(NY)
        by_day.setdefault(t.strftime("%m-%d"), []).append(t.strftime("%H:%M"))
    assert by_day["03-03"][0] == "13:00"
    assert "03-04" not in by_day
    assert by_day["03-07"] == ["10:00", "10:15", "10:30"]  # a Saturday opened by override


async def test_slots_on_dst_days_keep_the_local_grid(
    app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    p = scenario.principal
    # New York springs forward on Sunday 8 March and Lisbon on Sunday 29 March 2026;
    # the Mondays after must still offer 09:00 local.
    for day, book, tz in (
        ("2026-03-09", scenario.ny, NY),
        ("2026-03-30", scenario.lisbon, ZoneInfo("Europe/Lisbon")),
    ):
        slots = await app.availability.find(
            p, datebook_id=book, duration_minutes=60, start=day, end=day + "T23:59"
        )
        times = sorted(set(local(slots, tz)))
        assert times[0] == "09:00" and times[-1] == "16:00", (day, times)
        assert all(t[3:] in {"00", "15", "30", "45"} for t in times)
    ny_9 = next(
        s
        for s in await app.availability.find(p, datebook_id=scenario.ny, start="2026-03-09", end="2026-03-10")
        if s.starts_at.astimezone(NY).hour == 9
    )
    assert ny_9.starts_at.astimezone(UTC).hour == 13  # 09:00 EDT is 13:00 UTC after the change


async def test_holds_block_slots_until_they_expire(app: Frontdesk, scenario: Scenario, clock: Clock) -> None:
    p = scenario.principal
    await app.appointments.book(
        p,
        BookingRequest(
            provider_id=scenario.garcia,
            datebook_id=scenario.ny,
            patient_id=scenario.juan,
            starts_at="2026-03-03T09:00",
            ends_at="2026-03-03T09:30",
            hold=True,
        ),
    )

    async def first() -> str:
        slots = await app.availability.find(
            p, provider_id=scenario.garcia, start="2026-03-03", end="2026-03-04"
        )
        return local(slots)[0]

    assert await first() == "09:30"
    clock.advance(minutes=5, seconds=1)
    assert await first() == "09:00"


async def test_min_notice_starts_from_now(app: Frontdesk, scenario: Scenario, clock: Clock) -> None:
    clock.now = datetime(2026, 3, 3, 15, 7, tzinfo=UTC)  # 10:07 in New York
    slots = await app.availability.find(scenario.principal, provider_id=scenario.garcia)
    assert local(slots)[0] == "10:15"


async def test_the_stepped_search_finds_exactly_what_one_pass_over_the_range_finds(
    app: Frontdesk, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """find() expands a day first, then longer stretches, and stops once it has `limit` slots; its answer
    must be the one a single pass over the whole range gives, also across stretch ends that fall inside
    working hours (16:50, and 13:00 on the grid) and across the DST change of 8 March."""
    p = scenario.principal
    for day, hhmm in (("2026-03-03", "10:00"), ("2026-03-04", "15:45"), ("2026-03-09", "09:00")):
        await app.appointments.book(
            p,
            BookingRequest(
                provider_id=scenario.garcia,
                datebook_id=scenario.ny,
                patient_id=scenario.juan,
                starts_at=f"{day}T{hhmm}",
                service_id=scenario.crown,
            ),
        )
    cases = [
        {"start": "2026-03-03T16:50", "end": "2026-03-13", "limit": n, "service_id": sv}
        for n in (1, 7, 20, 45, 200)
        for sv in (scenario.cleaning, scenario.crown)
    ] + [
        {"start": "2026-03-06T12:10", "end": "2026-03-10T08:00", "limit": 60, "datebook_id": scenario.ny},
        # Stretch ends on the grid and inside working hours: a start exactly there belongs to one stretch.
        {"start": "2026-03-03T13:00", "end": "2026-03-12T13:00", "limit": 150, "datebook_id": scenario.ny},
        {"start": "2026-03-02", "end": "2026-03-31", "limit": 200},
    ]
    for args in cases:
        stepped = await app.availability.find(p, **args)
        monkeypatch.setattr(availability, "FIRST_SPAN", timedelta(days=365))
        whole = await app.availability.find(p, **args)
        monkeypatch.undo()
        assert stepped, args
        assert [(s.starts_at, s.provider_id, s.datebook_id) for s in stepped] == [
            (s.starts_at, s.provider_id, s.datebook_id) for s in whole
        ], args
