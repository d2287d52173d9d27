"""The public booking flow: no account, no key. Patients (or agents acting for them) list a
practice's bookable services and free times, request a booking (held as pending_confirmation for
30 minutes) and confirm it with the confirmationToken; the bookingToken then reaches that one
booking to see, cancel or reschedule it. Both the MCP tools of /mcp/public and the booking page call
this service (one set of limits, one audit).

API (each call takes the practice's slug, optionally an agenda's, and the request's context):
`services`, `slots`, `create`, `confirm`, `get`, `cancel`, `reschedule`; `sweep` releases every
lapsed unconfirmed booking (lazily they are released whenever their provider's time is booked).

Every request is audited in the practice with a decision code as its outcome: accepted,
rate_limited, invalid_identity, no_human_intent, pending_limit, slot_taken, policy_deadline,
policy_advance, token_expired, token_invalid, invalid_state, not_found, invalid. The caller is a
practice-scoped principal `public:<ip>` with the one scope public:book (no staff scope).
The skeleton is in gate.py, the writes in holds.py, the slot search in slots.py."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import Conflict, Declined, FrontdeskError, Invalid, NotFound
from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.domain.settings import Values
from frontdesk.services.booking import catalogue as cat
from frontdesk.services.booking import holds, lookup, tokens
from frontdesk.services.booking.gate import Gate, accepted
from frontdesk.services.booking.holds import CHANGEABLE, CONFIRM_MINUTES
from frontdesk.services.booking.limits import PublicLimiter
from frontdesk.services.booking.lookup import NO_TOKEN, Decided
from frontdesk.services.booking.slots import SLOTS_MAX, free_slots
from frontdesk.services.booking.views import (
    Identity,
    PublicBookingView,
    PublicContext,
    PublicCreated,
    PublicRequest,
    PublicService,
    PublicSlot,
)
from frontdesk.services.context import Principal
from frontdesk.services.scheduling import lifecycle
from frontdesk.services.scheduling.appointments import AppointmentService
from frontdesk.services.scheduling.availability import AvailabilityService
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import agendas as repo
from frontdesk.storage.repositories import appointments as appt_repo

__all__ = ["CHANGEABLE", "CONFIRM_MINUTES", "SLOTS_MAX", "PublicBookingService"]
log = logging.getLogger(__name__)
S = AppointmentStatus


class PublicBookingService(Gate):
    def __init__(
        self,
        uc: UseCases,
        appointments: AppointmentService,
        availability: AvailabilityService,
        limiter: PublicLimiter | None = None,
        configured: Callable[[Values], Mapping[str, bool]] | None = None,
    ) -> None:
        super().__init__(uc, limiter)
        self.appointments = appointments
        self.availability = availability
        self.configured = configured or (lambda _v: {})  # the channels a practice can send on

    def _sendable(self, v: Values) -> list[str]:
        """The practice's channels this server can send a confirmation link on, in its order."""
        on = self.configured(v)
        return [c for c in v["communication.channels"] if on.get(c)]

    # --- reading -------------------------------------------------------------------------------

    async def services(
        self, ctx: PublicContext, org_slug: str, agenda_slug: str | None = None
    ) -> list[PublicService]:
        async def body(
            s: AsyncSession, now: datetime, p: Principal, v: Values, d: Decided
        ) -> list[PublicService]:
            ag = await cat.agenda(s, p.practice_id, agenda_slug)
            rows = await cat.services(s, p.practice_id, ag)
            await accepted(s, p, now, "public.service.list", None, f"count={len(rows)}")
            return [
                PublicService(
                    r.id, r.name, r.description, r.category, r.duration_minutes, r.price_cents, r.currency
                )
                for r in rows
            ]

        return await self._run(ctx, org_slug, "public.service.list", body)

    async def slots(
        self,
        ctx: PublicContext,
        org_slug: str,
        agenda_slug: str | None = None,
        *,
        service_id: int | None = None,
        provider_id: int | None = None,
        start: str | None = None,
        end: str | None = None,
        limit: int = 50,
    ) -> list[PublicSlot]:
        """Free times of the bookable services (or the one asked for) within the agenda's booking
        policy, earliest first. With `provider_id` (where the agenda lets the person choose the
        provider; refused elsewhere) that provider's own earliest times, searched for them alone."""
        limit = max(1, min(limit, SLOTS_MAX))

        async def scope(
            s: AsyncSession, now: datetime, p: Principal, v: Values, d: Decided
        ) -> tuple[Principal, m.Agenda | None, list[int], datetime]:
            ag = await cat.agenda(s, p.practice_id, agenda_slug)
            if service_id is not None:
                ids = [(await cat.service(s, p.practice_id, ag, service_id)).id]
            else:
                ids = [r.id for r in await cat.services(s, p.practice_id, ag)]
            detail = f"services={len(ids)}"
            if provider_id is not None:
                ids = await cat.delivered_by(s, p.practice_id, ag, provider_id, ids)
                detail += f" provider={provider_id}"
            await accepted(s, p, now, "public.availability.slots", None, detail)
            return p, ag, ids, now

        p, ag, ids, now = await self._run(ctx, org_slug, "public.availability.slots", scope)
        return await free_slots(
            self.availability, p, ag, ids, now, start=start, end=end, limit=limit, provider_id=provider_id
        )

    async def move_slots(
        self, ctx: PublicContext, org_slug: str, booking_token: str, *, limit: int = 50
    ) -> list[PublicSlot]:
        """The free times a booking can be rescheduled to, through the agenda it was booked on: its
        service's, with its own provider where the agenda shows providers (a reschedule keeps the
        provider then), else with whoever the agenda would assign."""
        limit = max(1, min(limit, SLOTS_MAX))

        async def scope(
            s: AsyncSession, now: datetime, p: Principal, v: Values, d: Decided
        ) -> tuple[Principal, m.Agenda | None, m.Appointment, int | None, datetime]:
            row, _, ag = await lookup.by_token(s, p, now, tokens.BOOKING, booking_token, d)
            if S(row.status) not in CHANGEABLE:
                d.code = "invalid_state"
                raise Conflict(f"a {row.status} booking cannot be moved", field="bookingToken")
            provider = None if cat.hides_providers(ag) else row.provider_id
            detail = "services=1" + (f" provider={provider}" if provider else "")
            await accepted(s, p, now, "public.availability.slots", row.id, detail)
            return p, ag, row, provider, now

        p, ag, row, provider, now = await self._run(ctx, org_slug, "public.availability.slots", scope)
        assert row.service_id is not None  # public bookings always name their service
        found = await free_slots(
            self.availability,
            p,
            ag,
            [row.service_id],
            now,
            start=None,
            end=None,
            limit=limit + 1,
            provider_id=provider,
        )
        return [x for x in found if x.start != row.starts_at][:limit]

    async def get(self, ctx: PublicContext, org_slug: str, booking_token: str) -> PublicBookingView:
        async def body(
            s: AsyncSession, now: datetime, p: Principal, v: Values, d: Decided
        ) -> PublicBookingView:
            row, pub, ag = await lookup.by_token(s, p, now, tokens.BOOKING, booking_token, d)
            await accepted(s, p, now, "public.booking.get", row.id)
            return await cat.view(s, row, pub, ag)

        return await self._run(ctx, org_slug, "public.booking.get", body)

    # --- writing -------------------------------------------------------------------------------

    async def create(
        self, ctx: PublicContext, org_slug: str, req: PublicRequest, agenda_slug: str | None = None
    ) -> PublicCreated:
        """A pending_confirmation booking holding its slot for CONFIRM_MINUTES, and its tokens."""

        async def body(s: AsyncSession, now: datetime, p: Principal, v: Values, d: Decided) -> PublicCreated:
            if not req.human_intent:
                d.code = "no_human_intent"
                raise Invalid(
                    "authorization.humanIntentConfirmed must be true: the person asked for this booking",
                    field="authorization.humanIntentConfirmed",
                )
            who = await cat.identity(s, p.practice_id, req.identity)
            held = await repo.pending_for_contact(s, p.practice_id, who.email, who.phone, now)
            most = int(v["policies.publicMaxPendingPerContact"])
            if held >= most:
                d.code = "pending_limit"
                raise Declined(
                    f"this email or phone already has {held} unconfirmed bookings (at most {most}); "
                    "confirm or cancel one first",
                    field="requester",
                )
            ag = await cat.agenda(s, p.practice_id, agenda_slug)
            return await holds.book(self.appointments, s, now, p, ag, req, who, d, send=self._sendable(v))

        return await self._run(ctx, org_slug, "public.booking.create", body)

    async def confirm(
        self, ctx: PublicContext, org_slug: str, confirmation_token: str, *, field: str = "confirmationToken"
    ) -> PublicBookingView:
        """pending_confirmation -> scheduled, once, within CONFIRM_MINUTES. `field` is what the caller
        called the token (Servicialo's scheduling_confirm: credential)."""

        async def body(
            s: AsyncSession, now: datetime, p: Principal, v: Values, d: Decided
        ) -> PublicBookingView:
            tok = await lookup.token(s, p, tokens.CONFIRM, confirmation_token, d, field)
            if tok.expires_at is not None and tok.expires_at <= now:
                d.code = "token_expired"
                raise NotFound(NO_TOKEN, field=field)
            row, pub, ag = await lookup.booking(s, p, now, tok)
            if row.status != S.PENDING_CONFIRMATION.value:
                d.code = "token_expired" if row.cancel_reason == "hold_expired" else "token_invalid"
                raise NotFound(NO_TOKEN, field=field)
            await lifecycle.move(s, p, now, row, S.SCHEDULED)
            tok.used_at = now
            await accepted(s, p, now, "public.booking.confirm", row.id)
            return await cat.view(s, row, pub, ag)

        return await self._run(ctx, org_slug, "public.booking.confirm", body)

    async def cancel(
        self, ctx: PublicContext, org_slug: str, booking_token: str, reason: str | None = None
    ) -> PublicBookingView:
        """From pending_confirmation, scheduled or confirmed, under the agenda's cancellation policy
        (a late cancel is refused or records its penalty)."""

        async def body(
            s: AsyncSession, now: datetime, p: Principal, v: Values, d: Decided
        ) -> PublicBookingView:
            row, pub, ag = await lookup.by_token(s, p, now, tokens.BOOKING, booking_token, d)
            await holds.cancel(s, p, now, row, v, ag, d, reason or "cancelled by the client")
            await accepted(s, p, now, "public.booking.cancel", row.id)
            return await cat.view(s, row, pub, ag)

        return await self._run(ctx, org_slug, "public.booking.cancel", body)

    async def reschedule(
        self, ctx: PublicContext, org_slug: str, booking_token: str, starts_at: str
    ) -> PublicCreated:
        """The booking cancelled (under the policy) and a new pending_confirmation one at
        `starts_at` with new tokens; the two point at each other."""

        async def body(s: AsyncSession, now: datetime, p: Principal, v: Values, d: Decided) -> PublicCreated:
            row, pub, ag = await lookup.by_token(s, p, now, tokens.BOOKING, booking_token, d)
            await holds.cancel(s, p, now, row, v, ag, d, "rescheduled")
            await s.flush()
            assert row.service_id is not None  # public bookings always name their service
            req = PublicRequest(
                service_id=row.service_id,
                starts_at=starts_at,
                identity=Identity(pub.full_name, pub.email, pub.phone),
                channel=pub.channel,
                agent_assisted=pub.agent_assisted,
                human_intent=True,
                provider_id=None if cat.hides_providers(ag) else row.provider_id,
            )
            return await holds.book(
                self.appointments,
                s,
                now,
                p,
                ag,
                req,
                req.identity,
                d,
                previous=row,
                action="public.booking.reschedule",
                send=self._sendable(v),
            )

        return await self._run(ctx, org_slug, "public.booking.reschedule", body)

    # --- the sweep -------------------------------------------------------------------------------

    async def sweep(self) -> int:
        """Release every unconfirmed public booking (and hold) past its time, in every practice.
        Returns how many providers' calendars were swept."""

        async def body(s: AsyncSession, now: datetime) -> int:
            swept = 0
            for practice_id in await repo.practices_with_lapsed(s, now):
                for provider_id in await repo.lapsed_providers(s, practice_id, now):
                    await appt_repo.lock_providers(s, practice_id, [provider_id])
                    await appt_repo.expire_holds(s, practice_id, provider_id, now)
                    swept += 1
            return swept

        return await self.uc.run(body)

    async def sweeper(self, interval: float = 60.0) -> None:
        """Run until cancelled: sweep every `interval` seconds (the HTTP server's background chore)."""
        while True:
            try:
                await self.sweep()
            except FrontdeskError as exc:  # the database is away; try again next round
                log.warning("public booking sweep postponed: %s", exc.message)
            await asyncio.sleep(interval)
