"""The agenda's booking flow in a real headless Chromium (JavaScript on and off): provider_first
asks for the provider, then among that provider's services and times, and books with them; an
agenda that hides its providers never shows a provider's name on any screen."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from frontdesk.composition import Frontdesk
from frontdesk.storage.repositories import setup as setup_repo
from tests.browser.test_booking_page import _click, _find, _text, _type, chrome_paths, driver
from tests.conftest import Clock
from tests.factories import Scenario, build_scenario
from tests.http.conftest import serving

__all__ = ["chrome_paths", "driver"]  # fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


async def _team(app: Frontdesk, **values: Any) -> Scenario:
    """A practice whose agenda "team" lets the patient pick; Crown is João Silva's only."""
    sc = await build_scenario(app)
    async with app.db.write() as s:
        for provider in (sc.garcia, sc.silva_a):
            await setup_repo.unassign(s, sc.practice_id, sc.crown, provider)
    await app.agendas.create(sc.principal, "team", {"title": "Our team", **values}, None)
    return sc


def _details_and_request(d: Any) -> None:
    _click(d, "#slot-1-1")
    _click(d, "#next")
    _type(d, "#full_name", "Lucía Rojas")
    _type(d, "#email", "lucia@example.org")
    _click(d, "#next")
    _click(d, "#intent")
    _click(d, "#request")
    _find(d, "#pending")


def _provider_first(d: Any, url: str, sc: Scenario) -> str:
    d.get(url)
    assert _text(d, "h2") == "Choose who you want to see"
    _click(d, f"#provider-{sc.silva_j}")
    _click(d, "#next")
    # Her services only: Cleaning and Crown (Garcia does no crowns, so picking her would show one).
    _click(d, f"#service-{sc.crown}")
    _click(d, "#next")
    label = _text(d, "label[for=slot-1-1]")
    assert "with Dr. João Silva" in label
    _details_and_request(d)
    _click(d, "#confirm")
    assert _text(d, "#confirmed") == "Your booking is confirmed"
    return str(d.page_source)


def _hidden(d: Any, url: str, sc: Scenario) -> list[str]:
    seen = []
    d.get(url)
    seen.append(d.page_source)
    _click(d, f"#service-{sc.cleaning}")
    _click(d, "#next")
    _find(d, "#slot-1-1")
    seen.append(d.page_source)
    _details_and_request(d)
    seen.append(d.page_source)
    _click(d, "#confirm")
    _find(d, "#confirmed")
    seen.append(d.page_source)
    return seen


async def test_provider_first_in_a_browser(driver: Any, app: Frontdesk, clock: Clock) -> None:
    sc = await _team(app, booking_flow="provider_first", provider_mode="required")
    async with serving(app, clock) as live:
        page = await asyncio.to_thread(
            _provider_first, driver, f"{live.base}/{sc.slug}/agenda/team?lang=en", sc
        )
    assert "Dr. João Silva" in page and "Crown" in page


async def test_hidden_providers_in_a_browser(driver: Any, app: Frontdesk, clock: Clock) -> None:
    sc = await _team(app, booking_flow="provider_first", provider_mode="hidden")
    async with serving(app, clock) as live:
        pages = await asyncio.to_thread(_hidden, driver, f"{live.base}/{sc.slug}/agenda/team?lang=en", sc)
    assert len(pages) == 4
    for page in pages:
        assert "Garcia" not in page and "Silva" not in page
