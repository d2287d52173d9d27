"""A public booking reached by its token: the token checked (well formed, its hash found for its
purpose, compared in constant time, unused), the booking read and locked, a lapsed unconfirmed one
released first. Every failure is the same "not found"; the decision (token_invalid, token_expired)
goes to the audit trail only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import NotFound
from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.services.booking import tokens
from frontdesk.services.context import Principal
from frontdesk.storage import models as m
from frontdesk.storage.repositories import agendas as repo
from frontdesk.storage.repositories import appointments as appt_repo

S = AppointmentStatus
NO_TOKEN = "no booking matches this token"  # wrong, expired, used: one answer, nothing to probe


class Decided:
    """The decision a request reached before refusing (a token's fate is not in its error message)."""

    code: str | None = None


async def token(
    s: AsyncSession, p: Principal, purpose: str, text: str, d: Decided, field: str | None = None
) -> m.PublicToken:
    """The live token `text` of this purpose, or "not found" naming `field` (by default the public
    surface's name for it)."""
    field = field or ("confirmationToken" if purpose == tokens.CONFIRM else "bookingToken")
    row = None
    if tokens.well_formed(text, purpose):
        row = await repo.token(s, p.practice_id, purpose, tokens.digest(text))
    if row is None or not tokens.same(row.token_hash, text) or row.used_at is not None:
        d.code = "token_invalid"
        raise NotFound(NO_TOKEN, field=field)
    return row


async def booking(
    s: AsyncSession, p: Principal, now: datetime, tok: m.PublicToken
) -> tuple[m.Appointment, m.PublicBooking, m.Agenda | None]:
    row = await appt_repo.get(s, p.practice_id, tok.appointment_id, lock=True)
    pub = await repo.public_booking(s, p.practice_id, tok.appointment_id)
    assert row is not None and pub is not None  # written together with the token
    if row.status == S.PENDING_CONFIRMATION.value and row.hold_expires_at and row.hold_expires_at <= now:
        # Lapsed: released now (as the next booking of this provider would), then read again.
        await appt_repo.expire_holds(s, p.practice_id, row.provider_id, now)
        await repo.reload(s, row)
    ag = await repo.get(s, p.practice_id, pub.agenda_id) if pub.agenda_id is not None else None
    return row, pub, ag


async def by_token(
    s: AsyncSession, p: Principal, now: datetime, purpose: str, text: str, d: Decided
) -> tuple[m.Appointment, m.PublicBooking, m.Agenda | None]:
    return await booking(s, p, now, await token(s, p, purpose, text, d))
