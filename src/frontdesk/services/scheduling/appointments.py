"""Booking, hold-then-confirm, rescheduling and listing. The no-double-booking rule lives here
(check inside a serialised transaction) and in PostgreSQL's exclusion constraint (the backstop)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access, validation
from frontdesk.domain.errors import Conflict, Invalid, NotFound
from frontdesk.domain.scheduling.status import (
    FINAL_STATUSES,
    Action,
    AppointmentStatus,
    next_state,
)
from frontdesk.domain.settings import Values
from frontdesk.domain.timeparse import parse_datetime
from frontdesk.services import audit, dto, mapping
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.directory import resolve_datebook, resolve_provider
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.patients import resolve_or_create
from frontdesk.services.scheduling import lifecycle, placement
from frontdesk.services.scheduling.catalogue import require_bookable
from frontdesk.services.scheduling.waitlist import slot_freed
from frontdesk.services.settings import Settings
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import appointments as repo
from frontdesk.storage.repositories import directory as dir_repo

S = AppointmentStatus
READ = (access.APPOINTMENTS_READ,)
WRITE = access.APPOINTMENTS_WRITE


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """A booking. No provider: one is assigned (services/scheduling/assign.py). `any_datebook`: no
    location named, so any location where someone can take it. `retroactive` records a past session
    (no slot check, completed, self_declared); `infer_retroactive` treats a past time as one."""

    provider_id: int | None
    starts_at: str | datetime
    datebook_id: int | None = None
    datebook_name: str | None = None
    ends_at: str | datetime | None = None
    patient_id: int | None = None
    patient_name: str | None = None
    patient_phone: str | None = None
    service_id: int | None = None
    notes: str | None = None
    allow_overlap: bool = False
    hold: bool = False
    reuse_patient_by_phone: bool = False
    any_datebook: bool = False
    retroactive: bool = False
    infer_retroactive: bool = False
    override_no_show_block: bool = False
    idempotency: Idempotency | None = None
    # The public flow: a booking that waits for confirmation (pending_confirmation) until
    # `expires_at`, assigned by its agenda's strategy.
    pending_until: datetime | None = None
    strategy: str | None = None


@dataclass(frozen=True, slots=True)
class AppointmentChange:
    appointment_id: int
    provider_id: int | None = None
    starts_at: str | None = None
    ends_at: str | None = None
    notes: str | None = None
    status: str | None = None
    allow_overlap: bool = False
    idempotency: Idempotency | None = None


def _when(value: str | datetime, tz: ZoneInfo, field: str) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise Invalid(f"{field} must carry a time zone", field=field)
        return value.astimezone(UTC)
    return parse_datetime(value, tz, field=field)


class AppointmentService:
    def __init__(self, uc: UseCases, settings: Settings) -> None:
        self.uc = uc.scoped(read=READ, write=WRITE)
        self.settings = settings

    # --- reading -------------------------------------------------------------------------

    async def in_range(
        self,
        p: Principal,
        *,
        start: str,
        end: str,
        datebook_id: int | None = None,
        datebook_name: str | None = None,
        provider_id: int | None = None,
    ) -> tuple[list[dto.AppointmentInfo], bool]:
        """Appointments touching [start, end) in one datebook, and whether the list was cut at the limit."""
        limit = self.settings.max_results

        # Names of patients are patient data: the read is audited.
        async def body(s: AsyncSession, now: datetime) -> tuple[list[dto.AppointmentInfo], bool]:
            book = await resolve_datebook(s, p.practice_id, datebook_id, datebook_name)
            tz = ZoneInfo(book.timezone)
            lo = parse_datetime(start, tz, field="start")
            hi = parse_datetime(end, tz, field="end")
            self._check_range(lo, hi)
            rows = await repo.in_range(
                s,
                p.practice_id,
                lo,
                hi,
                now=now,
                datebook_id=book.id,
                provider_id=provider_id,
                limit=limit + 1,
            )
            infos = [mapping.appointment(r) for r in rows[:limit]]
            detail = f"{len(infos)} appointments"
            await audit.record(s, p, now, "appointment.list", "datebook", book.id, detail=detail)
            return infos, len(rows) > limit

        return await self.uc.read(p, "appointment.list", "datebook", datebook_id, body)

    async def get(self, p: Principal, appointment_id: int) -> dto.AppointmentInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.AppointmentInfo:
            row = await self._get(s, p.practice_id, appointment_id)
            await audit.record(s, p, now, "appointment.read", "appointment", row.id)
            return await self._info(s, p.practice_id, row)

        return await self.uc.read(p, "appointment.read", "appointment", appointment_id, body)

    def _check_range(self, lo: datetime, hi: datetime) -> None:
        if hi <= lo:
            raise Invalid("end must be after start", field="end")
        if hi - lo > timedelta(days=self.settings.max_range_days):
            raise Invalid(f"the range may span at most {self.settings.max_range_days} days", field="end")

    # --- booking -------------------------------------------------------------------------

    async def book(self, p: Principal, req: BookingRequest) -> dto.AppointmentInfo:
        """Create an appointment (or a hold) if the time is inside working hours and free; with no
        provider named, the practice's strategy assigns a free one who can do it."""
        action = "appointment.hold" if req.hold else "appointment.create"

        async def body(s: AsyncSession, now: datetime) -> dto.AppointmentInfo:
            return (await self.create_in(s, p, now, req))[0]

        return await self.uc.write(p, action, "appointment", None, body, dto.AppointmentInfo, req.idempotency)

    async def create_in(
        self, s: AsyncSession, p: Principal, now: datetime, req: BookingRequest
    ) -> tuple[dto.AppointmentInfo, m.Appointment]:
        """The booking inside the caller's transaction (a reschedule books its new time there too)."""
        action = "appointment.hold" if req.hold else "appointment.create"
        notes = validation.notes(req.notes)
        v = await settings_values(s, p.practice_id)
        if req.strategy:
            v = Values({**v.stored, "availability.assignmentStrategy": req.strategy})
        books = await self._books(s, p.practice_id, req)
        provider = None
        if req.provider_id is not None:
            provider = await resolve_provider(s, p.practice_id, provider_id=req.provider_id)
        service = await self._service(s, p.practice_id, req.service_id)
        when = {b.id: self._times(req, b, service) for b in books}
        retro = req.retroactive or (
            req.infer_retroactive and not req.hold and all(t[0] < now for t in when.values())
        )
        patient = await resolve_or_create(
            s,
            p,
            now,
            patient_id=req.patient_id,
            patient_name=req.patient_name,
            phone=req.patient_phone,
            reuse_by_phone=req.reuse_patient_by_phone,
        )
        book, provider, start, end, status, how, details = await placement.decide(
            s, p, now, req, v, books, provider, service, patient.id, when, retro
        )
        await require_bookable(s, p.practice_id, service, provider.id)
        row = m.Appointment(
            practice_id=p.practice_id,
            datebook_id=book.id,
            provider_id=provider.id,
            patient_id=patient.id,
            service_id=service.id if service else None,
            starts_at=start,
            ends_at=end,
            status=status.value,
            notes=notes,
            hold_expires_at=now + timedelta(minutes=self.settings.hold_minutes)
            if req.hold
            else req.pending_until,
            # A retroactive session records what happened: it is not held against other bookings.
            allow_overlap=req.allow_overlap or retro,
            provenance="self_declared" if retro else None,
            assigned_by=how,
            created_by=p.actor[:120],
            created_at=now,
            updated_at=now,
        )
        s.add(row)
        await lifecycle.created(s, p, now, row, reason="retroactive" if retro else how)
        if req.allow_overlap:
            details.append("allow_overlap")
        if how:
            details.append(f"assigned_by={how}")
        detail = ",".join(details) or None
        await audit.record(s, p, now, action, "appointment", row.id, detail=detail)
        # Everything the answer names is in hand: no need to read the row back with its names.
        return mapping.booked(row, book, provider, patient, service), row

    async def _books(self, s: AsyncSession, practice_id: int, req: BookingRequest) -> list[m.Datebook]:
        if req.any_datebook and req.datebook_id is None and not req.datebook_name:
            books = list(await dir_repo.datebooks(s, practice_id))
            if not books:
                raise NotFound("this practice has no location yet", field="datebook_id")
            return books
        return [await resolve_datebook(s, practice_id, req.datebook_id, req.datebook_name)]

    def _times(
        self, req: BookingRequest, book: m.Datebook, service: m.Service | None
    ) -> tuple[datetime, datetime]:
        tz = ZoneInfo(book.timezone)
        start = _when(req.starts_at, tz, "starts_at")
        if req.ends_at is not None and req.ends_at != "":
            end = _when(req.ends_at, tz, "ends_at")
        else:
            minutes = service.duration_minutes if service else self.settings.default_duration_minutes
            end = start + timedelta(minutes=minutes)
        self._check_span(start, end)
        return start, end

    async def confirm(
        self, p: Principal, appointment_id: int, idempotency: Idempotency | None = None
    ) -> dto.AppointmentInfo:
        """A hold becomes a booking (scheduled); a scheduled appointment becomes confirmed."""

        async def body(s: AsyncSession, now: datetime) -> dto.AppointmentInfo:
            row = await self._get(s, p.practice_id, appointment_id, lock=True)
            current = S(row.status)
            if current == S.HELD:
                if row.hold_expires_at is not None and row.hold_expires_at <= now:
                    raise Conflict(
                        "this hold expired and the time was released; find a new slot and hold it again",
                        field="appointment_id",
                    )
                await lifecycle.move(s, p, now, row, S.SCHEDULED)
            else:
                await lifecycle.move(s, p, now, row, next_state(current, Action.CONFIRM))
            await audit.record(s, p, now, "appointment.confirm", "appointment", row.id)
            return await self._info(s, p.practice_id, row)

        return await self.uc.write(
            p, "appointment.confirm", "appointment", appointment_id, body, dto.AppointmentInfo, idempotency
        )

    async def question(self, p: Principal, change: AppointmentChange) -> str | None:
        """What to ask the person before `change` (None: nothing destructive in it). Cancelling is."""
        if change.status != S.CANCELLED.value:
            return None
        a = await self.get(p, change.appointment_id)
        return f"Cancel the appointment of {a.patient_name} with {a.provider_name} on {_spoken(a)}?"

    async def update(
        self, p: Principal, change: AppointmentChange, consent: Consent = Consent.MISSING
    ) -> dto.AppointmentInfo:
        """Reschedule, reassign, change notes or status; time changes are re-checked like a new booking.
        Cancelling needs the person's consent."""
        cancels = change.status == S.CANCELLED.value

        async def body(s: AsyncSession, now: datetime) -> dto.AppointmentInfo:
            notes = validation.notes(change.notes) if change.notes is not None else None
            row = await self._get(s, p.practice_id, change.appointment_id, lock=True)
            current = S(row.status)
            if current == S.HELD and row.hold_expires_at is not None and row.hold_expires_at <= now:
                raise Conflict("this hold expired; find a new slot", field="appointment_id")
            book = await dir_repo.datebook(s, p.practice_id, row.datebook_id)
            assert book is not None  # composite foreign key
            tz = ZoneInfo(book.timezone)
            moves = change.provider_id is not None or change.starts_at or change.ends_at
            freed = (row.provider_id, row.datebook_id, row.starts_at, row.ends_at)
            if moves:
                if current in FINAL_STATUSES:
                    raise Conflict(f"a {current.value} appointment cannot be moved", field="appointment_id")
                provider_id = change.provider_id if change.provider_id is not None else row.provider_id
                provider = await resolve_provider(s, p.practice_id, provider_id=provider_id)
                start = _when(change.starts_at, tz, "starts_at") if change.starts_at else row.starts_at
                if change.ends_at:
                    end = _when(change.ends_at, tz, "ends_at")
                else:
                    end = start + (row.ends_at - row.starts_at)
                self._check_span(start, end)
                await placement.check_hours(s, p.practice_id, provider, book, start, end)
                await repo.lock_providers(s, p.practice_id, [provider.id, row.provider_id])
                await repo.expire_holds(s, p.practice_id, provider.id, now)
                await placement.check_free(
                    s, p.practice_id, provider, start, end, now, change.allow_overlap, tz, exclude_id=row.id
                )
                row.provider_id, row.starts_at, row.ends_at = provider.id, start, end
                row.allow_overlap = change.allow_overlap
            if notes is not None or (change.notes is not None and change.notes.strip() == ""):
                row.notes = notes
            if change.status is not None:
                target = self._status(change.status)
                if current == S.HELD and target == S.CONFIRMED:  # a hold confirmed: booked, then confirmed
                    await lifecycle.move(s, p, now, row, S.SCHEDULED)
                policy = await settings_values(s, p.practice_id) if target == S.CANCELLED else None
                await lifecycle.move(s, p, now, row, target, policy=policy)
            row.updated_at = now
            # Flush now so a database-level overlap refusal surfaces inside this transaction.
            await s.flush()
            if cancels or moves:  # the time it held may suit someone on the waitlist
                await slot_freed(s, p, *freed, now)
            await audit.record(
                s, p, now, "appointment.update", "appointment", row.id, detail=_summary(change)
            )
            return await self._info(s, p.practice_id, row)

        return await self.uc.write(
            p,
            "appointment.update",
            "appointment",
            change.appointment_id,
            body,
            dto.AppointmentInfo,
            change.idempotency,
            destroys="cancelling an appointment" if cancels else None,
            consent=consent,
        )

    # --- rules -----------------------------------------------------------------------------

    def _check_span(self, start: datetime, end: datetime) -> None:
        if end <= start:
            raise Invalid("ends_at must be after starts_at", field="ends_at")
        if end - start > timedelta(hours=self.settings.max_appointment_hours):
            raise Invalid(
                f"an appointment may last at most {self.settings.max_appointment_hours} hours",
                field="ends_at",
            )

    @staticmethod
    def _status(value: str) -> AppointmentStatus:
        try:
            return S(value)
        except ValueError:
            allowed = ", ".join(x.value for x in S)
            raise Invalid(f"status must be one of: {allowed}", field="status") from None

    async def _service(self, s: AsyncSession, practice_id: int, service_id: int | None) -> m.Service | None:
        if service_id is None:
            return None
        row = await dir_repo.service(s, practice_id, service_id)
        if row is None or not row.active:
            raise NotFound(f"no active service with id {service_id}; call list_services", field="service_id")
        return row

    async def _get(
        self, s: AsyncSession, practice_id: int, appointment_id: int, *, lock: bool = False
    ) -> m.Appointment:
        row = await repo.get(s, practice_id, appointment_id, lock=lock)
        if row is None:
            raise NotFound(
                f"no appointment with id {appointment_id}; call list_appointments", field="appointment_id"
            )
        return row

    async def _info(self, s: AsyncSession, practice_id: int, row: m.Appointment) -> dto.AppointmentInfo:
        """The appointment as callers see it, read back with its names once the change is flushed."""
        await s.flush()
        named = await repo.named(s, practice_id, row.id)
        assert named is not None  # written or read in this very transaction
        return mapping.appointment(named)


def _spoken(a: dto.AppointmentInfo) -> str:
    start = a.starts_at.astimezone(ZoneInfo(a.timezone))
    return f"{start:%A %d %B %Y at %H:%M} ({a.datebook_name})"


def _summary(change: AppointmentChange) -> str:
    parts = [
        name
        for name, value in (
            ("provider", change.provider_id),
            ("starts_at", change.starts_at),
            ("ends_at", change.ends_at),
            ("notes", change.notes),
            ("status", change.status),
        )
        if value is not None
    ]
    if change.allow_overlap:
        parts.append("allow_overlap")
    return ",".join(parts)
