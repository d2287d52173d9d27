"""The booking page asks the public service for the chosen provider's own times, over HTTP on SQLite
and PostgreSQL: where a colleague's free times fill the earliest answer, the provider-first flow
and the manage page's move still show that provider's; one audit row per request."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx2

from frontdesk.composition import Frontdesk
from frontdesk.services.booking.views import PublicContext
from frontdesk.storage import models as m
from frontdesk.storage.repositories import setup as setup_repo
from tests.factories import Scenario
from tests.http.booking import form, radios, sc, web
from tests.public.conftest import audit_actions

__all__ = ["sc", "web"]  # fixtures
# Dr. João Silva is away until Friday 6 March: Dr. Ana Garcia's 104 free times (26 a weekday, Monday
# to Thursday) come before his first, more than one answer of everyone's holds (100).
BACK = datetime(2026, 3, 6, tzinfo=UTC)
HIS_FIRST = "2026-03-06T09:00:00+00:00"  # Lisbon, UTC+0 in March


async def _busy_team(app: Frontdesk, sc: Scenario) -> str:
    async with app.db.write() as s:
        await setup_repo.unassign(s, sc.practice_id, sc.cleaning, sc.silva_a)
        s.add(
            m.TimeOff(
                practice_id=sc.practice_id,
                provider_id=sc.silva_j,
                starts_at=datetime(2026, 3, 1, tzinfo=UTC),
                ends_at=BACK,
            )
        )
    values = {"title": "Our team", "booking_flow": "provider_first", "provider_mode": "required"}
    await app.agendas.create(sc.principal, "team", values, None)
    return f"/{sc.slug}/agenda/team"


async def _slot_audit(app: Frontdesk, sc: Scenario) -> list[str | None]:
    return [r[3] for r in await audit_actions(app, sc) if r[0] == "public.availability.slots"]


async def test_the_provider_step_shows_that_providers_times_and_the_move_keeps_them(
    web: httpx2.AsyncClient, app: Frontdesk, sc: Scenario
) -> None:
    base = await _busy_team(app, sc)
    everyone = await app.public_booking.slots(web_ctx(), sc.slug, "team", service_id=sc.cleaning, limit=100)
    assert {x.provider_id for x in everyone} == {sc.garcia}  # his are past everyone's earliest 100
    before = len(await _slot_audit(app, sc))
    times = await web.get(base, params={"provider": sc.silva_j, "service": sc.cleaning})
    assert times.status_code == 200, times.text
    slots = radios(times.text, "slot")
    assert slots and {x.split("|")[1] for x in slots} == {str(sc.silva_j)}
    assert slots[0].startswith(HIS_FIRST) and "with Dr. João Silva" in times.text
    trail = await _slot_audit(app, sc)
    assert trail[before:] == [f"decision=accepted services=1 provider={sc.silva_j}"]  # one request, one row

    # Book his first time, then move it from the manage page: his other times, his first.
    details = await web.get(base, params=form(times.text, "time-form") | {"slot": slots[0]})
    who = {"full_name": "Lucía Rojas", "email": "lucia@example.org", "phone": ""}
    review = await web.post(base, data=form(details.text, "identity-form") | who)
    made = await web.post(base, data=form(review.text, "review-form") | {"intent": "yes"})
    assert made.status_code == 201, made.text
    link = f"/{sc.slug}/booking/{form(made.text, 'confirm-form')['booking']}"
    before = len(await _slot_audit(app, sc))
    choose = await web.get(link, params={"move": 1})
    moves = radios(choose.text, "slot")
    assert moves and {x.split("|")[1] for x in moves} == {str(sc.silva_j)}
    assert not any(x.startswith(HIS_FIRST) for x in moves)  # not the time it already has
    assert moves[0].startswith("2026-03-06T09:30:00+00:00")  # his next free half hour
    assert len(await _slot_audit(app, sc)) == before + 1
    moved = await web.post(link, data=form(choose.text, "move-form") | {"slot": moves[0]})
    assert moved.status_code == 201 and "Dr. João Silva" in moved.text


def web_ctx() -> PublicContext:
    return PublicContext("198.51.100.9")
