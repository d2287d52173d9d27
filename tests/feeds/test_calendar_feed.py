"""A provider's calendar feed over HTTP (the real Starlette app through httpx's ASGI transport), on
SQLite and PostgreSQL: created through manage_calendar_feeds (the URL shown once), parsed with
icalendar, only that provider's appointments (not a colleague's, not another practice's), the invite's
UID after a reschedule, initials unless the practice shows full names, 304 on the ETag, replaced and
revoked tokens 404 with no detail, every fetch audited, the per-feed rate limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest
from icalendar import Calendar
from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.http.app import create_app
from frontdesk.http.settings import HttpSettings
from frontdesk.mcp.server import build_server
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.scheduling import feeds
from frontdesk.services.scheduling.appointments import BookingRequest
from tests.bookings.conftest import audit_actions
from tests.factories import Scenario, build_scenario

BASE = "http://127.0.0.1:8000"


@pytest.fixture
async def web(app: Frontdesk) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=create_app(app, HttpSettings()))
    async with httpx2.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


async def call(app: Frontdesk, p: Principal, args: dict[str, Any], *, error: bool = False) -> dict[str, Any]:
    async with Client(build_server(app, surface="frontdesk", default_principal=p)) as client:
        result = await client.call_tool("manage_calendar_feeds", args)
    assert result.is_error is error, result.content[0].text if result.content else result
    assert result.structured_content is not None
    return result.structured_content


def _book(sc: Scenario, provider: int, when: str, patient: int | None = None) -> BookingRequest:
    book = sc.ny if provider == sc.garcia else sc.lisbon
    return BookingRequest(
        provider_id=provider,
        datebook_id=book,
        starts_at=when,
        patient_id=patient or sc.juan,
        service_id=sc.cleaning,
    )


def _path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.path.startswith("/calendar/fdcal_") and parts.path.endswith(".ics")
    return parts.path


def _events(body: bytes) -> list[Any]:
    return list(Calendar.from_ical(body).walk("VEVENT"))


async def test_the_feed_holds_the_providers_appointments_only(
    app: Frontdesk, sc_pair: tuple[Scenario, Scenario], web: httpx2.AsyncClient
) -> None:
    sc, other = sc_pair
    mine = await app.appointments.book(sc.principal, _book(sc, sc.garcia, "2026-03-04T10:00"))
    await app.appointments.book(sc.principal, _book(sc, sc.garcia, "2026-03-05T10:00", sc.maria))
    await app.appointments.book(sc.principal, _book(sc, sc.silva_j, "2026-03-04T10:00"))  # a colleague
    await app.appointments.book(other.principal, _book(other, other.garcia, "2026-03-04T11:00"))
    gone = await app.appointments.book(sc.principal, _book(sc, sc.garcia, "2026-03-06T10:00"))
    await app.bookings.cancel(sc.principal, gone.id, consent=Consent.GIVEN)
    moved = await app.bookings.reschedule(sc.principal, mine.id, "2026-03-04T14:00", consent=Consent.GIVEN)

    made = await call(app, sc.principal, {"action": "create", "provider_id": sc.garcia})
    assert made["active"] is True and made["url"].startswith(BASE)
    feed = await web.get(_path(made["url"]))
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(feed.content)
    assert str(cal["X-WR-CALNAME"]) == "Dr. Ana Garcia · Test Practice"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in feed.text and "X-PUBLISHED-TTL:PT1H" in feed.text
    events = _events(feed.content)
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    # The cancelled booking and the rescheduled-away original are left out; the colleague's and the
    # other practice's never appear. Initials only by default.
    assert summaries == ["Cleaning · J. P.", "Cleaning · M. S."]
    [moved_event] = [e for e in events if e.decoded("DTSTART").hour == 19]  # 14:00 New York
    assert str(moved_event["UID"]) == f"appointment-{mine.id}@frontdesk"  # the invite's UID
    assert int(moved_event["SEQUENCE"]) == 1
    assert moved.booked.appointment.id != mine.id
    assert "Perez" not in feed.text and "Juan" not in feed.text

    await app.practice_settings.update(sc.principal, {"communication.calendarFeedNames": "full"})
    full = await web.get(_path(made["url"]))
    assert sorted(str(e["SUMMARY"]) for e in _events(full.content)) == [
        "Cleaning · Juan Perez",
        "Cleaning · María Santos",
    ]
    assert full.headers["etag"] != feed.headers["etag"]
    fetches = [a for a in await audit_actions(app, sc) if a[0] == "calendar_feed.fetch"]
    assert fetches[-1][1:3] == (str(sc.garcia), "ok")


async def test_etag_304_and_revoked_or_replaced_tokens_are_404(
    app: Frontdesk, sc_pair: tuple[Scenario, Scenario], web: httpx2.AsyncClient
) -> None:
    sc, other = sc_pair
    await app.appointments.book(sc.principal, _book(sc, sc.garcia, "2026-03-04T10:00"))
    first = await call(app, sc.principal, {"action": "create", "provider_id": sc.garcia})
    path = _path(first["url"])
    got = await web.get(path)
    etag, modified = got.headers["etag"], got.headers["last-modified"]
    again = await web.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content and again.headers["etag"] == etag
    since = await web.get(path, headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    stale = await web.get(path, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200

    status = await call(app, sc.principal, {"action": "status", "provider_id": sc.garcia})
    assert status["active"] is True and status["url"] is None and status["lastFetchedAt"]
    second = await call(app, sc.principal, {"action": "create", "provider_id": sc.garcia})
    assert second["url"] != first["url"]
    replaced = await web.get(path)
    assert replaced.status_code == 404 and replaced.text == "Not Found"
    assert (await web.get(_path(second["url"]))).status_code == 200
    await call(app, sc.principal, {"action": "revoke", "provider_id": sc.garcia})
    revoked = await web.get(_path(second["url"]))
    assert revoked.status_code == 404 and revoked.text == "Not Found"
    for wrong in ("/calendar/nonsense.ics", f"/calendar/fdcal_{sc.practice_id}_{'x' * 43}.ics"):
        assert (await web.get(wrong)).status_code == 404
    # Another practice's staff cannot reach this provider: not found, naming the field.
    err = await call(app, other.principal, {"action": "status", "provider_id": sc.garcia}, error=True)
    assert err["error"]["field"] == "provider_id"
    done = [a[:3] for a in await audit_actions(app, sc)]
    assert ("calendar_feed.revoke", str(sc.garcia), "ok") in done
    assert ("calendar_feed.fetch", None, "not_found") in done  # the replaced token, among others


async def test_only_admins_create_and_each_feed_is_rate_limited(
    app: Frontdesk, sc_pair: tuple[Scenario, Scenario], web: httpx2.AsyncClient
) -> None:
    sc, _ = sc_pair
    desk = Principal(sc.practice_id, "user:desk", frozenset({"appointments:read", "appointments:write"}))
    err = await call(app, desk, {"action": "create", "provider_id": sc.garcia}, error=True)
    assert "admin" in err["error"]["message"]
    assert (await call(app, desk, {"action": "status", "provider_id": sc.garcia}))["active"] is False
    made = await call(app, sc.principal, {"action": "create", "provider_id": sc.garcia})
    codes = [(await web.get(_path(made["url"]))).status_code for _ in range(feeds.FETCHES_PER_MINUTE + 1)]
    assert codes[:-1] == [200] * feeds.FETCHES_PER_MINUTE and codes[-1] == 429


@pytest.fixture
async def sc_pair(app: Frontdesk) -> tuple[Scenario, Scenario]:
    return await build_scenario(app), await build_scenario(app)
