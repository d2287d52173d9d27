"""Many writers at once, on both databases: the no-double-booking promise under contention."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime

from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Conflict, FrontdeskError
from frontdesk.domain.scheduling.status import ACTIVE_STATUSES
from frontdesk.services.consent import Consent
from frontdesk.services.scheduling.appointments import AppointmentChange, BookingRequest
from frontdesk.storage import models as m
from tests.factories import Scenario


async def overlaps_in_db(app: Frontdesk, sc: Scenario) -> list[tuple[int, int]]:
    """Pairs of live appointments of one provider that overlap, read straight from the database."""
    async with app.db.read() as s:
        rows = (
            await s.execute(
                select(
                    m.Appointment.id,
                    m.Appointment.provider_id,
                    m.Appointment.starts_at,
                    m.Appointment.ends_at,
                )
                .where(
                    m.Appointment.practice_id == sc.practice_id,
                    m.Appointment.status.in_([x.value for x in ACTIVE_STATUSES]),
                )
                .order_by(m.Appointment.provider_id, m.Appointment.starts_at)
            )
        ).all()
    bad = []
    for a, b in itertools.pairwise(rows):
        if a.provider_id == b.provider_id and b.starts_at < a.ends_at:
            bad.append((a.id, b.id))
    return bad


def at(sc: Scenario, hhmm: str, **kw: object) -> BookingRequest:
    base: dict[str, object] = {
        "provider_id": sc.garcia,
        "datebook_id": sc.ny,
        "starts_at": f"2026-03-04T{hhmm}",
        "patient_id": sc.juan,
        "service_id": sc.cleaning,
    }
    return BookingRequest(**(base | kw))  # type: ignore[arg-type]


async def test_two_hundred_bookings_aimed_at_twenty_slots(app: Frontdesk, scenario: Scenario) -> None:
    # Twenty distinct, non-overlapping half-hours over two days.
    slots = [f"{h:02d}:{mm:02d}" for h in (9, 10, 11, 13, 14, 15, 16) for mm in (0, 30)][:14]
    slots += [f"{h:02d}:{mm:02d}" for h in (9, 10, 11) for mm in (0, 30)]  # day two
    assert len(slots) == 20
    targets = [(("2026-03-04" if i < 14 else "2026-03-05"), t) for i, t in enumerate(slots)]

    async def attempt(i: int) -> str:
        day, hhmm = targets[i % 20]
        try:
            await app.appointments.book(scenario.principal, at(scenario, hhmm, starts_at=f"{day}T{hhmm}"))
            return "ok"
        except Conflict:
            return "conflict"

    results = await asyncio.gather(*(attempt(i) for i in range(200)))
    assert results.count("ok") == 20 and results.count("conflict") == 180
    assert await overlaps_in_db(app, scenario) == []


async def test_cancel_racing_reschedule_never_overlaps(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    for round_ in range(8):
        day = f"2026-03-{9 + round_ % 5:02d}" if round_ < 5 else f"2026-03-{16 + round_ - 5:02d}"
        a = await app.appointments.book(p, at(scenario, "10:00", starts_at=f"{day}T10:00"))
        b = await app.appointments.book(p, at(scenario, "11:00", starts_at=f"{day}T11:00"))

        async def cancel_a(a_id: int = a.id) -> object:
            return await app.appointments.update(
                p, AppointmentChange(a_id, status="cancelled"), Consent.GIVEN
            )

        async def move_b(b_id: int = b.id, d: str = day) -> object:
            return await app.appointments.update(p, AppointmentChange(b_id, starts_at=f"{d}T10:00"))

        outcome = await asyncio.gather(cancel_a(), move_b(), return_exceptions=True)
        assert not isinstance(outcome[0], BaseException), outcome[0]
        assert (
            outcome[1] is None
            or not isinstance(outcome[1], BaseException)
            or isinstance(outcome[1], Conflict)
        )
    assert await overlaps_in_db(app, scenario) == []


async def test_two_appointments_swapping_slots(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    a = await app.appointments.book(p, at(scenario, "10:00"))
    b = await app.appointments.book(p, at(scenario, "10:30", patient_id=scenario.maria))
    outcome = await asyncio.gather(
        app.appointments.update(p, AppointmentChange(a.id, starts_at="2026-03-04T10:30")),
        app.appointments.update(p, AppointmentChange(b.id, starts_at="2026-03-04T10:00")),
        return_exceptions=True,
    )
    # Each move lands on the other's time, so both must be refused: neither is free at that moment.
    assert all(isinstance(o, Conflict) for o in outcome), outcome
    assert not any(isinstance(o, FrontdeskError) and not isinstance(o, Conflict) for o in outcome)
    after = {
        x.id: x.starts_at
        for x in (
            await app.appointments.in_range(p, start="2026-03-04", end="2026-03-05", datebook_id=scenario.ny)
        )[0]
    }
    assert after == {a.id: a.starts_at, b.id: b.starts_at}
    assert isinstance(a.starts_at, datetime)
    assert await overlaps_in_db(app, scenario) == []
