"""The waitlist on both databases: serving order, an offer when a slot frees, accepting books it,
expiry passes it on, concurrent cancellations never offer one slot twice, scopes and practices."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.domain.errors import Conflict, Forbidden, Invalid, NotFound
from frontdesk.domain.scheduling.waitlist import Wish, time_window
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.scheduling.appointments import AppointmentChange, BookingRequest
from frontdesk.services.scheduling.series import SeriesCancel
from frontdesk.storage import models as m
from tests.conftest import Clock
from tests.factories import Scenario, build_scenario
from tests.series.helpers import appointment, audit_actions, join, live_overlaps, offers, series


async def patient(app: Frontdesk, sc: Scenario, name: str) -> int:
    async with app.db.write() as s:
        row = m.Patient(
            practice_id=sc.practice_id,
            uid=f"P-{name}-{sc.slug}"[:36],
            first_name=name,
            last_name="Test",
            search_name=name.lower(),
            created_at=app.clock(),
        )
        s.add(row)
        await s.flush()
        return row.id


async def book(app: Frontdesk, sc: Scenario, start: str, end: str | None = None, **kw: object) -> int:
    base: dict[str, object] = {
        "provider_id": sc.garcia,
        "datebook_id": sc.ny,
        "starts_at": f"2026-03-03T{start}",
        "ends_at": f"2026-03-03T{end}" if end else None,
        "patient_id": sc.juan,
    }
    a = await app.appointments.book(sc.principal, BookingRequest(**(base | kw)))  # type: ignore[arg-type]
    return a.id


async def cancel(app: Frontdesk, sc: Scenario, appointment_id: int) -> None:
    await app.appointments.update(
        sc.principal, AppointmentChange(appointment_id, status="cancelled"), Consent.GIVEN
    )


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["morning", "afternoon", "evening", None]),
    st.integers(0, 23),
    st.sampled_from([0, 30]),
)
def test_a_wish_accepts_exactly_its_part_of_the_day(part: str | None, hour: int, minute: int) -> None:
    lo, hi = time_window(part, None, None)
    wish = Wish(from_time=lo, to_time=hi)
    start = datetime(2026, 3, 3, hour, minute)
    end = start.replace(minute=minute + 29)
    bounds = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24), None: (0, 24)}[part]
    assert wish.accepts(start, end) == (bounds[0] <= hour and (hour * 60 + minute + 29) <= bounds[1] * 60)


async def test_entries_are_served_by_priority_then_arrival(
    app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    drawn: list[list[int]] = []

    @settings(max_examples=5, deadline=None, database=None)
    @given(st.lists(st.integers(0, 3), min_size=2, max_size=6))
    def draw(priorities: list[int]) -> None:
        drawn.append(priorities)

    draw()
    for priorities in drawn:
        sc = await build_scenario(app)
        ids = []
        for i, prio in enumerate(priorities):
            who = await patient(app, sc, f"W{i}")
            ids.append((await app.waitlist.join(sc.principal, join(sc, patient_id=who, priority=prio))).id)
            clock.advance(seconds=1)
        listed = [e.id for e in (await app.waitlist.list(sc.principal)).entries]
        expected = [e for _, _, e in sorted((-prio, i, ids[i]) for i, prio in enumerate(priorities))]
        assert listed == expected
        # The slot goes to the first of them.
        appt = await book(app, sc, "10:00", "10:30")
        await cancel(app, sc, appt)
        made = await offers(app, sc)
        assert [o.entry_id for o in made] == [expected[0]]


async def test_a_cancellation_offers_the_slot_and_accepting_books_it(
    app: Frontdesk, scenario: Scenario
) -> None:
    p = scenario.principal
    ana = await patient(app, scenario, "Ana")
    first = await app.waitlist.join(p, join(scenario, priority=1))
    second = await app.waitlist.join(p, join(scenario, patient_id=ana, time_of_day="morning"))
    afternoon = await app.waitlist.join(
        p, join(scenario, patient_id=scenario.juan, service_id=scenario.crown, time_of_day="afternoon")
    )
    appt = await book(app, scenario, "10:00", "11:00", patient_id=await patient(app, scenario, "Leo"))
    await cancel(app, scenario, appt)
    made = await offers(app, scenario, "open")
    # One hour freed: a half-hour cleaning for each of the two morning entries; the afternoon one waits.
    assert [(o.entry_id, o.starts_at.hour, o.starts_at.minute) for o in made] == [
        (first.id, 15, 0),
        (second.id, 15, 30),
    ]
    held = await appointment(app, scenario, made[0].appointment_id)
    assert held.status == "held" and held.patient_id == scenario.maria
    assert held.hold_expires_at == datetime(2026, 3, 2, 13, 30, tzinfo=UTC)  # waitlistHoldMinutes: 30
    listed = {e.id: e for e in (await app.waitlist.list(p)).entries}
    assert listed[first.id].status == "offered" and listed[first.id].offer is not None
    assert listed[afternoon.id].status == "waiting" and listed[afternoon.id].offer is None

    done = await app.waitlist.accept(p, first.id)
    assert done.entry.status == "booked" and done.appointment.status == "scheduled"
    assert (await appointment(app, scenario, made[0].appointment_id)).hold_expires_at is None
    with pytest.raises(Conflict, match="no slot is held"):
        await app.waitlist.accept(p, afternoon.id)
    actions = await audit_actions(app, scenario)
    for action in ("waitlist.join", "waitlist.offer", "waitlist.accept", "appointment.hold"):
        assert action in actions
    assert await live_overlaps(app, scenario) == []


async def test_an_offer_that_lapses_passes_to_the_next_entry(
    app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    p = scenario.principal
    first = await app.waitlist.join(p, join(scenario, priority=5))
    second = await app.waitlist.join(p, join(scenario, patient_id=await patient(app, scenario, "Bo")))
    await cancel(app, scenario, await book(app, scenario, "10:00", "10:30"))
    [offer] = await offers(app, scenario, "open")
    assert offer.entry_id == first.id
    clock.advance(minutes=31)
    assert await app.waitlist.expire_offers() >= 1  # every practice's (the database is shared by tests)
    [passed] = await offers(app, scenario, "open")
    assert passed.entry_id == second.id and passed.starts_at == offer.starts_at
    assert (await appointment(app, scenario, offer.appointment_id)).status == "cancelled"
    with pytest.raises(Conflict):
        await app.waitlist.accept(p, first.id)  # it waits again, for other slots
    listed = {e.id: e.status for e in (await app.waitlist.list(p)).entries}
    assert listed == {first.id: "waiting", second.id: "offered"}
    # Lazily, without the worker: the second lapses too and nobody else matches; the slot is free.
    clock.advance(minutes=31)
    assert (await app.waitlist.list(p)).entries[0].offer is None
    assert await offers(app, scenario, "open") == []


async def test_leaving_while_offered_passes_the_slot_on(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    first = await app.waitlist.join(p, join(scenario, priority=5))
    second = await app.waitlist.join(p, join(scenario, patient_id=await patient(app, scenario, "Cy")))
    await cancel(app, scenario, await book(app, scenario, "14:00", "14:30"))
    left = await app.waitlist.leave(p, first.id)
    assert left.status == "left"
    [offer] = await offers(app, scenario, "open")
    assert offer.entry_id == second.id
    with pytest.raises(Conflict):
        await app.waitlist.leave(p, first.id)


async def test_moving_away_and_cancelling_a_series_free_slots_too(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    await app.waitlist.join(p, join(scenario, service_id=scenario.crown, from_date=date(2026, 3, 10)))
    out = await app.series.create(p, series(scenario, count=3))
    appt = await book(app, scenario, "14:00", "14:30")
    await app.appointments.update(p, AppointmentChange(appt, starts_at="2026-03-03T15:00"))
    assert await offers(app, scenario) == []  # 3 March is before the entry's dates, and too short
    await app.series.cancel(
        p, SeriesCancel(out.series_id or 0, "one", out.occurrences[1].appointment_id), Consent.GIVEN
    )
    [offer] = await offers(app, scenario, "open")
    assert offer.starts_at == datetime(2026, 3, 10, 14, tzinfo=UTC)


async def test_concurrent_cancellations_never_offer_one_slot_twice(
    app: Frontdesk, scenario: Scenario
) -> None:
    p = scenario.principal
    entries = [
        (await app.waitlist.join(p, join(scenario, patient_id=await patient(app, scenario, f"E{i}")))).id
        for i in range(3)
    ]
    for round_, hour in enumerate((9, 10, 13, 14)):
        a = await book(app, scenario, f"{hour:02d}:00", f"{hour + 1:02d}:00", allow_overlap=True)
        b = await book(app, scenario, f"{hour:02d}:30", f"{hour + 1:02d}:30", allow_overlap=True)
        c = await book(app, scenario, f"{hour:02d}:00", f"{hour:02d}:30", allow_overlap=True)
        await asyncio.gather(cancel(app, scenario, a), cancel(app, scenario, b), cancel(app, scenario, c))
        open_ = await offers(app, scenario, "open")
        assert len(open_) == (3 if round_ in (0, 2) else 2), (round_, open_)  # every free half hour
        assert len({o.entry_id for o in open_}) == len(open_), round_  # one offer per entry at most
        spans = sorted((o.starts_at, o.ends_at) for o in open_)
        assert all(x[1] <= y[0] for x, y in itertools.pairwise(spans)), spans
        assert await live_overlaps(app, scenario) == []
        for o in open_:  # accept, so the next round has fresh entries to offer to
            await app.waitlist.accept(p, o.entry_id)
        entries += [
            (
                await app.waitlist.join(
                    p, join(scenario, patient_id=await patient(app, scenario, f"R{round_}{i}"))
                )
            ).id
            for i in range(len(open_))
        ]


async def test_rules_scopes_and_other_practices(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    with pytest.raises(Invalid, match="time_of_day"):
        await app.waitlist.join(p, join(scenario, time_of_day="night"))
    with pytest.raises(Invalid, match="to_time"):
        await app.waitlist.join(p, join(scenario, from_time="15:00", to_time="09:00"))
    with pytest.raises(Invalid, match="priority"):
        await app.waitlist.join(p, join(scenario, priority=101))
    entry = await app.waitlist.join(p, join(scenario, from_time="09:00", to_time="12:00"))
    with pytest.raises(Conflict, match="already on the waitlist"):
        await app.waitlist.join(p, join(scenario))
    reader = Principal(scenario.practice_id, "user:ro", access.ROLE_SCOPES[access.Role.READ_ONLY])
    assert (await app.waitlist.list(reader)).count == 1
    with pytest.raises(Forbidden):
        await app.waitlist.join(reader, join(scenario, patient_id=scenario.juan))
    with pytest.raises(Forbidden):
        await app.waitlist.leave(reader, entry.id)
    other = await build_scenario(app)
    with pytest.raises(NotFound):
        await app.waitlist.leave(other.principal, entry.id)
    with pytest.raises(NotFound):
        await app.waitlist.accept(other.principal, entry.id)
    with pytest.raises(NotFound, match="client"):
        await app.waitlist.join(other.principal, join(other, patient_id=scenario.maria))
    with pytest.raises(NotFound, match="service"):
        await app.waitlist.join(other.principal, join(other, service_id=scenario.cleaning))
    with pytest.raises(NotFound):
        await app.waitlist.join(other.principal, join(other, provider_id=scenario.garcia))
    assert (await app.waitlist.list(other.principal)).count == 0


async def test_one_entry_never_gets_two_offers_from_two_providers_at_once(
    app: Frontdesk, scenario: Scenario
) -> None:
    """Each cancellation holds its own provider's lock; the entry (any provider, any place) is locked
    before it is offered, so the second sees it taken and both cancellations succeed."""
    p = scenario.principal
    for round_ in range(4):
        entry = await app.waitlist.join(
            p, join(scenario, patient_id=await patient(app, scenario, f"Any{round_}"), provider_id=None)
        )
        day = f"2026-03-{3 + round_:02d}"  # Tuesday to Friday
        ny = await book(app, scenario, "10:00", "10:30", starts_at=f"{day}T10:00", ends_at=f"{day}T10:30")
        lisbon = await book(
            app,
            scenario,
            "10:00",
            provider_id=scenario.silva_j,
            datebook_id=scenario.lisbon,
            starts_at=f"{day}T10:00",
            ends_at=f"{day}T10:30",
        )
        await asyncio.gather(cancel(app, scenario, ny), cancel(app, scenario, lisbon))
        mine = [o for o in await offers(app, scenario, "open") if o.entry_id == entry.id]
        assert len(mine) == 1, round_
        await app.waitlist.leave(p, entry.id)


async def test_new_hours_are_offered_to_the_waitlist(app: Frontdesk, scenario: Scenario) -> None:
    """Dr. Garcia does not work on Saturdays; a day's override opening Saturday 7 March gives its
    first half hour to the entry waiting for her (and a weekday change offers nothing to nobody)."""
    p = scenario.principal
    entry = await app.waitlist.join(p, join(scenario, from_date=date(2026, 3, 7), to_date=date(2026, 3, 7)))
    assert await offers(app, scenario) == []
    await app.setup.exceptions.set_override(p, scenario.garcia, "2026-03-07", "09:00", "11:00", scenario.ny)
    made = await offers(app, scenario, "open")
    assert [(o.entry_id, o.starts_at) for o in made] == [(entry.id, datetime(2026, 3, 7, 14, 0, tzinfo=UTC))]
    held = await appointment(app, scenario, made[0].appointment_id)
    assert held.status == "held" and held.patient_id == scenario.maria
    assert await live_overlaps(app, scenario) == []
