"""Writing a public booking: the pending_confirmation appointment that holds its slot for
CONFIRM_MINUTES, its public record and its two tokens (confirm, booking); and cancelling one under
the agenda's policy, which frees its time for the waitlist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.booking.agendas import check_advance
from frontdesk.domain.errors import Conflict, Invalid
from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.domain.settings import Values
from frontdesk.services.booking import catalogue as cat
from frontdesk.services.booking import tokens
from frontdesk.services.booking.agendas import DEFAULTS
from frontdesk.services.booking.gate import accepted
from frontdesk.services.booking.lookup import Decided
from frontdesk.services.booking.policy import overlay
from frontdesk.services.booking.views import PublicCreated, PublicRequest
from frontdesk.services.context import Principal
from frontdesk.services.messaging import notices
from frontdesk.services.scheduling import lifecycle
from frontdesk.services.scheduling.appointments import AppointmentService, BookingRequest
from frontdesk.services.scheduling.waitlist import slot_freed
from frontdesk.storage import models as m
from frontdesk.storage.repositories import agendas as repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import messages as msg_repo

S = AppointmentStatus
CONFIRM_MINUTES = 30
CHANGEABLE = frozenset({S.PENDING_CONFIRMATION, S.SCHEDULED, S.CONFIRMED})


def booking_policy(ag: m.Agenda | None) -> dict[str, Any]:
    """The agenda's advance rules (check_advance's keywords); the defaults without an agenda."""
    keys = ("min_advance_minutes", "max_advance_days", "same_day", "on_demand")
    return {k: getattr(ag, k) if ag is not None else DEFAULTS[k] for k in keys}


async def book(
    appointments: AppointmentService,
    s: AsyncSession,
    now: datetime,
    p: Principal,
    ag: m.Agenda | None,
    req: PublicRequest,
    who: Any,
    d: Decided,
    *,
    previous: m.Appointment | None = None,
    action: str = "public.booking.create",
    send: Sequence[str] = (),
) -> PublicCreated:
    """The pending booking of `req` for `who` (a checked identity), with its tokens; `previous` is
    the booking it reschedules. Its confirmation link is queued to the person on the first channel
    of `send` (the practice's, this server can send on) they have an address on and did not opt out
    of."""
    until = now + timedelta(minutes=CONFIRM_MINUTES)
    row = await _hold(appointments, s, now, p, ag, req, who, d, until)
    pub = m.PublicBooking(
        practice_id=p.practice_id,
        appointment_id=row.id,
        agenda_id=ag.id if ag is not None else None,
        channel=req.channel,
        agent_assisted=req.agent_assisted,
        full_name=who.full_name,
        email=who.email,
        phone=who.phone,
        created_at=now,
    )
    s.add(pub)
    confirm, booking = _tokens(s, p, now, row, until)
    if previous is not None:
        row.rescheduled_from_id, previous.rescheduled_to_id = previous.id, row.id
    optouts = await msg_repo.optouts(s, p.practice_id, row.patient_id) if send else set()
    sent_to = notices.channel_for(
        send, dict.fromkeys(send, True), email=who.email, phone=who.phone, opted_out=list(optouts)
    )
    if sent_to is not None:
        await notices.queue_confirmation_link(s, now, row, sent_to, req.language)
    detail = f"channel={req.channel} agent={req.agent_assisted}" + (f" link={sent_to}" if sent_to else "")
    if previous is not None:
        detail += f" from={previous.id}"
    await accepted(s, p, now, action, row.id, detail)
    return PublicCreated(await cat.view(s, row, pub, ag), confirm, booking, until, sent_to)


async def _hold(
    appointments: AppointmentService,
    s: AsyncSession,
    now: datetime,
    p: Principal,
    ag: m.Agenda | None,
    req: PublicRequest,
    who: Any,
    d: Decided,
    until: datetime,
) -> m.Appointment:
    """The appointment itself, pending until `until`, within the agenda's advance rules."""
    svc = await cat.service(s, p.practice_id, ag, req.service_id)
    provider_id = await cat.provider_for(s, p.practice_id, ag, svc, req.provider_id)
    patient = await cat.patient(s, p, now, who)
    booker = replace(p, client="public-agent") if req.agent_assisted else p  # method agent
    breq = BookingRequest(
        provider_id=provider_id,
        starts_at=req.starts_at,
        patient_id=patient.id,
        service_id=svc.id,
        any_datebook=True,
        pending_until=until,
        strategy=ag.assignment_strategy if ag is not None and ag.assignment_strategy != "manual" else None,
    )
    _, row = await appointments.create_in(s, booker, now, breq)
    book_ = await dir_repo.datebook(s, p.practice_id, row.datebook_id)
    assert book_ is not None  # composite foreign key
    try:
        check_advance(row.starts_at, now, ZoneInfo(book_.timezone), **booking_policy(ag))
    except Invalid:
        d.code = "policy_advance"
        raise
    return row


def _tokens(
    s: AsyncSession, p: Principal, now: datetime, row: m.Appointment, until: datetime
) -> tuple[str, str]:
    """(confirmation token, booking token): handed out once, stored as their hashes."""
    confirm, confirm_hash = tokens.new(tokens.CONFIRM)
    booking, booking_hash = tokens.new(tokens.BOOKING)
    for purpose, digest, expires in (
        (tokens.CONFIRM, confirm_hash, until),
        (tokens.BOOKING, booking_hash, None),
    ):
        s.add(
            m.PublicToken(
                practice_id=p.practice_id,
                appointment_id=row.id,
                purpose=purpose,
                token_hash=digest,
                expires_at=expires,
                created_at=now,
            )
        )
    return confirm, booking


async def cancel(
    s: AsyncSession,
    p: Principal,
    now: datetime,
    row: m.Appointment,
    v: Values,
    ag: m.Agenda | None,
    d: Decided,
    reason: str,
) -> None:
    """Cancel a changeable booking (a late one under the agenda's policy), retire its confirmation
    token and offer its time to the waitlist."""
    if S(row.status) not in CHANGEABLE:
        d.code = "invalid_state"
        raise Conflict(
            f"a {row.status} booking cannot be changed; only pending, scheduled or confirmed ones",
            field="bookingToken",
        )
    # Nothing was agreed for a booking still waiting for its confirmation: no penalty then.
    policy = overlay(v, ag) if row.status != S.PENDING_CONFIRMATION.value else None
    try:
        await lifecycle.move(s, p, now, row, S.CANCELLED, reason=reason, policy=policy)
    except Conflict:
        d.code = "policy_deadline"
        raise
    await repo.retire_tokens(s, p.practice_id, row.id, now, purpose=tokens.CONFIRM)
    await s.flush()
    await slot_freed(s, p, row.provider_id, row.datebook_id, row.starts_at, row.ends_at, now)
