"""The agenda's booking flow and selection modes drive the booking page, over HTTP on SQLite and
PostgreSQL: provider_first asks for the provider, then among that provider's services and times;
optional mode offers "anyone"; auto puts the provider first only where one must be picked; hidden
never names a provider on any step; a service mode of auto skips the service step."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from frontdesk.composition import Frontdesk
from frontdesk.services.booking.choices import PROVIDER_FIRST, SERVICE_FIRST, order
from frontdesk.storage.repositories import setup as setup_repo
from tests.factories import Scenario
from tests.http.booking import form, radios, sc, web

__all__ = ["sc", "web"]  # fixtures
NAMES = ("Garcia", "Silva")  # every provider's name has one


async def _team(app: Frontdesk, sc: Scenario, **values: Any) -> str:
    """An agenda of no provider of its own (so the patient may pick), Crown delivered by João Silva
    only; its page's path."""
    async with app.db.write() as s:
        for provider in (sc.garcia, sc.silva_a):
            await setup_repo.unassign(s, sc.practice_id, sc.crown, provider)
    await app.agendas.create(sc.principal, "team", {"title": "Our team", **values}, None)
    return f"/{sc.slug}/agenda/team"


async def _book(web: httpx2.AsyncClient, base: str, page: str) -> httpx2.Response:
    """From a time step: the first time, details, review, request."""
    slot = radios(page, "slot")[0]
    details = await web.get(base, params=form(page, "time-form") | {"slot": slot})
    assert details.status_code == 200, details.text
    who = {"full_name": "Lucía Rojas", "email": "lucia@example.org", "phone": ""}
    review = await web.post(base, data=form(details.text, "identity-form") | who)
    assert review.status_code == 200
    return await web.post(base, data=form(review.text, "review-form") | {"intent": "yes"})


async def test_provider_first_picks_the_provider_then_their_services_and_times(
    web: httpx2.AsyncClient, app: Frontdesk, sc: Scenario
) -> None:
    base = await _team(app, sc, booking_flow="provider_first", provider_mode="required")
    first = await web.get(base)
    assert "Choose who you want to see" in first.text and 'id="provider-form"' in first.text
    # Required: no "anyone"; every provider, by name.
    assert radios(first.text, "provider") == [str(sc.garcia), str(sc.silva_a), str(sc.silva_j)]
    garcia = await web.get(base, params={"provider": sc.garcia})
    assert radios(garcia.text, "service") == [str(sc.cleaning)]  # Crown is João Silva's only
    assert form(garcia.text, "service-form") == {"provider": str(sc.garcia)}
    assert f'href="{base}"' in garcia.text  # back to the providers
    silva = await web.get(base, params={"provider": sc.silva_j})
    assert radios(silva.text, "service") == [str(sc.cleaning), str(sc.crown)]
    times = await web.get(base, params={"provider": sc.silva_j, "service": sc.crown})
    slots = radios(times.text, "slot")
    assert slots and {x.split("|")[1] for x in slots} == {str(sc.silva_j)}  # that provider's times only
    assert "with Dr. João Silva" in times.text and "Garcia" not in times.text
    assert f'href="{base}?provider={sc.silva_j}"' in times.text  # back to that provider's services
    made = await _book(web, base, times.text)
    assert made.status_code == 201 and "Dr. João Silva" in made.text and "Crown" in made.text
    # Crown asked of Garcia by hand is not among her services: the service step again.
    wrong = await web.get(base, params={"provider": sc.garcia, "service": sc.crown})
    assert 'id="service-form"' in wrong.text
    # "anyone" is not an answer where the provider must be picked.
    assert 'id="provider-form"' in (await web.get(base, params={"provider": "any"})).text


async def test_optional_offers_anyone_and_a_service_mode_of_auto_skips_the_service(
    web: httpx2.AsyncClient, app: Frontdesk, sc: Scenario
) -> None:
    base = await _team(app, sc, booking_flow="provider_first", provider_mode="optional", service_mode="auto")
    first = await web.get(base)
    assert radios(first.text, "provider")[0] == "any" and "Anyone available" in first.text
    anyone = await web.get(base, params={"provider": "any"})
    # Service mode auto: straight to the times (of the first bookable service), from everyone.
    assert 'id="time-form"' in anyone.text and 'id="service-form"' not in anyone.text
    assert {x.split("|")[1] for x in radios(anyone.text, "slot")} >= {str(sc.garcia), str(sc.silva_j)}
    assert f'href="{base}"' in anyone.text  # back to the providers: no service step to go back to
    made = await _book(web, base, anyone.text)
    assert made.status_code == 201


@pytest.mark.parametrize(
    ("mode", "first"),
    [("required", "provider-form"), ("optional", "service-form")],
    ids=["required", "optional"],
)
async def test_auto_puts_the_provider_first_only_where_one_must_be_picked(
    web: httpx2.AsyncClient, app: Frontdesk, sc: Scenario, mode: str, first: str
) -> None:
    base = await _team(app, sc, booking_flow="auto", provider_mode=mode)
    assert f'id="{first}"' in (await web.get(base)).text


async def test_service_first_with_a_provider_list_labels_each_time(
    web: httpx2.AsyncClient, app: Frontdesk, sc: Scenario
) -> None:
    base = await _team(app, sc, booking_flow="service_first", provider_mode="required")
    start = await web.get(base)
    assert 'id="service-form"' in start.text and "Silva" not in start.text
    times = await web.get(base, params={"service": sc.crown})
    assert "with Dr. João Silva" in times.text and "Garcia" not in times.text


@pytest.mark.parametrize("flow", ["provider_first", "service_first", "auto"])
async def test_hidden_never_names_a_provider(
    web: httpx2.AsyncClient, app: Frontdesk, sc: Scenario, flow: str
) -> None:
    base = await _team(app, sc, booking_flow=flow, provider_mode="hidden")
    pages = [await web.get(base)]
    assert 'id="service-form"' in pages[0].text  # no provider step
    # A provider asked for by hand changes nothing.
    pages.append(await web.get(base, params={"provider": sc.silva_j, "service": sc.crown}))
    times = await web.get(base, params={"service": sc.cleaning})
    assert {x.split("|")[1] for x in radios(times.text, "slot")} == {""}
    pages.append(times)
    made = await _book(web, base, times.text)
    assert made.status_code == 201
    pages.append(made)
    pages.append(await web.post(base, data=form(made.text, "confirm-form")))
    for page in pages:
        assert not [n for n in NAMES if n in page.text], page.url


def test_the_order_rule() -> None:
    assert order("provider_first", "optional", True) == PROVIDER_FIRST
    assert order("provider_first", "required", False) == SERVICE_FIRST  # nobody to offer
    assert order("auto", "required", True) == PROVIDER_FIRST
    assert order("auto", "optional", True) == SERVICE_FIRST
    assert order("service_first", "required", True) == SERVICE_FIRST
