"""Booking rules on both databases: working hours, no double booking, holds, rescheduling, isolation."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Conflict, Invalid, NotFound
from frontdesk.services.consent import Consent
from frontdesk.services.scheduling.appointments import AppointmentChange, BookingRequest
from frontdesk.storage import models as m
from tests.conftest import Clock
from tests.factories import Scenario, build_scenario

# Tuesday 3 March 2026 in New York (UTC-5).
DAY = "2026-03-03"


def req(sc: Scenario, start: str, end: str | None = None, **kw: object) -> BookingRequest:
    base: dict[str, object] = {
        "provider_id": sc.garcia,
        "datebook_id": sc.ny,
        "starts_at": f"{DAY}T{start}",
        "ends_at": f"{DAY}T{end}" if end else None,
        "patient_id": sc.juan,
    }
    base.update(kw)
    return BookingRequest(**base)  # type: ignore[arg-type]


async def count_rows(app: Frontdesk, sc: Scenario) -> int:
    async with app.db.read() as s:
        rows = (
            await s.execute(select(m.Appointment).where(m.Appointment.practice_id == sc.practice_id))
        ).all()
        return len(rows)


async def test_booking_inside_hours_is_stored_in_utc(app: Frontdesk, scenario: Scenario) -> None:
    a = await app.appointments.book(scenario.principal, req(scenario, "10:00", "10:30", notes="Cleaning"))
    assert a.starts_at.isoformat() == "2026-03-03T15:00:00+00:00"
    assert a.status == "scheduled" and a.fhir_status == "booked"
    assert a.provider_name == "Dr. Ana Garcia" and a.patient_name == "Juan Perez"


async def test_a_booking_answers_what_reading_it_back_gives(app: Frontdesk, scenario: Scenario) -> None:
    """The answer is built from what the booking had in hand; it must be the stored appointment."""
    p = scenario.principal
    made = [
        await app.appointments.book(p, req(scenario, "09:00", service_id=scenario.crown, notes="crown prep")),
        await app.appointments.book(
            p, req(scenario, "11:00", "11:30", patient_id=None, patient_name="Ana Nova")
        ),
        await app.appointments.book(p, req(scenario, "13:00", "13:45", hold=True)),
    ]
    for info in made:
        assert info == await app.appointments.get(p, info.id)
    assert made[1].patient_name == "Ana Nova" and made[1].service_name is None
    assert made[2].status == "held" and made[2].hold_expires_at is not None


async def test_ends_at_defaults_to_service_duration_or_an_hour(app: Frontdesk, scenario: Scenario) -> None:
    a = await app.appointments.book(scenario.principal, req(scenario, "09:00", service_id=scenario.cleaning))
    assert (a.ends_at - a.starts_at).total_seconds() == 30 * 60
    b = await app.appointments.book(scenario.principal, req(scenario, "14:00"))
    assert (b.ends_at - b.starts_at).total_seconds() == 60 * 60


async def test_outside_working_hours_is_refused(app: Frontdesk, scenario: Scenario) -> None:
    for start, end in (("08:30", "09:30"), ("12:00", "12:30"), ("16:45", "17:15")):
        with pytest.raises(Invalid) as err:
            await app.appointments.book(scenario.principal, req(scenario, start, end))
        assert err.value.field == "starts_at" and "working hours" in err.value.message
    assert await count_rows(app, scenario) == 0


async def test_overlap_is_a_conflict_and_back_to_back_is_fine(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    first = await app.appointments.book(p, req(scenario, "10:00", "10:30"))
    await app.appointments.book(p, req(scenario, "10:30", "11:00"))
    with pytest.raises(Conflict) as err:
        await app.appointments.book(p, req(scenario, "10:15", "10:45", patient_id=scenario.maria))
    assert first.id in err.value.details["conflicting_appointment_ids"]
    assert await count_rows(app, scenario) == 2


async def test_allow_overlap_books_and_is_recorded(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    await app.appointments.book(p, req(scenario, "10:00", "10:30"))
    a = await app.appointments.book(
        p, req(scenario, "10:00", "10:30", patient_id=scenario.maria, allow_overlap=True)
    )
    assert a.allow_overlap is True
    async with app.db.read() as s:
        events = (
            await s.execute(
                select(m.AuditEvent).where(
                    m.AuditEvent.practice_id == scenario.practice_id, m.AuditEvent.record_id == str(a.id)
                )
            )
        ).scalars()
        assert [e.detail for e in events] == ["allow_overlap"]


async def test_fifty_concurrent_attempts_give_one_booking(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal

    async def attempt(i: int) -> str:
        try:
            await app.appointments.book(p, req(scenario, "11:00", "11:30", notes=f"attempt {i}"))
            return "ok"
        except Conflict:
            return "conflict"

    results = await asyncio.gather(*(attempt(i) for i in range(50)))
    assert results.count("ok") == 1
    assert results.count("conflict") == 49
    assert await count_rows(app, scenario) == 1


async def test_database_backstop_refuses_overlap_written_around_the_service(
    app: Frontdesk, scenario: Scenario
) -> None:
    """Even a write that skips the service check cannot create an overlap on PostgreSQL."""
    if app.db.is_sqlite:
        pytest.skip("the exclusion constraint is PostgreSQL's; SQLite relies on serialised writers")
    a = await app.appointments.book(scenario.principal, req(scenario, "10:00", "10:30"))
    with pytest.raises(Conflict):
        async with app.db.write() as s:
            s.add(
                m.Appointment(
                    practice_id=scenario.practice_id,
                    datebook_id=scenario.ny,
                    provider_id=scenario.garcia,
                    patient_id=scenario.maria,
                    starts_at=a.starts_at,
                    ends_at=a.ends_at,
                    status="scheduled",
                    allow_overlap=False,
                    created_at=a.starts_at,
                    updated_at=a.starts_at,
                )
            )
    assert await count_rows(app, scenario) == 1


async def test_hold_blocks_until_it_expires(app: Frontdesk, scenario: Scenario, clock: Clock) -> None:
    p = scenario.principal
    hold = await app.appointments.book(p, req(scenario, "15:00", "15:30", hold=True))
    assert hold.status == "held" and hold.hold_expires_at is not None
    with pytest.raises(Conflict):
        await app.appointments.book(p, req(scenario, "15:00", "15:30", patient_id=scenario.maria))
    clock.advance(minutes=6)
    with pytest.raises(Conflict, match="expired"):
        await app.appointments.confirm(p, hold.id)
    taken = await app.appointments.book(p, req(scenario, "15:00", "15:30", patient_id=scenario.maria))
    assert taken.status == "scheduled"
    # The booking released the lapsed hold in the same transaction, stamped with that moment.
    async with app.db.read() as s:
        lapsed = await s.get(m.Appointment, hold.id)
    assert lapsed is not None
    assert (lapsed.status, lapsed.cancel_reason, lapsed.updated_at) == (
        "cancelled",
        "hold_expired",
        clock.now,
    )


async def test_confirming_a_live_hold_books_it(app: Frontdesk, scenario: Scenario, clock: Clock) -> None:
    p = scenario.principal
    hold = await app.appointments.book(p, req(scenario, "15:00", "15:30", hold=True))
    clock.advance(minutes=4)
    booked = await app.appointments.confirm(p, hold.id)
    assert booked.status == "scheduled" and booked.hold_expires_at is None
    clock.advance(minutes=10)
    with pytest.raises(Conflict):
        await app.appointments.book(p, req(scenario, "15:00", "15:30", patient_id=scenario.maria))
    confirmed = await app.appointments.confirm(p, hold.id)
    assert confirmed.status == "confirmed"


async def test_reschedule_checks_overlap_and_keeps_length(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    a = await app.appointments.book(p, req(scenario, "10:00", "10:45"))
    await app.appointments.book(p, req(scenario, "14:00", "14:30", patient_id=scenario.maria))
    with pytest.raises(Conflict):
        await app.appointments.update(p, AppointmentChange(a.id, starts_at=f"{DAY}T13:45"))
    unchanged = await app.appointments.get(p, a.id)
    assert unchanged.starts_at == a.starts_at
    moved = await app.appointments.update(p, AppointmentChange(a.id, starts_at=f"{DAY}T15:00"))
    assert (moved.ends_at - moved.starts_at).total_seconds() == 45 * 60
    # Moving onto its own old slot's neighbour is fine: an appointment never conflicts with itself.
    again = await app.appointments.update(p, AppointmentChange(a.id, starts_at=f"{DAY}T15:15"))
    assert again.starts_at.isoformat() == "2026-03-03T20:15:00+00:00"


async def test_cancel_frees_the_slot_and_is_final(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    a = await app.appointments.book(p, req(scenario, "10:00", "10:30"))
    cancelled = await app.appointments.update(p, AppointmentChange(a.id, status="cancelled"), Consent.GIVEN)
    assert cancelled.status == "cancelled" and cancelled.fhir_status == "cancelled"
    await app.appointments.book(p, req(scenario, "10:00", "10:30", patient_id=scenario.maria))
    with pytest.raises(Conflict):
        await app.appointments.update(p, AppointmentChange(a.id, status="confirmed"))
    with pytest.raises(Conflict):
        await app.appointments.update(p, AppointmentChange(a.id, starts_at=f"{DAY}T15:00"))


async def test_bad_input_names_the_field_and_changes_nothing(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    cases = [
        (req(scenario, "10:00", "09:00"), "ends_at"),
        (req(scenario, "10:00", notes="x" * 256), "notes"),
        (
            BookingRequest(provider_id=scenario.garcia, datebook_id=scenario.ny, starts_at="tuesday 3pm"),
            "starts_at",
        ),
        (req(scenario, "10:00", patient_id=None), "patient_id"),
        (req(scenario, "10:00", datebook_id=None), "datebook_id"),
    ]
    for request, field in cases:
        with pytest.raises(Invalid) as err:
            await app.appointments.book(p, request)
        assert err.value.field == field, err.value.message
    assert await count_rows(app, scenario) == 0


async def test_dst_gap_and_fold_times_are_refused_without_offset(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    with pytest.raises(Invalid, match="does not exist"):
        await app.appointments.in_range(
            p, start="2026-03-08T02:30", end="2026-03-09", datebook_id=scenario.ny
        )
    with pytest.raises(Invalid, match="twice"):
        await app.appointments.in_range(
            p, start="2026-11-01T01:30", end="2026-11-02", datebook_id=scenario.ny
        )
    rows, _ = await app.appointments.in_range(
        p, start="2026-11-01T01:30-05:00", end="2026-11-02", datebook_id=scenario.ny
    )
    assert rows == []


async def test_list_limits(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    with pytest.raises(Invalid, match="90 days") as err:
        await app.appointments.in_range(p, start="2026-03-01", end="2026-06-05", datebook_id=scenario.ny)
    assert err.value.field == "end"
    await app.appointments.book(p, req(scenario, "10:00", "10:30"))
    rows, truncated = await app.appointments.in_range(
        p, start=DAY, end="2026-03-04", datebook_name="main street"
    )
    assert [r.patient_name for r in rows] == ["Juan Perez"] and truncated is False


async def test_other_practices_records_are_not_found(app: Frontdesk, scenario: Scenario) -> None:
    other = await build_scenario(app)
    mine = await app.appointments.book(scenario.principal, req(scenario, "10:00", "10:30"))
    p = other.principal
    with pytest.raises(NotFound):
        await app.appointments.get(p, mine.id)
    with pytest.raises(NotFound):
        await app.appointments.update(p, AppointmentChange(mine.id, status="cancelled"), Consent.GIVEN)
    with pytest.raises(NotFound):
        await app.appointments.book(p, req(other, "10:00", "10:30", provider_id=scenario.garcia))
    with pytest.raises(NotFound):
        await app.appointments.book(p, req(other, "10:00", "10:30", patient_id=scenario.juan))
    with pytest.raises(NotFound):
        await app.appointments.in_range(p, start=DAY, end="2026-03-04", datebook_id=scenario.ny)
    assert all(r.id != scenario.juan for r in await app.patients.search(p, "Perez"))
    still = await app.appointments.get(scenario.principal, mine.id)
    assert still.status == "scheduled"
