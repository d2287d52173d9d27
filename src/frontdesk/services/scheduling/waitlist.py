"""The waitlist engine: a freed slot goes to the first matching entry (priority, then arrival) as a
held appointment with an offer; a lapsed offer passes the slot on. Runs inside the caller's
transaction (a cancellation, a move, the waitlist's own use cases, a worker's sweep), after the
provider lock booking takes, so two cancellations at once never offer one slot twice."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.scheduling.ranges import TimeRange, intersect, subtract
from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.domain.scheduling.waitlist import Wish
from frontdesk.services import audit
from frontdesk.services.admin.settings import values
from frontdesk.services.context import Principal
from frontdesk.services.messaging import notices
from frontdesk.services.scheduling import lifecycle
from frontdesk.services.scheduling.catalogue import deliverers
from frontdesk.services.scheduling.hours import local_day_window, open_ranges
from frontdesk.storage import models as m
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import waitlist as repo

S = AppointmentStatus
WAITING, OFFERED, BOOKED, LEFT = "waiting", "offered", "booked", "left"
OPEN, ACCEPTED, EXPIRED, WITHDRAWN = "open", "accepted", "expired", "withdrawn"
SYSTEM = "system:waitlist"
GRID = timedelta(minutes=15)  # where inside a freed range an offered slot may start


def _principal(p_or_practice_id: Principal | int) -> Principal:
    if isinstance(p_or_practice_id, Principal):
        return p_or_practice_id
    return Principal(p_or_practice_id, SYSTEM)


async def slot_freed(
    s: AsyncSession,
    p_or_practice_id: Principal | int,
    provider_id: int,
    datebook_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[m.WaitlistOffer]:
    """[start, end) of this provider at this datebook just became free: offer it (held) to the first
    matching waiting entries, as many as fit one after the other. Returns the offers made."""
    p = _principal(p_or_practice_id)
    await appt_repo.lock_providers(s, p.practice_id, [provider_id])
    await expire_lapsed(s, p, now, provider_id=provider_id)
    # A held offer that was itself cancelled (staff cancelled the hold) is withdrawn: its entry waits
    # again, for other slots (this one it was offered already).
    for offer in await repo.open_offers_in(s, p.practice_id, provider_id, start, end):
        appt = await appt_repo.get(s, p.practice_id, offer.appointment_id)
        if appt is None or appt.status == S.CANCELLED.value:
            await close_offer(s, p, offer, WITHDRAWN, now, reason="cancelled")
    return await _offer(s, p, provider_id, datebook_id, start, end, now)


LOOKAHEAD_DAYS = 14  # how far ahead newly opened hours are offered to the waitlist


async def time_opened(
    s: AsyncSession,
    p: Principal,
    provider_id: int,
    datebook_id: int,
    now: datetime,
    weekdays: Collection[int] = range(7),
    on: date | None = None,
) -> list[m.WaitlistOffer]:
    """This provider has new hours at this datebook: on these weekdays (a new week, a block: the next
    LOOKAHEAD_DAYS of them) or on one date (a day's override). Their free time goes to the waitlist
    as freed time does. Nothing is read when no entry could take it."""
    if not await repo.candidates(s, p.practice_id, provider_id, datebook_id, now):
        return []
    book = await dir_repo.datebook(s, p.practice_id, datebook_id)
    if book is None:
        return []
    tz = ZoneInfo(book.timezone)
    today = now.astimezone(tz).date()
    days = [on] if on is not None else [today + timedelta(days=n) for n in range(LOOKAHEAD_DAYS)]
    offers: list[m.WaitlistOffer] = []
    for d in days:
        if on is None and d.weekday() not in weekdays:
            continue
        window = local_day_window(datetime.combine(d, time(12), tzinfo=tz), tz)
        if window.end > now:
            offers += await slot_freed(
                s, p, provider_id, datebook_id, max(window.start, now), window.end, now
            )
    return offers


async def expire_lapsed(
    s: AsyncSession, p: Principal, now: datetime, *, provider_id: int | None = None
) -> int:
    """Close this practice's lapsed offers (of one provider, or all): each entry waits again, its hold
    is released and the slot goes to the next matching entry. Returns how many lapsed."""
    lapsed = await repo.lapsed(s, p.practice_id, now, provider_id=provider_id)
    if provider_id is None and lapsed:
        # Their providers' locks first, then read them again: a concurrent change of theirs is over.
        await appt_repo.lock_providers(s, p.practice_id, [o.provider_id for o in lapsed])
        lapsed = await repo.lapsed(s, p.practice_id, now)
    for offer in lapsed:
        appt = await close_offer(s, p, offer, EXPIRED, now, reason="offer_expired")
        if appt is not None:
            await _offer(s, p, offer.provider_id, appt.datebook_id, offer.starts_at, offer.ends_at, now)
    return len(lapsed)


async def close_offer(
    s: AsyncSession, p: Principal, offer: m.WaitlistOffer, status: str, now: datetime, *, reason: str
) -> m.Appointment | None:
    """End an open offer (expired or withdrawn): its entry waits again unless it left, and its hold is
    released. Returns the held appointment, or None when the hold was confirmed some other way (then
    the offer counts as accepted and there is nothing to pass on)."""
    entry = await repo.entry(s, p.practice_id, offer.entry_id)
    appt = await appt_repo.get(s, p.practice_id, offer.appointment_id)
    if appt is not None and appt.status in (S.SCHEDULED.value, S.CONFIRMED.value):
        offer.status, offer.resolved_at = ACCEPTED, now
        if entry is not None and entry.status == OFFERED:
            entry.status, entry.updated_at = BOOKED, now
        await s.flush()
        return None
    offer.status, offer.resolved_at = status, now
    if entry is not None and entry.status == OFFERED:
        entry.status, entry.updated_at = WAITING, now
    if appt is not None and appt.status == S.HELD.value:
        await lifecycle.move(s, p, now, appt, S.CANCELLED, reason=f"waitlist offer {status}: {reason}")
        appt.updated_at = now
    await s.flush()
    await audit.record(s, p, now, f"waitlist.offer_{status}", "waitlist_offer", offer.id)
    return appt


async def _offer(
    s: AsyncSession,
    p: Principal,
    provider_id: int,
    datebook_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[m.WaitlistOffer]:
    if start <= now or end <= start:
        return []  # a slot already begun is nobody's to take
    book = await dir_repo.datebook(s, p.practice_id, datebook_id)
    if book is None:
        return []
    entries = await repo.candidates(s, p.practice_id, provider_id, datebook_id, start)
    if not entries:
        return []
    tz = ZoneInfo(book.timezone)
    day = local_day_window(start, tz)
    window = TimeRange(day.start, max(day.end, end))
    hours = (await open_ranges(s, p.practice_id, [provider_id], {book.id: book}, window)).get(
        (provider_id, book.id), []
    )
    busy = [
        TimeRange(b.starts_at, b.ends_at)
        for b in await appt_repo.busy_for(s, p.practice_id, [provider_id], start, end, now)
    ]
    free = subtract(intersect(hours, [TimeRange(start, end)]), busy)
    hold = int((await values(s, p.practice_id))["policies.waitlistHoldMinutes"])
    offers: list[m.WaitlistOffer] = []
    for entry in entries:
        if not free:
            break
        service = await dir_repo.service(s, p.practice_id, entry.service_id)
        if service is None or not service.active:
            continue
        if provider_id not in (await deliverers(s, p.practice_id, service) or set()):
            continue  # this provider does not deliver what the entry waits for
        slot = _first_fit(free, timedelta(minutes=service.duration_minutes), _wish(entry), tz)
        if slot is None or not await repo.still_waiting(s, p.practice_id, entry.id):
            continue
        offers.append(await _hold(s, p, entry, book, provider_id, slot, now, hold))
        free = subtract(free, [slot])
    return offers


def _first_fit(free: list[TimeRange], length: timedelta, wish: Wish, tz: ZoneInfo) -> TimeRange | None:
    """The earliest slot of `length` inside the free time, on a grid from each free range's start,
    that the entry accepts."""
    for r in free:
        at = r.start
        while at + length <= r.end:
            slot = TimeRange(at, at + length)
            if wish.accepts(slot.start.astimezone(tz), slot.end.astimezone(tz)):
                return slot
            at += GRID
    return None


def _wish(entry: m.WaitlistEntry) -> Wish:
    return Wish(entry.from_date, entry.to_date, entry.from_time, entry.to_time)


async def _hold(
    s: AsyncSession,
    p: Principal,
    entry: m.WaitlistEntry,
    book: m.Datebook,
    provider_id: int,
    slot: TimeRange,
    now: datetime,
    hold_minutes: int,
) -> m.WaitlistOffer:
    expires = now + timedelta(minutes=hold_minutes)
    appt = m.Appointment(
        practice_id=p.practice_id,
        datebook_id=book.id,
        provider_id=provider_id,
        patient_id=entry.patient_id,
        service_id=entry.service_id,
        starts_at=slot.start,
        ends_at=slot.end,
        status=S.HELD.value,
        notes=entry.notes,
        hold_expires_at=expires,
        allow_overlap=False,
        created_by=SYSTEM,
        created_at=now,
        updated_at=now,
    )
    s.add(appt)
    await lifecycle.created(s, p, now, appt, reason="waitlist offer")
    offer = m.WaitlistOffer(
        practice_id=p.practice_id,
        entry_id=entry.id,
        appointment_id=appt.id,
        provider_id=provider_id,
        starts_at=slot.start,
        ends_at=slot.end,
        status=OPEN,
        expires_at=expires,
        created_at=now,
    )
    s.add(offer)
    entry.status, entry.updated_at = OFFERED, now
    await s.flush()
    await audit.record(s, p, now, "appointment.hold", "appointment", appt.id, detail="waitlist")
    await audit.record(s, p, now, "waitlist.offer", "waitlist_offer", offer.id, detail=f"entry {entry.id}")
    await notices.queue_offer(s, now, offer)  # sent to the client with the offer's commit
    return offer
