"""The public slot search for one provider, on both databases: where the agenda lets the person
choose the provider, a busy colleague's earlier times do not crowd that provider's out of the
answer; elsewhere a provider id is refused naming providerId; each request one audit row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Invalid, NotFound
from frontdesk.services.booking.views import PublicContext
from frontdesk.storage import models as m
from frontdesk.storage.repositories import setup as setup_repo
from tests.factories import Scenario
from tests.public.conftest import audit_actions

CTX = PublicContext("203.0.113.7")
# From the clock's Monday 2 March; Dr. João Silva (Lisbon, UTC+0 then) is off until Wednesday 18th,
# while Dr. Ana Garcia (New York) has 26 free half hours a weekday (15-minute steps) before his first.
RANGE = {"start": "2026-03-02T00:00", "end": "2026-03-20T00:00"}
OFF_UNTIL = datetime(2026, 3, 18, tzinfo=UTC)


async def busy_team(app: Frontdesk, sc: Scenario, **values: Any) -> str:
    """Agenda "team": Cleaning by Garcia and João Silva only, João Silva away for 16 days."""
    async with app.db.write() as s:
        await setup_repo.unassign(s, sc.practice_id, sc.cleaning, sc.silva_a)
        s.add(
            m.TimeOff(
                practice_id=sc.practice_id,
                provider_id=sc.silva_j,
                starts_at=datetime(2026, 3, 1, tzinfo=UTC),
                ends_at=OFF_UNTIL,
            )
        )
    await app.agendas.create(sc.principal, "team", {"title": "Our team", **values}, None)
    return "team"


async def slot_rows(app: Frontdesk, sc: Scenario) -> list[tuple[str | None, str, str | None]]:
    trail = await audit_actions(app, sc)
    return [(r[1], r[2], r[3]) for r in trail if r[0] == "public.availability.slots"]


@pytest.mark.parametrize("mode", ["required", "optional"])
async def test_a_providers_own_earliest_times_past_a_busy_colleague(
    app: Frontdesk, scenario: Scenario, mode: str
) -> None:
    sc = scenario
    team = await busy_team(app, sc, provider_mode=mode)
    pub = app.public_booking
    everyone = await pub.slots(CTX, sc.slug, team, service_id=sc.cleaning, limit=100, **RANGE)
    assert len(everyone) == 100 and {x.provider_id for x in everyone} == {sc.garcia}  # the limitation
    his = await pub.slots(
        CTX, sc.slug, team, service_id=sc.cleaning, provider_id=sc.silva_j, limit=100, **RANGE
    )
    assert his and {x.provider_id for x in his} == {sc.silva_j}
    assert his[0].start == datetime(2026, 3, 18, 9, tzinfo=UTC)  # his very first free half hour
    assert [x.start for x in his] == sorted(x.start for x in his) and len(his) == 2 * 26
    # Without a service: the services he delivers (Crown too), his only.
    both = await pub.slots(CTX, sc.slug, team, provider_id=sc.silva_j, limit=100, **RANGE)
    assert {x.service_id for x in both} == {sc.cleaning, sc.crown}
    assert {x.provider_id for x in both} == {sc.silva_j} and both[0].start >= OFF_UNTIL
    rows = await slot_rows(app, sc)
    assert len(rows) == 3  # one audit row per request
    assert [r[1] for r in rows] == ["accepted"] * 3
    assert rows[0][2] == "decision=accepted services=1"
    assert rows[1][2] == f"decision=accepted services=1 provider={sc.silva_j}"


async def test_a_provider_not_on_offer_is_refused_naming_provider_id(
    app: Frontdesk, scenario: Scenario
) -> None:
    sc = scenario
    team = await busy_team(app, sc, provider_mode="optional")
    pub = app.public_booking
    with pytest.raises(NotFound) as gone:  # Dr. Ana Silva no longer delivers Cleaning
        await pub.slots(CTX, sc.slug, team, service_id=sc.cleaning, provider_id=sc.silva_a, **RANGE)
    assert gone.value.field == "providerId"
    with pytest.raises(NotFound) as stranger:
        await pub.slots(CTX, sc.slug, team, provider_id=10**8, **RANGE)
    assert stranger.value.field == "providerId"
    for mode in ("hidden", "auto"):
        await app.agendas.create(sc.principal, mode, {"title": mode, "provider_mode": mode}, None)
        with pytest.raises(Invalid) as hidden:
            await pub.slots(CTX, sc.slug, mode, service_id=sc.cleaning, provider_id=sc.garcia, **RANGE)
        assert hidden.value.field == "providerId" and "leave providerId out" in hidden.value.message
    rows = await slot_rows(app, sc)
    assert [r[1] for r in rows] == ["not_found", "not_found", "invalid", "invalid"]  # one per request
    assert all("field=providerId" in (r[2] or "") for r in rows)
