"""Every status change is a recorded transition, however it happens."""

from __future__ import annotations

from frontdesk.composition import Frontdesk
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.scheduling.appointments import AppointmentChange, BookingRequest
from tests.conftest import Clock
from tests.factories import Scenario


def at(sc: Scenario, hhmm: str, **kw: object) -> BookingRequest:
    base: dict[str, object] = {
        "provider_id": sc.garcia,
        "datebook_id": sc.ny,
        "starts_at": f"2026-03-04T{hhmm}",
        "patient_id": sc.juan,
        "service_id": sc.cleaning,
    }
    return BookingRequest(**(base | kw))  # type: ignore[arg-type]


async def history(
    app: Frontdesk, p: Principal, appointment_id: int
) -> list[tuple[str | None, str, str, str]]:
    page = await app.lifecycle.history(p, appointment_id)
    return [(t.from_state, t.to_state, t.method, t.by) for t in page.transitions]


async def test_a_lapsed_hold_is_released_by_the_system(
    app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    p = scenario.principal
    held = await app.appointments.book(p, at(scenario, "09:00", hold=True))
    clock.advance(minutes=30)
    taken = await app.appointments.book(p, at(scenario, "09:00", patient_id=scenario.maria))
    assert await history(app, p, held.id) == [
        (None, "held", "manual", "test"),
        ("held", "cancelled", "auto", "system"),
    ]
    assert (await history(app, p, taken.id))[0][:2] == (None, "scheduled")


async def test_hold_confirmed_and_updates_are_recorded(app: Frontdesk, scenario: Scenario) -> None:
    agent = Principal(scenario.practice_id, "user:1", client="claude")
    held = await app.appointments.book(agent, at(scenario, "10:00", hold=True))
    await app.appointments.update(agent, AppointmentChange(held.id, status="confirmed"))
    await app.appointments.update(
        scenario.principal, AppointmentChange(held.id, status="cancelled"), Consent.GIVEN
    )
    assert await history(app, scenario.principal, held.id) == [
        (None, "held", "agent", "user:1"),
        ("held", "scheduled", "agent", "user:1"),
        ("scheduled", "confirmed", "agent", "user:1"),
        ("confirmed", "cancelled", "manual", "test"),
    ]


async def test_history_of_an_appointment_older_than_the_record_is_partial(
    app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    from datetime import timedelta

    from frontdesk.storage import models as m

    now = clock()
    async with app.db.write() as s:
        old = m.Appointment(
            practice_id=scenario.practice_id,
            datebook_id=scenario.ny,
            provider_id=scenario.garcia,
            patient_id=scenario.juan,
            starts_at=now - timedelta(days=3),
            ends_at=now - timedelta(days=3) + timedelta(minutes=30),
            status="completed",
            created_at=now,
            updated_at=now,
        )
        s.add(old)
        await s.flush()
        old_id = old.id
    page = await app.lifecycle.history(scenario.principal, old_id)
    assert page.transitions == [] and page.complete is False
    state = await app.lifecycle.state(scenario.principal, old_id)
    assert state.available_transitions == {"document": "documented", "mark_error": "entered_in_error"}


async def test_a_client_no_show_is_charged_when_the_practice_says_so(
    app: Frontdesk, scenario: Scenario
) -> None:
    from frontdesk.services.scheduling.lifecycle import TransitionRequest
    from tests.bookings.conftest import configure

    p = scenario.principal
    await configure(app, scenario, policies__noShowCharge=1500, policies__noShowAutoApply=True)
    a = await app.appointments.book(p, at(scenario, "09:00"))
    b = await app.appointments.book(p, at(scenario, "10:00"))
    await app.lifecycle.transition(p, TransitionRequest(a.id, action="no_show", no_show_type="client"))
    await app.lifecycle.transition(p, TransitionRequest(b.id, action="no_show", no_show_type="provider"))
    charged, spared = await app.bookings.get(p, a.id), await app.bookings.get(p, b.id)
    assert (charged.penalty_cents, charged.penalty_currency) == (1500, "USD")
    assert spared.penalty_cents is None and spared.no_show_type == "provider"
