"""The booking page over HTTP (the real Starlette app through httpx's ASGI transport), on SQLite and
PostgreSQL: the whole flow (service, time, details, review, confirm), the manage page (see, cancel,
move), CSRF refusals, wrong tokens as "not found", the language choice and the audit's via=page."""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx2
import pytest

from frontdesk.composition import Frontdesk
from tests.bookings.conftest import audit_actions
from tests.factories import Scenario
from tests.http.booking import form, radios, sc, web

__all__ = ["sc", "web"]  # fixtures


async def book(web: httpx2.AsyncClient, sc: Scenario, **identity: str) -> tuple[str, dict[str, str]]:
    """Through the flow up to "booked, please confirm": (that page, its confirm form)."""
    first = await web.get(f"/{sc.slug}/book")
    assert first.status_code == 200 and str(sc.cleaning) in radios(first.text, "service")
    times = await web.get(f"/{sc.slug}/book", params={"service": sc.cleaning})
    slots = radios(times.text, "slot")
    assert slots, times.text
    details = await web.get(f"/{sc.slug}/book", params={"service": sc.cleaning, "slot": slots[0]})
    assert 'for="full_name"' in details.text
    who = {"full_name": "Lucía Rojas", "email": "lucia@example.org", "phone": ""} | identity
    review = await web.post(f"/{sc.slug}/book", data=form(details.text, "identity-form") | who)
    assert review.status_code == 200 and "Lucía Rojas" in review.text
    made = await web.post(f"/{sc.slug}/book", data=form(review.text, "review-form") | {"intent": "yes"})
    assert made.status_code == 201, made.text
    return made.text, form(made.text, "confirm-form")


async def test_book_confirm_manage_cancel(web: httpx2.AsyncClient, app: Frontdesk, sc: Scenario) -> None:
    page, confirm = await book(web, sc)
    assert 'data-status="pending_confirmation"' in page
    # 08:00 in New York, at least an hour ahead, Garcia from 09:00; shown in the location's zone.
    assert "Monday, March 2, 2026, 9:00" in page and "America/New_York" in page
    done = await web.post(f"/{sc.slug}/book", data=confirm)
    assert done.status_code == 200 and 'data-status="scheduled"' in done.text
    link = re.search(r'id="manage" href="([^"]+)"', done.text)
    assert link and link.group(1) == f"/{sc.slug}/booking/{confirm['booking']}"
    seen = await web.get(link.group(1))
    assert seen.status_code == 200 and "Cleaning" in seen.text
    # Replaying the confirmation answers "not found", like a wrong one.
    fresh = form(seen.text, "cancel-form")["csrf"]
    again = await web.post(f"/{sc.slug}/book", data=confirm | {"csrf": fresh})
    assert again.status_code == 404
    gone = await web.post(link.group(1), data=form(seen.text, "cancel-form"))
    assert gone.status_code == 200 and 'data-status="cancelled"' in gone.text
    trail = await audit_actions(app, sc)
    public = [(a, o) for a, _, o, _ in trail if a.startswith("public.")]
    assert ("public.booking.create", "accepted") in public
    assert ("public.booking.confirm", "accepted") in public
    assert ("public.booking.cancel", "accepted") in public


async def test_reschedule_by_link(web: httpx2.AsyncClient, sc: Scenario) -> None:
    _, confirm = await book(web, sc)
    await web.post(f"/{sc.slug}/book", data=confirm)
    link = f"/{sc.slug}/booking/{confirm['booking']}"
    choose = await web.get(link, params={"move": 1})
    slots = radios(choose.text, "slot")
    assert slots
    moved = await web.post(link, data=form(choose.text, "move-form") | {"slot": slots[1]})
    assert moved.status_code == 201 and 'data-status="pending_confirmation"' in moved.text
    new = form(moved.text, "confirm-form")
    assert new["booking"] != confirm["booking"]
    ok = await web.post(f"/{sc.slug}/book", data=new)
    assert 'data-status="scheduled"' in ok.text
    old = await web.get(link)
    assert 'data-status="cancelled"' in old.text


async def test_csrf_wrong_token_and_refusals(web: httpx2.AsyncClient, sc: Scenario) -> None:
    _, confirm = await book(web, sc, email="ana@example.org")
    forged = await web.post(f"/{sc.slug}/book", data=confirm | {"csrf": "forged"})
    assert forged.status_code == 400
    wrong = await web.get(f"/{sc.slug}/booking/{'x' * 43}")
    assert wrong.status_code == 404 and "not valid" in wrong.text
    seen = await web.get(f"/{sc.slug}/booking/{confirm['booking']}")
    no_cookie = form(seen.text, "cancel-form")
    web.cookies.clear()
    refused = await web.post(f"/{sc.slug}/booking/{confirm['booking']}", data=no_cookie)
    assert refused.status_code == 400
    still = await web.get(f"/{sc.slug}/booking/{confirm['booking']}")
    assert 'data-status="pending_confirmation"' in still.text
    assert (await web.get("/no-such-practice/book")).status_code == 404


async def test_a_held_time_is_refused_with_a_way_back(
    web: httpx2.AsyncClient, app: Frontdesk, sc: Scenario
) -> None:
    await app.agendas.create(sc.principal, "garcia", {"title": "Dr. Garcia", "provider_id": sc.garcia}, None)
    base = f"/{sc.slug}/agenda/garcia"
    before = await web.get(base, params={"service": sc.cleaning})
    held = radios(before.text, "slot")[0]
    data = form(before.text, "day-form") | {"csrf": web.cookies["fd_book_csrf"], "step": "create"}
    data |= {"slot": held, "full_name": "Ana Ruiz", "email": "ana@example.org", "phone": "", "intent": "yes"}
    assert (await web.post(base, data=data)).status_code == 201
    times = await web.get(base, params={"service": sc.cleaning})
    assert held not in radios(times.text, "slot")  # no longer offered
    taken = await web.post(base, data=data | {"full_name": "Rui Lopes", "email": "rui@example.org"})
    assert taken.status_code == 409 and 'id="start-again"' in taken.text
    assert f'href="{base}?service={sc.cleaning}"' in taken.text  # back to the service's times


async def test_human_intent_and_identity_are_required(web: httpx2.AsyncClient, sc: Scenario) -> None:
    times = await web.get(f"/{sc.slug}/book", params={"service": sc.cleaning})
    slot = radios(times.text, "slot")[0]
    details = await web.get(f"/{sc.slug}/book", params={"service": sc.cleaning, "slot": slot})
    data: dict[str, Any] = form(details.text, "identity-form") | {"full_name": "Lucía Rojas"}
    data |= {"email": "lucia@example.org", "phone": "", "step": "create"}
    no_intent = await web.post(f"/{sc.slug}/book", data=data)
    assert no_intent.status_code == 422 and "tick the box" in no_intent.text
    assert "humanIntentConfirmed" not in no_intent.text  # the service's words stay out
    no_contact = await web.post(f"/{sc.slug}/book", data=data | {"email": "", "intent": "yes"})
    assert no_contact.status_code == 422 and 'id="error"' in no_contact.text


async def test_language_by_header_and_switch(web: httpx2.AsyncClient, sc: Scenario) -> None:
    es = await web.get(f"/{sc.slug}/book", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in es.text and "Elija un servicio" in es.text
    pt = await web.get(f"/{sc.slug}/book", params={"lang": "pt"})
    assert "Escolha um serviço" in pt.text
    # The switch is remembered over the browser's own preference.
    times = await web.get(
        f"/{sc.slug}/book", params={"service": sc.cleaning}, headers={"Accept-Language": "en"}
    )
    assert '<html lang="pt">' in times.text and "segunda-feira, 2 de março de 2026" in times.text
    # The switch stays on the same step.
    assert f'href="/{sc.slug}/book?service={sc.cleaning}&amp;lang=es"' in times.text


async def test_an_agendas_page_shows_its_provider_and_books_through_it(
    web: httpx2.AsyncClient, app: Frontdesk, sc: Scenario
) -> None:
    await app.agendas.create(sc.principal, "garcia", {"title": "Dr. Garcia", "provider_id": sc.garcia}, None)
    await app.agendas.create(sc.principal, "closed", {"title": "Closed", "is_public": False}, None)
    assert (await web.get(f"/{sc.slug}/agenda/closed")).status_code == 404
    base = f"/{sc.slug}/agenda/garcia"
    times = await web.get(base, params={"service": sc.cleaning})
    # The agenda shows its provider (selection mode optional, provider list shown).
    assert "with Dr. Ana Garcia" in times.text and "Lisboa" not in times.text
    slot = radios(times.text, "slot")[0]
    assert slot.split("|")[1] == str(sc.garcia)
    details = await web.get(base, params={"service": sc.cleaning, "slot": slot})
    data = form(details.text, "identity-form") | {"full_name": "Lucía Rojas", "phone": "+1 212 555 0100"}
    data |= {"email": "", "step": "create", "intent": "yes"}
    made = await web.post(base, data=data)
    assert made.status_code == 201 and "Dr. Ana Garcia" in made.text
    done = await web.post(base, data=form(made.text, "confirm-form"))
    assert 'data-status="scheduled"' in done.text


async def test_the_service_limits_apply_to_the_page(
    web: httpx2.AsyncClient, app: Frontdesk, sc: Scenario
) -> None:
    await app.practice_settings.update(sc.principal, {"policies.publicRequestsPerMinuteIp": 3})
    answers = [(await web.get(f"/{sc.slug}/book")).status_code for _ in range(5)]
    assert answers[:3] == [200, 200, 200] and answers[-1] == 429
    trail = await audit_actions(app, sc)
    assert ("public.service.list", "rate_limited") in [(a, o) for a, _, o, _ in trail]


async def test_the_booking_token_stays_out_of_logs_and_referers(
    web: httpx2.AsyncClient, sc: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    _, confirm = await book(web, sc)
    with caplog.at_level(logging.DEBUG):
        seen = await web.get(f"/{sc.slug}/booking/{confirm['booking']}")
        await web.get(f"/{sc.slug}/booking/{confirm['booking']}x")
    assert seen.status_code == 200 and seen.headers["referrer-policy"] == "no-referrer"
    server = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]  # the client's own
    assert not [line for line in server if confirm["booking"] in line]


async def test_a_day_is_picked_before_its_times(web: httpx2.AsyncClient, sc: Scenario) -> None:
    times = await web.get(f"/{sc.slug}/book", params={"service": sc.cleaning})
    assert '<label for="day">Day</label>' in times.text and 'value="2026-03-15"' in times.text
    tuesday = await web.get(f"/{sc.slug}/book", params={"service": sc.cleaning, "day": "2026-03-03"})
    slots = radios(tuesday.text, "slot")
    assert "<legend>Tuesday, March 3, 2026</legend>" in tuesday.text
    assert "<legend>Monday, March 2, 2026</legend>" not in tuesday.text
    # 09:00 in New York is 14:00 UTC; Lisbon's 09:00 is 09:00 UTC.
    assert {x.split("|")[0] for x in slots} >= {"2026-03-03T14:00:00+00:00", "2026-03-03T09:00:00+00:00"}
