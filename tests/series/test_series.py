"""Recurring series on both databases: local time across DST, conflicts per occurrence with both
choices, cancelling one, this and following, or all; scopes, other practices, the audit trail, and a
series racing single bookings."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.domain.errors import Conflict, Declined, Forbidden, Invalid, NotFound
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.scheduling.appointments import BookingRequest
from frontdesk.services.scheduling.series import SeriesCancel
from frontdesk.storage import models as m
from tests.conftest import Clock
from tests.factories import Scenario, build_scenario
from tests.series.helpers import appointment, audit_actions, live_overlaps, local, series


async def time_off(app: Frontdesk, sc: Scenario, start: datetime, end: datetime) -> None:
    async with app.db.write() as s:
        s.add(m.TimeOff(practice_id=sc.practice_id, provider_id=sc.garcia, starts_at=start, ends_at=end))


async def test_a_weekly_series_keeps_ten_oclock_across_the_dst_change(
    app: Frontdesk, scenario: Scenario
) -> None:
    out = await app.series.create(scenario.principal, series(scenario, count=4))
    assert out.status == "active" and out.booked == 4 and out.conflicts == 0
    assert [local(o.start) for o in out.occurrences] == ["10:00"] * 4
    # 3 March is EST (-05:00); from 8 March New York is on EDT (-04:00).
    assert [o.start[-6:] for o in out.occurrences] == ["-05:00", "-04:00", "-04:00", "-04:00"]
    row = await appointment(app, scenario, out.occurrences[1].appointment_id or 0)
    assert row.starts_at == datetime(2026, 3, 10, 14, tzinfo=UTC) and row.status == "scheduled"
    again = await app.series.get(scenario.principal, out.series_id or 0)
    assert [o.appointment_id for o in again.occurrences] == [o.appointment_id for o in out.occurrences]
    assert again.rule == "FREQ=WEEKLY;COUNT=4"


async def test_generated_series_keep_the_local_time_and_their_bounds(
    app: Frontdesk, scenario: Scenario
) -> None:
    """Hypothesis draws the series; each is booked on the database and read back."""
    cases: list[tuple[str, str, int, str, str | None, int | None]] = []

    @settings(max_examples=12, deadline=None, database=None)
    @given(
        st.sampled_from(["09:00", "10:30", "14:00", "15:30"]),
        st.sampled_from(["weekly", "biweekly", "monthly"]),
        st.integers(1, 3),
        st.sampled_from(["ny", "lisbon"]),
        st.booleans(),
        st.integers(1, 8),
    )
    def draw(at: str, freq: str, interval: int, where: str, by_until: bool, n: int) -> None:
        until = f"2026-{3 + n:02d}-15" if by_until else None
        cases.append((at, freq, interval, where, until, None if by_until else n))

    draw()
    for i, (at, freq, interval, where, until, count) in enumerate(cases):
        sc = await build_scenario(app)  # a practice of its own: the cases never collide
        provider, book = (sc.garcia, sc.ny) if where == "ny" else (sc.silva_j, sc.lisbon)
        # A Tuesday in March (before both zones' changes); monthly dates may fall on weekends: skip those.
        out = await app.series.create(
            sc.principal,
            series(
                sc,
                f"2026-03-03T{at}",
                provider_id=provider,
                datebook_id=book,
                service_id=sc.cleaning,
                frequency=freq,
                interval=interval,
                count=count,
                until=until,
                on_conflict="skip",
            ),
        )
        assert all(local(o.start) == at for o in out.occurrences), (i, out)
        if count is not None:
            assert len(out.occurrences) == count
        else:
            assert all(o.start[:10] <= str(until) for o in out.occurrences)
        reasons = {o.reason for o in out.occurrences if o.status == "conflict"}
        assert reasons <= {"outside_hours"}  # only weekend dates of a monthly rule


async def test_conflicts_are_reported_per_occurrence_and_none_books_nothing(
    app: Frontdesk, scenario: Scenario
) -> None:
    p = scenario.principal
    # Busy on 10 March at 10:30, off on 17 March, and a Saturday through the rule.
    await app.appointments.book(
        p,
        BookingRequest(
            provider_id=scenario.garcia,
            datebook_id=scenario.ny,
            starts_at="2026-03-10T10:30",
            patient_id=scenario.maria,
        ),
    )
    await time_off(
        app, scenario, datetime(2026, 3, 17, 13, tzinfo=UTC), datetime(2026, 3, 17, 20, tzinfo=UTC)
    )
    req = series(scenario, rrule="FREQ=WEEKLY;BYDAY=TU,SA;COUNT=8", frequency=None, count=None)
    with pytest.raises(Conflict) as refused:
        await app.series.create(p, req)
    conflicts = refused.value.details["conflicts"]
    by_reason = {(c["start"][:10], c["reason"]) for c in conflicts}
    assert ("2026-03-10", "busy") in by_reason and ("2026-03-17", "time_off") in by_reason
    assert {c["reason"] for c in conflicts if c["start"][:10] in ("2026-03-07", "2026-03-14")} == {
        "outside_hours"
    }
    busy = next(c for c in conflicts if c["reason"] == "busy")
    assert busy["conflicting_appointment_ids"]
    listed = await app.appointments.in_range(
        p, start="2026-03-01T00:00", end="2026-04-01T00:00", datebook_id=scenario.ny
    )
    assert len(listed[0]) == 1  # all or nothing: only the earlier booking

    out = await app.series.create(p, replace(req, on_conflict="skip"))
    assert out.booked == 8 - len(conflicts) and out.conflicts == len(conflicts)
    assert {o.status for o in out.occurrences} == {"booked", "conflict"}
    assert await live_overlaps(app, scenario) == []


async def test_cancel_one_following_and_all(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    out = await app.series.create(p, series(scenario, count=6))
    ids = [o.appointment_id or 0 for o in out.occurrences]
    sid = out.series_id or 0
    asked = await app.series.question(p, SeriesCancel(sid, "following", ids[2]))
    assert asked.startswith("Cancel 4 appointment(s) of the series of Juan Perez with Dr. Ana Garcia")
    with pytest.raises(Invalid, match="confirm"):
        await app.series.cancel(p, SeriesCancel(sid, "one", ids[1]))
    with pytest.raises(Declined):
        await app.series.cancel(p, SeriesCancel(sid, "one", ids[1]), Consent.DECLINED)
    one = await app.series.cancel(p, SeriesCancel(sid, "one", ids[1]), Consent.GIVEN)
    assert one.cancelled_appointment_ids == [ids[1]]
    following = await app.series.cancel(p, SeriesCancel(sid, "following", ids[3]), Consent.GIVEN)
    assert following.cancelled_appointment_ids == ids[3:]
    assert following.series.status == "active"
    rest = await app.series.cancel(p, SeriesCancel(sid, "all"), Consent.GIVEN)
    assert rest.cancelled_appointment_ids == [ids[0], ids[2]]
    assert rest.series.status == "cancelled"
    assert {o.status for o in rest.series.occurrences} == {"cancelled"}
    with pytest.raises(Conflict, match="nothing"):
        await app.series.cancel(p, SeriesCancel(sid, "all"), Consent.GIVEN)
    with pytest.raises(Invalid, match="appointment_id"):
        await app.series.cancel(p, SeriesCancel(sid, "following"), Consent.GIVEN)


async def test_cancel_all_leaves_past_occurrences_alone(
    app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    p = scenario.principal
    out = await app.series.create(p, series(scenario, count=3))
    clock.advance(days=8)  # the first occurrence (3 March) is history now
    done = await app.series.cancel(p, SeriesCancel(out.series_id or 0, "all"), Consent.GIVEN)
    assert done.cancelled_appointment_ids == [o.appointment_id for o in out.occurrences[1:]]
    assert (await appointment(app, scenario, out.occurrences[0].appointment_id or 0)).status == "scheduled"


async def test_scopes_other_practices_and_the_audit_trail(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    reader = Principal(scenario.practice_id, "user:ro", access.ROLE_SCOPES[access.Role.READ_ONLY])
    with pytest.raises(Forbidden):
        await app.series.create(reader, series(scenario))
    out = await app.series.create(p, series(scenario, count=2))
    assert (await app.series.get(reader, out.series_id or 0)).booked == 2
    with pytest.raises(Forbidden):
        await app.series.cancel(reader, SeriesCancel(out.series_id or 0, "all"), Consent.GIVEN)
    other = await build_scenario(app)
    with pytest.raises(NotFound):
        await app.series.get(other.principal, out.series_id or 0)
    with pytest.raises(NotFound):
        await app.series.cancel(other.principal, SeriesCancel(out.series_id or 0, "all"), Consent.GIVEN)
    with pytest.raises(NotFound, match="client"):  # the first practice's patient, from the other one
        await app.series.create(other.principal, series(other, patient_id=scenario.juan))
    with pytest.raises(NotFound):
        await app.series.create(other.principal, series(other, provider_id=scenario.garcia))
    actions = await audit_actions(app, scenario)
    assert actions.count("series.create") == 1 and actions.count("appointment.create") == 2
    assert "series.read" in actions


async def test_a_series_racing_single_bookings_never_double_books(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    for round_ in range(3):
        hhmm = ["09:00", "10:00", "14:00"][round_]

        async def single(day: int, hhmm: str = hhmm) -> str:
            try:
                await app.appointments.book(
                    p,
                    BookingRequest(
                        provider_id=scenario.garcia,
                        datebook_id=scenario.ny,
                        starts_at=f"2026-03-{day:02d}T{hhmm}",
                        patient_id=scenario.maria,
                        service_id=scenario.crown,
                    ),
                )
                return "ok"
            except Conflict:
                return "conflict"

        async def whole(how: str, hhmm: str = hhmm) -> str:
            try:
                out = await app.series.create(
                    p, series(scenario, f"2026-03-04T{hhmm}", count=4, on_conflict=how)
                )
                return f"series:{out.booked}"
            except Conflict:
                return "series:0"

        days = [4, 11, 18, 25]
        results = await asyncio.gather(
            whole("skip" if round_ != 1 else "none"), *(single(d) for d in days), whole("skip")
        )
        booked_singles = results[1:5].count("ok")
        booked_series = sum(int(r.split(":")[1]) for r in (results[0], results[5]))
        assert booked_singles + booked_series == 4, results
        assert await live_overlaps(app, scenario) == []


async def test_a_retried_create_with_its_key_books_once(app: Frontdesk, scenario: Scenario) -> None:
    key = Idempotency("series-1", "fingerprint")
    first = await app.series.create(scenario.principal, series(scenario, count=2, idempotency=key))
    again = await app.series.create(scenario.principal, series(scenario, count=2, idempotency=key))
    assert again == first
    assert (await audit_actions(app, scenario)).count("series.create") == 1
