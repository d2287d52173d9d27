"""Bookings as Coordinalo and MedCor see them: one booking with everything about it, keyset pages,
cancel under the practice's policy, reschedule (cancel and book again, linked both ways), and the
stats of providers and services over a range."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.errors import Conflict, Invalid, NotFound
from frontdesk.domain.scheduling.ranges import TimeRange
from frontdesk.domain.scheduling.status import FINAL_STATUSES, AppointmentStatus, parse_status
from frontdesk.domain.timeparse import parse_datetime
from frontdesk.services import audit, dto, mapping
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.booking import policy as booking_policy
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.directory import resolve_provider
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.scheduling import lifecycle
from frontdesk.services.scheduling.appointments import AppointmentService, BookingRequest
from frontdesk.services.scheduling.hours import open_ranges
from frontdesk.services.scheduling.waitlist import slot_freed
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import agendas as agenda_repo
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import bookings as repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import patients as patient_repo

S = AppointmentStatus
PAGE_MAX = 200
STATS_MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class BookingInfo:
    """An appointment with what the lifecycle, billing and provenance add to it."""

    appointment: dto.AppointmentInfo
    no_show_type: str | None
    rescheduled_from_id: int | None
    rescheduled_to_id: int | None
    provenance: str | None
    penalty_cents: int | None
    penalty_currency: str | None
    assigned_by: str | None
    price_cents: int | None
    currency: str | None
    created_at: datetime
    channel: str | None = None  # booked publicly (issue 13): how, and whether an agent helped
    agent_assisted: bool | None = None


@dataclass(frozen=True, slots=True)
class BookingPage:
    bookings: list[dto.AppointmentInfo]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class BookingQuery:
    provider_id: int | None = None
    patient_id: int | None = None
    service_id: int | None = None
    datebook_id: int | None = None
    statuses: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    cursor: str | None = None
    limit: int = 50
    newest_first: bool = False


@dataclass(frozen=True, slots=True)
class Rescheduled:
    cancelled: BookingInfo
    booked: BookingInfo


@dataclass(frozen=True, slots=True)
class Stats:
    key: int | None
    name: str | None
    sessions: int
    delivered: int
    no_shows: int
    cancelled: int
    no_show_rate: float
    busy_minutes: float
    open_minutes: float | None
    occupancy: float | None
    revenue_cents: int
    currency: str


def encode_cursor(at: datetime, appointment_id: int) -> str:
    return base64.urlsafe_b64encode(f"{int(at.timestamp())}:{appointment_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        ts, ident = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        return datetime.fromtimestamp(int(ts), UTC), int(ident)
    except (ValueError, UnicodeDecodeError, OverflowError):
        raise Invalid("cursor is not one a previous page returned", field="cursor") from None


class BookingService:
    def __init__(self, uc: UseCases, appointments: AppointmentService) -> None:
        self.uc = uc.scoped(read=(access.APPOINTMENTS_READ,), write=access.APPOINTMENTS_WRITE)
        self.appointments = appointments

    # --- reading -----------------------------------------------------------------------------

    async def get(self, p: Principal, appointment_id: int) -> BookingInfo:
        async def body(s: AsyncSession, now: datetime) -> BookingInfo:
            info = await self._info(s, p.practice_id, appointment_id)
            await audit.record(s, p, now, "appointment.read", "appointment", appointment_id)
            return info

        return await self.uc.read(p, "appointment.read", "appointment", appointment_id, body)

    async def _info(self, s: AsyncSession, practice_id: int, appointment_id: int) -> BookingInfo:
        await s.flush()
        named = await appt_repo.named(s, practice_id, appointment_id)
        row = await repo.extras(s, practice_id, appointment_id)
        if named is None or row is None:
            raise NotFound(f"no appointment with id {appointment_id}", field="appointment_id")
        service = await dir_repo.service(s, practice_id, row.service_id) if row.service_id else None
        pub = await agenda_repo.public_booking(s, practice_id, appointment_id)
        return BookingInfo(
            appointment=mapping.appointment(named),
            no_show_type=row.no_show_by,
            rescheduled_from_id=row.rescheduled_from_id,
            rescheduled_to_id=row.rescheduled_to_id,
            provenance=row.provenance,
            penalty_cents=row.penalty_cents,
            penalty_currency=row.penalty_currency,
            assigned_by=row.assigned_by,
            price_cents=service.price_cents if service else None,
            currency=service.currency if service else None,
            created_at=row.created_at,
            channel=pub.channel if pub else None,
            agent_assisted=pub.agent_assisted if pub else None,
        )

    async def titular(self, p: Principal, patient_id: int) -> int | None:
        """The client's titular provider, if any (NotFound for no such client)."""

        async def body(s: AsyncSession, now: datetime) -> int | None:
            if await patient_repo.get(s, p.practice_id, patient_id) is None:
                raise NotFound(f"no client with id {patient_id}", field="patient_id")
            return await repo.titular(s, p.practice_id, patient_id)

        return await self.uc.read(p, "patient.titular.read", "patient", patient_id, body)

    async def page(self, p: Principal, q: BookingQuery) -> BookingPage:
        """A page of bookings by (starts_at, id); `next_cursor` continues after its last one."""
        if not 1 <= q.limit <= PAGE_MAX:
            raise Invalid(f"limit must be from 1 to {PAGE_MAX}", field="limit")
        statuses = tuple(parse_status(x).value for x in q.statuses)
        after = decode_cursor(q.cursor) if q.cursor else None
        if after is not None and q.newest_first:
            raise Invalid("a cursor pages in time order, not newest first", field="cursor")

        async def body(s: AsyncSession, now: datetime) -> BookingPage:
            practice = await dir_repo.practice_by_id(s, p.practice_id)
            assert practice is not None
            tz = ZoneInfo(practice.timezone)
            lo = parse_datetime(q.start, tz, field="start") if q.start else None
            hi = parse_datetime(q.end, tz, field="end") if q.end else None
            if lo and hi and hi <= lo:
                raise Invalid("end must be after start", field="end")
            f = repo.PageFilter(
                q.provider_id, q.patient_id, q.service_id, q.datebook_id, statuses, lo, hi, q.newest_first
            )
            rows = await repo.page(s, p.practice_id, f, after=after, limit=q.limit + 1)
            items = [mapping.appointment(r) for r in rows[: q.limit]]
            more = len(rows) > q.limit
            cursor = encode_cursor(items[-1].starts_at, items[-1].id) if more and items else None
            await audit.record(s, p, now, "appointment.list", "appointment", None, detail=f"{len(items)}")
            return BookingPage(items, cursor)

        return await self.uc.read(p, "appointment.list", "appointment", None, body)

    # --- cancel and reschedule -----------------------------------------------------------------

    async def cancel(
        self,
        p: Principal,
        appointment_id: int,
        *,
        reason: str | None = None,
        consent: Consent = Consent.MISSING,
        idem: Idempotency | None = None,
    ) -> BookingInfo:
        """Cancel under policies.cancellation*: a late cancel records its penalty (type penalty) or
        is refused (type block)."""

        async def body(s: AsyncSession, now: datetime) -> BookingInfo:
            row = await self._row(s, p.practice_id, appointment_id)
            # A booking made through an agenda is cancelled under that agenda's policy.
            policy = await booking_policy.for_booking(s, p.practice_id, row.id)
            await lifecycle.move(s, p, now, row, S.CANCELLED, reason=reason, policy=policy)
            await s.flush()
            await slot_freed(s, p, row.provider_id, row.datebook_id, row.starts_at, row.ends_at, now)
            detail = f"penalty={row.penalty_cents} {row.penalty_currency}" if row.penalty_cents else None
            await audit.record(s, p, now, "appointment.cancel", "appointment", row.id, detail=detail)
            return await self._info(s, p.practice_id, row.id)

        return await self.uc.write(
            p,
            "appointment.cancel",
            "appointment",
            appointment_id,
            body,
            BookingInfo,
            idem,
            destroys="cancelling an appointment",
            consent=consent,
        )

    async def reschedule(
        self,
        p: Principal,
        appointment_id: int,
        starts_at: str,
        *,
        provider_id: int | None = None,
        reason: str | None = None,
        consent: Consent = Consent.MISSING,
        idem: Idempotency | None = None,
    ) -> Rescheduled:
        """Cancel the booking and book the same client, service and location again at `starts_at`
        (with the same provider unless another is named); the two point at each other."""

        async def body(s: AsyncSession, now: datetime) -> Rescheduled:
            old = await self._row(s, p.practice_id, appointment_id)
            if S(old.status) in FINAL_STATUSES:
                raise Conflict(f"a {old.status} booking cannot be rescheduled", field="appointment_id")
            # Cancelled first, so the new time may overlap the old one.
            await lifecycle.move(s, p, now, old, S.CANCELLED, reason="rescheduled")
            await s.flush()
            req = BookingRequest(
                provider_id=provider_id or old.provider_id,
                starts_at=starts_at,
                datebook_id=old.datebook_id,
                patient_id=old.patient_id,
                service_id=old.service_id,
                notes=old.notes,
            )
            _, new = await self.appointments.create_in(s, p, now, req)
            new.rescheduled_from_id, old.rescheduled_to_id = old.id, new.id
            await s.flush()
            # What the old time leaves free (beside the new booking) may suit someone on the waitlist.
            await slot_freed(s, p, old.provider_id, old.datebook_id, old.starts_at, old.ends_at, now)
            await audit.record(
                s, p, now, "appointment.reschedule", "appointment", old.id, detail=f"to={new.id}"
            )
            return Rescheduled(
                await self._info(s, p.practice_id, old.id), await self._info(s, p.practice_id, new.id)
            )

        return await self.uc.write(
            p,
            "appointment.reschedule",
            "appointment",
            appointment_id,
            body,
            Rescheduled,
            idem,
            destroys="rescheduling an appointment (the original is cancelled)",
            consent=consent,
        )

    async def _row(self, s: AsyncSession, practice_id: int, appointment_id: int) -> m.Appointment:
        row = await appt_repo.get(s, practice_id, appointment_id, lock=True)
        if row is None:
            raise NotFound(f"no appointment with id {appointment_id}", field="appointment_id")
        return row

    # --- stats ---------------------------------------------------------------------------------

    async def stats(
        self,
        p: Principal,
        *,
        by: str,
        start: str,
        end: str,
        provider_id: int | None = None,
        service_id: int | None = None,
    ) -> list[Stats]:
        """Per provider or per service over [start, end): sessions, delivered, no-shows (rate among
        sessions that reached their time: delivered + no-shows), minutes booked, occupancy (booked over
        working minutes; providers only), revenue (service price of each delivered session)."""

        async def body(s: AsyncSession, now: datetime) -> list[Stats]:
            practice = await dir_repo.practice_by_id(s, p.practice_id)
            assert practice is not None
            tz = ZoneInfo(practice.timezone)
            lo, hi = parse_datetime(start, tz, field="start"), parse_datetime(end, tz, field="end")
            if hi <= lo:
                raise Invalid("end must be after start", field="end")
            if hi - lo > timedelta(days=STATS_MAX_DAYS):
                raise Invalid(f"the range may span at most {STATS_MAX_DAYS} days", field="end")
            if provider_id is not None:
                await resolve_provider(s, p.practice_id, provider_id=provider_id, field="provider_id")
            if service_id is not None and await dir_repo.service(s, p.practice_id, service_id) is None:
                raise NotFound(f"no service with id {service_id}", field="service_id")
            rows = await repo.session_stats(
                s, p.practice_id, lo, hi, by=by, provider_id=provider_id, service_id=service_id
            )
            found: list[tuple[Any, ...]] = [tuple(r) for r in rows]
            if not found and (provider_id or service_id):  # a provider or service with no sessions
                found = [(provider_id or service_id, 0, 0, 0, 0, 0.0, 0, None)]
            v = await settings_values(s, p.practice_id)
            currency = str(v["basics.currency"])
            out = await self._shape(s, p.practice_id, found, by, TimeRange(lo, hi), currency)
            await audit.record(s, p, now, f"stats.{by}", by, provider_id or service_id, detail=f"{len(out)}")
            return out

        return await self.uc.read(p, f"stats.{by}", by, provider_id or service_id, body)

    async def _shape(
        self,
        s: AsyncSession,
        practice_id: int,
        found: list[tuple[Any, ...]],
        by: str,
        window: TimeRange,
        currency: str,
    ) -> list[Stats]:
        names: dict[int, str]
        open_minutes: dict[int, float] = {}
        if by == "provider":
            provs = list(await dir_repo.providers(s, practice_id, active_only=False))
            names = {pr.id: pr.name for pr in provs}
            books = {b.id: b for b in await dir_repo.datebooks(s, practice_id)}
            # Working minutes only of the providers reported: a year of one provider's hours, not
            # the whole practice's (10 providers x 365 days was most of provider_get_stats' time).
            wanted = [key for key, *_ in found if key in names]
            opened = await open_ranges(s, practice_id, wanted, books, window) if wanted else {}
            for (pid, _), ranges in opened.items():
                mins = sum((r.end - r.start) / timedelta(minutes=1) for r in ranges)
                open_minutes[pid] = open_minutes.get(pid, 0.0) + mins
        else:
            names = {sv.id: sv.name for sv in await dir_repo.services(s, practice_id, active_only=False)}
        out = []
        for key, sessions, delivered, no_shows, cancelled, busy, revenue, cur in found:
            reached = int(delivered or 0) + int(no_shows or 0)
            opened_min = open_minutes.get(key) if by == "provider" else None
            busy_f = round(float(busy or 0), 1)
            out.append(
                Stats(
                    key=key,
                    name=names.get(key) if key is not None else None,
                    sessions=int(sessions),
                    delivered=int(delivered or 0),
                    no_shows=int(no_shows or 0),
                    cancelled=int(cancelled or 0),
                    no_show_rate=round(int(no_shows or 0) / reached, 4) if reached else 0.0,
                    busy_minutes=busy_f,
                    open_minutes=round(opened_min, 1) if opened_min is not None else None,
                    occupancy=round(busy_f / opened_min, 4) if opened_min else None,
                    revenue_cents=int(revenue or 0),
                    currency=cur or currency,
                )
            )
        return out
