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
practice-scoped principal `public:<ip>` with the one scope public:book (no staff scope)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.booking.agendas import check_advance
from frontdesk.domain.errors import Conflict, Declined, FrontdeskError, Invalid, NotFound
from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.domain.settings import Values
from frontdesk.services import audit
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.booking import catalogue as cat
from frontdesk.services.booking import lookup, tokens
from frontdesk.services.booking.agendas import DEFAULTS
from frontdesk.services.booking.limits import PublicLimiter
from frontdesk.services.booking.lookup import NO_TOKEN, Decided
from frontdesk.services.booking.policy import overlay
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
from frontdesk.services.scheduling.appointments import AppointmentService, BookingRequest
from frontdesk.services.scheduling.availability import AvailabilityService
from frontdesk.services.scheduling.waitlist import slot_freed
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import agendas as repo
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import directory as dir_repo

log = logging.getLogger(__name__)
S = AppointmentStatus
T = TypeVar("T")
CONFIRM_MINUTES = 30
CHANGEABLE = frozenset({S.PENDING_CONFIRMATION, S.SCHEDULED, S.CONFIRMED})
SLOTS_MAX = 100
_IDENTITY = ("requester.fullName", "requester.email", "requester.phone")


def _decision(exc: FrontdeskError) -> str:
    if "decision" in exc.details:
        return str(exc.details["decision"])
    if isinstance(exc, Invalid) and exc.field in _IDENTITY:
        return "invalid_identity"
    if isinstance(exc, Conflict) and exc.field in ("starts_at", "scheduledAt"):
        return "slot_taken"
    return {"invalid": "invalid", "not_found": "not_found", "conflict": "conflict"}.get(exc.code, exc.code)


Body = Callable[[AsyncSession, datetime, Principal, Values, Decided], Awaitable[T]]


class PublicBookingService:
    def __init__(
        self,
        uc: UseCases,
        appointments: AppointmentService,
        availability: AvailabilityService,
        limiter: PublicLimiter | None = None,
    ) -> None:
        self.uc = uc
        self.appointments = appointments
        self.availability = availability
        self.limiter = limiter or PublicLimiter()

    # --- the skeleton every public request goes through -----------------------------------------

    async def _enter(self, ctx: PublicContext, org_slug: str, action: str) -> tuple[Principal, Values]:
        async with self.uc.db.read() as s:
            practice = await dir_repo.practice_by_slug(s, org_slug.strip().lower())
            if practice is None:
                raise NotFound("no practice with this orgSlug", field="orgSlug")
            v = await settings_values(s, practice.id)
        p = Principal(practice.id, f"public:{ctx.ip}"[:120], frozenset({access.PUBLIC_BOOKING}))
        retry = await self.limiter.hit(
            practice.id,
            ctx.ip,
            int(v["policies.publicRequestsPerMinuteIp"]),
            int(v["policies.publicRequestsPerMinutePractice"]),
        )
        if retry:
            exc = Declined(
                f"too many booking requests; try again in {retry} seconds",
                details={"decision": "rate_limited", "retryAfterSeconds": retry},
            )
            await self._refused(p, action, ctx, exc, "rate_limited")
            raise exc
        return p, v

    async def _run(self, ctx: PublicContext, org_slug: str, action: str, body: Body[T]) -> T:
        p, v = await self._enter(ctx, org_slug, action)
        p.require(access.PUBLIC_BOOKING)
        decided = Decided()
        try:
            return await self.uc.run(lambda s, now: body(s, now, p, v, decided))
        except FrontdeskError as exc:
            # The decision goes to the audit trail only: a caller must not tell an expired token
            # from a wrong one.
            await self._refused(p, action, ctx, exc, decided.code or _decision(exc))
            raise

    async def _refused(
        self, p: Principal, action: str, ctx: PublicContext, exc: FrontdeskError, code: str
    ) -> None:
        async def body(s: AsyncSession, now: datetime) -> None:
            detail = f"decision={code} via={ctx.via}" + (f" field={exc.field}" if exc.field else "")
            await audit.record(s, p, now, action, "public_booking", None, outcome=code, detail=detail)

        try:
            await self.uc.run(body)
        except FrontdeskError:  # the refusal stands even if its record cannot be written
            pass

    @staticmethod
    async def _accepted(
        s: AsyncSession, p: Principal, now: datetime, action: str, record_id: object, detail: str = ""
    ) -> None:
        text = "decision=accepted" + (f" {detail}" if detail else "")
        await audit.record(s, p, now, action, "appointment", record_id, outcome="accepted", detail=text)

    # --- reading -------------------------------------------------------------------------------

    async def services(
        self, ctx: PublicContext, org_slug: str, agenda_slug: str | None = None
    ) -> list[PublicService]:
        async def body(
            s: AsyncSession, now: datetime, p: Principal, v: Values, d: Decided
        ) -> list[PublicService]:
            ag = await cat.agenda(s, p.practice_id, agenda_slug)
            rows = await cat.services(s, p.practice_id, ag)
            await self._accepted(s, p, now, "public.service.list", None, f"count={len(rows)}")
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
        start: str | None = None,
        end: str | None = None,
        limit: int = 50,
    ) -> list[PublicSlot]:
        """Free times of the bookable services (or the one asked for) within the agenda's booking
        policy, earliest first."""
        limit = max(1, min(limit, SLOTS_MAX))

        async def scope(
            s: AsyncSession, now: datetime, p: Principal, v: Values, d: Decided
        ) -> tuple[Principal, m.Agenda | None, list[int], datetime]:
            ag = await cat.agenda(s, p.practice_id, agenda_slug)
            if service_id is not None:
                ids = [(await cat.service(s, p.practice_id, ag, service_id)).id]
            else:
                ids = [r.id for r in await cat.services(s, p.practice_id, ag)]
            await self._accepted(s, p, now, "public.availability.slots", None, f"services={len(ids)}")
            return p, ag, ids, now

        p, ag, ids, now = await self._run(ctx, org_slug, "public.availability.slots", scope)
        # The slot search reads only working hours and busy times, never patient data.
        reader = replace(p, scopes=frozenset({access.APPOINTMENTS_READ}))
        pol = _booking_policy(ag)
        found: list[PublicSlot] = []
        hide = cat.hides_providers(ag)
        for sid in ids:
            rows = await self.availability.find(
                reader,
                start=start,
                end=end,
                provider_id=ag.provider_id if ag is not None else None,
                service_id=sid,
                limit=limit,
            )
            for x in rows:
                tz = ZoneInfo(x.timezone)
                try:
                    check_advance(x.starts_at, now, tz, **pol)
                except Invalid:
                    continue
                found.append(
                    PublicSlot(
                        x.starts_at,
                        x.ends_at,
                        x.timezone,
                        sid,
                        x.datebook_name,
                        None if hide else x.provider_id,
                        None if hide else x.provider_name,
                    )
                )
        found.sort(key=lambda x: (x.start, x.service_id or 0))
        if hide:  # the same time offered by two providers is one public slot
            seen: set[tuple[datetime, int | None, str]] = set()
            found = [
                x
                for x in found
                if (k := (x.start, x.service_id, x.location_name)) not in seen and not seen.add(k)  # type: ignore[func-returns-value]
            ]
        return found[:limit]

    async def get(self, ctx: PublicContext, org_slug: str, booking_token: str) -> PublicBookingView:
        async def body(
            s: AsyncSession, now: datetime, p: Principal, v: Values, d: Decided
        ) -> PublicBookingView:
            row, pub, ag = await lookup.by_token(s, p, now, tokens.BOOKING, booking_token, d)
            await self._accepted(s, p, now, "public.booking.get", row.id)
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
            created = await self._book(s, now, p, ag, req, who, d)
            return created

        return await self._run(ctx, org_slug, "public.booking.create", body)

    async def _book(
        self,
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
    ) -> PublicCreated:
        svc = await cat.service(s, p.practice_id, ag, req.service_id)
        provider_id = await cat.provider_for(s, p.practice_id, ag, svc, req.provider_id)
        patient = await cat.patient(s, p, now, who)
        booker = replace(p, client="public-agent") if req.agent_assisted else p  # method agent
        until = now + timedelta(minutes=CONFIRM_MINUTES)
        breq = BookingRequest(
            provider_id=provider_id,
            starts_at=req.starts_at,
            patient_id=patient.id,
            service_id=svc.id,
            any_datebook=True,
            pending_until=until,
            strategy=ag.assignment_strategy
            if ag is not None and ag.assignment_strategy != "manual"
            else None,
        )
        _, row = await self.appointments.create_in(s, booker, now, breq)
        book = await dir_repo.datebook(s, p.practice_id, row.datebook_id)
        assert book is not None  # composite foreign key
        try:
            check_advance(row.starts_at, now, ZoneInfo(book.timezone), **_booking_policy(ag))
        except Invalid:
            d.code = "policy_advance"
            raise
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
        if previous is not None:
            row.rescheduled_from_id, previous.rescheduled_to_id = previous.id, row.id
        detail = f"channel={req.channel} agent={req.agent_assisted}"
        if previous is not None:
            detail += f" from={previous.id}"
        await self._accepted(s, p, now, action, row.id, detail)
        return PublicCreated(await cat.view(s, row, pub, ag), confirm, booking, until)

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
            await self._accepted(s, p, now, "public.booking.confirm", row.id)
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
            await self._cancel(s, p, now, row, v, ag, d, reason or "cancelled by the client")
            await self._accepted(s, p, now, "public.booking.cancel", row.id)
            return await cat.view(s, row, pub, ag)

        return await self._run(ctx, org_slug, "public.booking.cancel", body)

    async def reschedule(
        self, ctx: PublicContext, org_slug: str, booking_token: str, starts_at: str
    ) -> PublicCreated:
        """The booking cancelled (under the policy) and a new pending_confirmation one at
        `starts_at` with new tokens; the two point at each other."""

        async def body(s: AsyncSession, now: datetime, p: Principal, v: Values, d: Decided) -> PublicCreated:
            row, pub, ag = await lookup.by_token(s, p, now, tokens.BOOKING, booking_token, d)
            await self._cancel(s, p, now, row, v, ag, d, "rescheduled")
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
            return await self._book(
                s, now, p, ag, req, req.identity, d, previous=row, action="public.booking.reschedule"
            )

        return await self._run(ctx, org_slug, "public.booking.reschedule", body)

    async def _cancel(
        self,
        s: AsyncSession,
        p: Principal,
        now: datetime,
        row: m.Appointment,
        v: Values,
        ag: m.Agenda | None,
        d: Decided,
        reason: str,
    ) -> None:
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


def _booking_policy(ag: m.Agenda | None) -> dict[str, Any]:
    src: Any = ag if ag is not None else None
    keys = ("min_advance_minutes", "max_advance_days", "same_day", "on_demand")
    return {k: getattr(src, k) if src is not None else DEFAULTS[k] for k in keys}
