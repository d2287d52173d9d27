"""A provider's private calendar feed (issue 14): a secret URL Google, Apple or Outlook calendars
subscribe to, serving the provider's appointments from 30 days back to a year ahead as iCalendar.

The token is 256 random bits (secrets) with the practice id in front (fdcal_<practice>_<random>, so
the lookup stays inside one practice), shown once when created and stored only as its SHA-256 hash.
Creating a feed again replaces the token (the old URL stops working); revoking ends it. A wrong,
replaced or revoked token is simply "not found". Every fetch is audited in the practice (actor
`feed:<ip>`), and each feed may be fetched at most FETCHES_PER_MINUTE times a minute (the HTTP layer
limits each IP as well).

What the feed shows: each event's UID is the one the appointment's email invite carries (the first
appointment of its reschedules), its SUMMARY the service and the client's initials, or their full
name where the practice's setting communication.calendarFeedNames is "full"; no notes, no contact
details. Cancelled, erroneous and held appointments (and bookings whose confirmation lapsed) are
left out, so a reschedule's old and new appointment never show the same UID twice. Times are UTC."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vDuration, vText
from limits import RateLimitItemPerMinute
from limits.aio.strategies import MovingWindowRateLimiter
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.errors import Declined, NotFound
from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.services import audit
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.booking.limits import storage_from_env
from frontdesk.services.context import Principal
from frontdesk.services.messaging.invite import uid
from frontdesk.services.oauth_model import digest, mint, practice_of
from frontdesk.services.settings import Settings
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import feeds as repo

log = logging.getLogger(__name__)
S = AppointmentStatus
PREFIX = "fdcal_"
TOKEN_MAX = 80
BACK, AHEAD = timedelta(days=30), timedelta(days=366)
EVENTS_MAX = 5000
REFRESH = timedelta(hours=1)  # REFRESH-INTERVAL / X-PUBLISHED-TTL: how often clients should poll
FETCHES_PER_MINUTE = 20
HIDDEN = frozenset({S.CANCELLED, S.ENTERED_IN_ERROR, S.HELD})
TENTATIVE = frozenset({S.REQUESTED, S.PENDING_CONFIRMATION})
NAMES_SETTING = "communication.calendarFeedNames"


@dataclass(frozen=True, slots=True)
class FeedStatus:
    provider_id: int
    provider_name: str
    active: bool
    created_at: datetime | None
    created_by: str | None
    revoked_at: datetime | None
    last_fetched_at: datetime | None
    url: str | None = None  # only in create's answer: it is never shown again


@dataclass(frozen=True, slots=True)
class FeedDocument:
    body: bytes
    etag: str
    last_modified: datetime


def initials(first: str, last: str) -> str:
    return " ".join(f"{part.strip()[:1].upper()}." for part in (first, last) if part.strip())


def _status(provider: m.Provider, row: m.CalendarFeed | None, url: str | None = None) -> FeedStatus:
    live = row is not None and row.revoked_at is None
    return FeedStatus(
        provider_id=provider.id,
        provider_name=provider.name,
        active=live,
        created_at=row.created_at if row else None,
        created_by=row.created_by if row else None,
        revoked_at=row.revoked_at if row else None,
        last_fetched_at=row.last_fetched_at if row else None,
        url=url,
    )


class CalendarFeedService:
    def __init__(self, uc: UseCases, settings: Settings) -> None:
        self.uc = uc.scoped(read=(access.APPOINTMENTS_READ, access.ADMIN), write=access.ADMIN)
        self.settings = settings
        self.limiter = MovingWindowRateLimiter(storage_from_env())
        self.per_feed = RateLimitItemPerMinute(FETCHES_PER_MINUTE)

    def url(self, token: str) -> str:
        return f"{self.settings.public_url}/calendar/{token}.ics"

    async def _provider(self, s: AsyncSession, p: Principal, provider_id: int) -> m.Provider:
        provider = await dir_repo.provider(s, p.practice_id, provider_id)
        if provider is None:
            raise NotFound(f"no provider with id {provider_id}", field="provider_id")
        return provider

    async def create(self, p: Principal, provider_id: int) -> FeedStatus:
        """A new feed URL for the provider (replacing any earlier one), shown this once."""

        async def body(s: AsyncSession, now: datetime) -> FeedStatus:
            provider = await self._provider(s, p, provider_id)
            token = mint(PREFIX, p.practice_id)
            row = await repo.put_feed(s, p.practice_id, provider.id, digest(token), now, p.actor)
            await audit.record(s, p, now, "calendar_feed.create", "provider", provider.id)
            return _status(provider, row, self.url(token))

        return await self.uc.write(p, "calendar_feed.create", "provider", provider_id, body, FeedStatus)

    async def revoke(self, p: Principal, provider_id: int) -> FeedStatus:
        async def body(s: AsyncSession, now: datetime) -> FeedStatus:
            provider = await self._provider(s, p, provider_id)
            row = await repo.feed_of(s, p.practice_id, provider.id)
            if row is not None and row.revoked_at is None:
                row.revoked_at = now
                await audit.record(s, p, now, "calendar_feed.revoke", "provider", provider.id)
            return _status(provider, row)

        return await self.uc.write(p, "calendar_feed.revoke", "provider", provider_id, body, FeedStatus)

    async def status(self, p: Principal, provider_id: int) -> FeedStatus:
        async def body(s: AsyncSession, now: datetime) -> FeedStatus:
            provider = await self._provider(s, p, provider_id)
            return _status(provider, await repo.feed_of(s, p.practice_id, provider.id))

        return await self.uc.read(p, "calendar_feed.status", "provider", provider_id, body)

    # --- the feed itself ---------------------------------------------------------------------------

    async def fetch(self, token: str, ip: str) -> FeedDocument:
        """The feed a token reaches; NotFound (no detail) for any token that reaches none."""
        practice_id = practice_of(PREFIX, token) if len(token) <= TOKEN_MAX else None
        if practice_id is None:
            raise NotFound("not found")
        hashed = digest(token)
        try:
            allowed = await self.limiter.hit(self.per_feed, "calendar-feed", hashed[:32])
        except Exception:  # the store is down: serve rather than refuse everyone
            log.warning("calendar feed rate limiter unavailable; request let through", exc_info=True)
            allowed = True
        if not allowed:
            raise Declined("too many requests for this feed", details={"decision": "rate_limited"})

        async def body(s: AsyncSession, now: datetime) -> FeedDocument | None:
            if await dir_repo.practice_by_id(s, practice_id) is None:
                return None
            who = Principal(practice_id, f"feed:{ip}"[:120], frozenset())
            feed = await repo.feed_by_hash(s, practice_id, hashed)
            if feed is None:
                await audit.record(s, who, now, "calendar_feed.fetch", "calendar_feed", None, "not_found")
                return None
            doc = await self._document(s, feed, now)
            await repo.fetched(s, practice_id, feed.id, now)
            await audit.record(s, who, now, "calendar_feed.fetch", "provider", feed.provider_id)
            return doc

        found = await self.uc.run(body)
        if found is None:
            raise NotFound("not found")
        return found

    async def _document(self, s: AsyncSession, feed: m.CalendarFeed, now: datetime) -> FeedDocument:
        pid = feed.practice_id
        provider = await dir_repo.provider(s, pid, feed.provider_id)
        practice = await dir_repo.practice_by_id(s, pid)
        v = await settings_values(s, pid)
        rows = await repo.provider_events(s, pid, feed.provider_id, now - BACK, now + AHEAD, EVENTS_MAX)
        shown = [r for r in rows if _shown(r[0], now)]
        chains = await _chains(s, pid, [r[0] for r in shown])
        full = v[NAMES_SETTING] == "full"
        org = str(v["basics.name"]) or (practice.name if practice else "")
        cal = Calendar()
        cal.add("prodid", "-//Frontdesk//Calendar feed//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", " · ".join(x for x in (provider.name if provider else "", org) if x))
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal["x-published-ttl"] = vDuration(REFRESH)
        latest = feed.created_at
        for row, first, last, service, location in shown:
            who = f"{first} {last}".strip() if full else initials(first, last)
            root, depth = chains[row.id]
            ev = Event()
            ev.add("uid", uid(root))
            ev.add("sequence", depth)
            ev.add("dtstamp", row.updated_at)
            ev.add("last-modified", row.updated_at)
            ev.add("dtstart", row.starts_at)
            ev.add("dtend", row.ends_at)
            ev.add("summary", " · ".join(x for x in (service or "Appointment", who) if x))
            ev["location"] = vText(location)
            ev.add("status", "TENTATIVE" if S(row.status) in TENTATIVE else "CONFIRMED")
            cal.add_component(ev)
            latest = max(latest, row.updated_at)
        body = bytes(cal.to_ical())
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return FeedDocument(body, etag, latest)


def _shown(row: m.Appointment, now: datetime) -> bool:
    status = S(row.status)
    if status in HIDDEN:
        return False
    lapsed = (
        status == S.PENDING_CONFIRMATION and row.hold_expires_at is not None and row.hold_expires_at <= now
    )
    return not lapsed


async def _chains(s: AsyncSession, pid: int, rows: Sequence[m.Appointment]) -> dict[int, tuple[int, int]]:
    """Each appointment's (first of its reschedules, how many reschedules): the invite's UID and
    SEQUENCE, as reminders.chain finds them one by one, here a level of every chain per query."""
    parent: dict[int, int | None] = {r.id: r.rescheduled_from_id for r in rows}
    for _ in range(50):
        missing = [f for f in parent.values() if f is not None and f not in parent]
        if not missing:
            break
        found = await repo.earlier_of(s, pid, missing)
        parent.update({f: found.get(f) for f in missing})  # one that no longer exists ends its chain
    out: dict[int, tuple[int, int]] = {}
    for r in rows:
        root, depth = r.id, 0
        while (up := parent.get(root)) is not None and depth < 50:
            root, depth = up, depth + 1
        out[r.id] = (root, depth)
    return out
