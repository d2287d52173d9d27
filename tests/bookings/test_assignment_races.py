"""Auto-assignment under contention, on both databases: concurrent bookings that name no provider
never share one, and none fails while someone who can do it is free."""

from __future__ import annotations

import asyncio

import pytest

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Conflict
from frontdesk.services.scheduling.appointments import BookingRequest
from tests.bookings.conftest import add_providers, configure
from tests.factories import Scenario
from tests.services.test_contention import overlaps_in_db

N = 6


def auto(sc: Scenario, patient: int) -> BookingRequest:
    return BookingRequest(
        provider_id=None,
        starts_at="2026-03-04T10:00",
        datebook_id=sc.ny,
        patient_id=patient,
        service_id=sc.cleaning,
    )


@pytest.mark.parametrize("strategy", ["round_robin", "least_booked", "most_available", "random"])
async def test_concurrent_auto_bookings_take_distinct_providers(
    app: Frontdesk, scenario: Scenario, strategy: str
) -> None:
    await configure(app, scenario, availability__assignmentStrategy=strategy)
    providers = {scenario.garcia, *await add_providers(app, scenario, N - 1)}
    patients = [scenario.juan, scenario.maria] * N

    async def attempt(i: int) -> int | str:
        try:
            return (await app.appointments.book(scenario.principal, auto(scenario, patients[i]))).provider_id
        except Conflict:
            return "conflict"

    # One more than there are providers: exactly one must find everyone taken.
    results = await asyncio.gather(*(attempt(i) for i in range(N + 1)))
    taken = [r for r in results if r != "conflict"]
    assert results.count("conflict") == 1
    assert sorted(taken) == sorted(providers)  # all distinct, everyone used
    assert await overlaps_in_db(app, scenario) == []
