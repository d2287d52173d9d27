"""Recurring series: one rule expanded in the datebook's local time, each occurrence checked with the
booking rules (series_rules), booked all or nothing or only the free ones, in one transaction under
the provider's lock; cancelled one, this and following, or all (with the person's consent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access, validation
from frontdesk.domain.errors import Conflict, Invalid, NotFound
from frontdesk.domain.scheduling.status import FINAL_STATUSES, AppointmentStatus
from frontdesk.domain.timeparse import parse_datetime, to_local_iso
from frontdesk.services import audit
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.directory import resolve_datebook, resolve_provider
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.scheduling import lifecycle, recurrence
from frontdesk.services.scheduling import waitlist as waitlist_engine
from frontdesk.services.scheduling.catalogue import require_bookable
from frontdesk.services.scheduling.series_rules import Checked, check_all
from frontdesk.services.scheduling.series_shapes import OccurrenceOut, SeriesCancelOut, SeriesOut
from frontdesk.services.settings import Settings
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories import series as repo

S = AppointmentStatus
OnConflict = Literal["skip", "none"]
Scope = Literal["one", "following", "all"]


@dataclass(frozen=True, slots=True)
class SeriesRequest:
    patient_id: int
    provider_id: int
    starts_at: str
    service_id: int | None = None
    datebook_id: int | None = None
    frequency: str | None = None
    rrule: str | None = None
    interval: int | None = None
    count: int | None = None
    until: str | None = None
    on_conflict: OnConflict = "none"
    notes: str | None = None
    idempotency: Idempotency | None = None


@dataclass(frozen=True, slots=True)
class SeriesCancel:
    series_id: int
    scope: Scope
    appointment_id: int | None = None
    idempotency: Idempotency | None = None


class SeriesService:
    def __init__(self, uc: UseCases, settings: Settings) -> None:
        self.uc = uc.scoped(read=(access.APPOINTMENTS_READ,), write=access.APPOINTMENTS_WRITE)
        self.settings = settings

    async def create(self, p: Principal, req: SeriesRequest) -> SeriesOut:
        """Book every occurrence, or (on_conflict skip) the free ones; with on_conflict none, one
        conflict books nothing and the refusal lists every occurrence's conflict."""

        async def body(s: AsyncSession, now: datetime) -> SeriesOut:
            notes = validation.notes(req.notes)
            provider = await resolve_provider(
                s, p.practice_id, provider_id=req.provider_id, field="doctor_id"
            )
            book = await self._datebook(s, p.practice_id, req.datebook_id, provider)
            tz = ZoneInfo(book.timezone)
            service = await self._service(s, p.practice_id, req.service_id)
            await require_bookable(s, p.practice_id, service, provider.id)
            if await patient_repo.get(s, p.practice_id, req.patient_id) is None:
                raise NotFound(f"no client with id {req.patient_id}; call find_patients", field="patient_id")
            first = parse_datetime(req.starts_at, tz, field="starts_at")
            rule, occurrences = recurrence.expand(
                first,
                tz,
                frequency=req.frequency,
                rule=req.rrule,
                interval=req.interval,
                count=req.count,
                until=req.until,
            )
            minutes = service.duration_minutes if service else self.settings.default_duration_minutes
            await appt_repo.lock_providers(s, p.practice_id, [provider.id])
            await appt_repo.expire_holds(s, p.practice_id, provider.id, now)
            checked = await check_all(s, p.practice_id, provider, book, occurrences, minutes, now)
            conflicts = [c for c in checked if c.reason is not None]
            if conflicts and req.on_conflict == "none":
                raise _refusal(conflicts, len(checked), tz, "nothing was booked")
            if len(conflicts) == len(checked):
                raise _refusal(conflicts, len(checked), tz, "no occurrence is free")
            series = m.AppointmentSeries(
                practice_id=p.practice_id,
                patient_id=req.patient_id,
                provider_id=provider.id,
                datebook_id=book.id,
                service_id=service.id if service else None,
                rule=rule,
                starts_at=first,
                duration_minutes=minutes,
                status="active",
                created_by=p.actor[:120],
                created_at=now,
            )
            s.add(series)
            await s.flush()
            booked: dict[int, int] = {}
            for c in checked:
                if c.reason is None and c.slot is not None:
                    booked[c.occurrence.position] = await self._book(s, p, now, series, c, notes)
            detail = f"{len(booked)} booked, {len(conflicts)} conflicts; {rule}"
            await audit.record(s, p, now, "series.create", "series", series.id, detail=detail)
            return _out(series, book, [_from_check(c, tz, booked) for c in checked])

        return await self.uc.write(p, "series.create", "series", None, body, SeriesOut, req.idempotency)

    async def get(self, p: Principal, series_id: int) -> SeriesOut:
        async def body(s: AsyncSession, now: datetime) -> SeriesOut:
            series, book, rows = await self._load(s, p.practice_id, series_id)
            await audit.record(s, p, now, "series.read", "series", series.id)
            return _out(series, book, _stored(rows, ZoneInfo(book.timezone)))

        return await self.uc.read(p, "series.read", "series", series_id, body)

    async def question(self, p: Principal, req: SeriesCancel) -> str:
        """What to ask the person before cancelling."""

        async def body(s: AsyncSession, now: datetime) -> str:
            series, book, rows = await self._load(s, p.practice_id, req.series_id)
            targets = _targets(rows, req, now)
            patient = await patient_repo.get(s, p.practice_id, series.patient_id)
            provider = await dir_repo.provider(s, p.practice_id, series.provider_id)
            who = f"{patient.first_name} {patient.last_name}" if patient else "the client"
            with_ = provider.name if provider else "the provider"
            if not targets:
                return f"Cancel the series of {who} with {with_}? (nothing is left to cancel)"
            first = targets[0][1].starts_at.astimezone(ZoneInfo(book.timezone))
            return (
                f"Cancel {len(targets)} appointment(s) of the series of {who} with {with_}, "
                f"from {first:%A %d %B %Y at %H:%M}?"
            )

        return await self.uc.read(p, "series.read", "series", req.series_id, body)

    async def cancel(
        self, p: Principal, req: SeriesCancel, consent: Consent = Consent.MISSING
    ) -> SeriesCancelOut:
        """Cancel one occurrence, it and the following ones, or all that have not begun yet; each freed
        time goes to the waitlist."""
        if req.scope in ("one", "following") and req.appointment_id is None:
            raise Invalid(f"appointment_id is required for scope {req.scope}", field="appointment_id")

        async def body(s: AsyncSession, now: datetime) -> SeriesCancelOut:
            series, book, rows = await self._load(s, p.practice_id, req.series_id, lock=True)
            await appt_repo.lock_providers(s, p.practice_id, sorted({a.provider_id for _, a in rows}))
            targets = _targets(rows, req, now)
            if not targets:
                raise Conflict("nothing in this series is left to cancel", field="scope")
            for _, appt in targets:
                # A staff action over the series: recorded as each occurrence's transition, no late-cancel
                # penalty (the policy is for a client's own cancel).
                await lifecycle.move(s, p, now, appt, S.CANCELLED, reason="series cancelled")
            await s.flush()
            for _, appt in targets:
                await audit.record(
                    s, p, now, "appointment.update", "appointment", appt.id, detail="status,series"
                )
                await waitlist_engine.slot_freed(
                    s, p, appt.provider_id, appt.datebook_id, appt.starts_at, appt.ends_at, now
                )
            if not any(a.status not in _FINAL and a.starts_at > now for _, a in rows):
                series.status = "cancelled"
            await audit.record(
                s, p, now, "series.cancel", "series", series.id, detail=f"{req.scope}: {len(targets)}"
            )
            out = _out(series, book, _stored(rows, ZoneInfo(book.timezone)))
            return SeriesCancelOut(
                series_id=series.id,
                scope=req.scope,
                cancelled_appointment_ids=[a.id for _, a in targets],
                series=out,
            )

        return await self.uc.write(
            p,
            "series.cancel",
            "series",
            req.series_id,
            body,
            SeriesCancelOut,
            req.idempotency,
            destroys="cancelling appointments of a series",
            consent=consent,
        )

    # --- pieces ------------------------------------------------------------------------------

    async def _book(
        self,
        s: AsyncSession,
        p: Principal,
        now: datetime,
        series: m.AppointmentSeries,
        c: Checked,
        notes: str | None,
    ) -> int:
        assert c.slot is not None
        row = m.Appointment(
            practice_id=p.practice_id,
            datebook_id=series.datebook_id,
            provider_id=series.provider_id,
            patient_id=series.patient_id,
            service_id=series.service_id,
            starts_at=c.slot.start,
            ends_at=c.slot.end,
            status=S.SCHEDULED.value,
            notes=notes,
            hold_expires_at=None,
            allow_overlap=False,
            created_by=p.actor[:120],
            created_at=now,
            updated_at=now,
        )
        s.add(row)
        await lifecycle.created(s, p, now, row, reason="series")
        s.add(
            m.SeriesOccurrence(
                practice_id=p.practice_id,
                series_id=series.id,
                appointment_id=row.id,
                position=c.occurrence.position,
            )
        )
        await audit.record(
            s, p, now, "appointment.create", "appointment", row.id, detail=f"series {series.id}"
        )
        return row.id

    async def _load(
        self, s: AsyncSession, practice_id: int, series_id: int, *, lock: bool = False
    ) -> tuple[m.AppointmentSeries, m.Datebook, list[tuple[m.SeriesOccurrence, m.Appointment]]]:
        series = await repo.get(s, practice_id, series_id, lock=lock)
        if series is None:
            raise NotFound(f"no series with id {series_id}", field="series_id")
        book = await dir_repo.datebook(s, practice_id, series.datebook_id)
        assert book is not None  # composite foreign key
        rows = list(await repo.occurrences(s, practice_id, series.id, lock=lock))
        return series, book, rows

    async def _datebook(
        self, s: AsyncSession, practice_id: int, datebook_id: int | None, provider: m.Provider
    ) -> m.Datebook:
        """The datebook named, else the one place the provider works (Coordinalo names none)."""
        if datebook_id is not None:
            return await resolve_datebook(s, practice_id, datebook_id, None)
        ids = sorted({h.datebook_id for h in await dir_repo.hours_for(s, practice_id, [provider.id])})
        if len(ids) != 1:
            where = "no datebook" if not ids else "several datebooks"
            raise Invalid(
                f"{provider.name} has working hours at {where}: give datebook_id", field="datebook_id"
            )
        return await resolve_datebook(s, practice_id, ids[0], None)

    async def _service(self, s: AsyncSession, practice_id: int, service_id: int | None) -> m.Service | None:
        if service_id is None:
            return None
        row = await dir_repo.service(s, practice_id, service_id)
        if row is None or not row.active:
            raise NotFound(f"no active service with id {service_id}; call list_services", field="service_id")
        return row


_FINAL = {x.value for x in FINAL_STATUSES}


def _targets(
    rows: list[tuple[m.SeriesOccurrence, m.Appointment]], req: SeriesCancel, now: datetime
) -> list[tuple[m.SeriesOccurrence, m.Appointment]]:
    """The occurrences a cancel touches: `one` the named one (unless it is history already); `following`
    and `all` the ones that have not begun."""
    if req.scope == "all":
        return [(o, a) for o, a in rows if a.status not in _FINAL and a.starts_at > now]
    named = next((o for o, a in rows if a.id == req.appointment_id), None)
    if named is None:
        raise NotFound(
            f"appointment {req.appointment_id} is not part of series {req.series_id}", field="appointment_id"
        )
    if req.scope == "one":
        return [(o, a) for o, a in rows if o is named and a.status not in _FINAL]
    return [
        (o, a)
        for o, a in rows
        if o.position >= named.position and a.status not in _FINAL and a.starts_at > now
    ]


def _refusal(conflicts: list[Checked], total: int, tz: ZoneInfo, outcome: str) -> Conflict:
    listed = [
        {
            "position": c.occurrence.position,
            "start": c.occurrence.local.isoformat(timespec="minutes")
            if c.slot is None
            else to_local_iso(c.slot.start, tz),
            "reason": c.reason,
            "message": c.message,
            **({"conflicting_appointment_ids": c.clashes} if c.clashes else {}),
        }
        for c in conflicts
    ]
    first = listed[0]
    return Conflict(
        f"{len(conflicts)} of {total} occurrences cannot be booked ({outcome}); the first, {first['start']}: "
        f"{first['message']}. Pass on_conflict skip to book only the free ones, or pick another time",
        field="starts_at",
        details={"conflicts": listed},
    )


def _from_check(c: Checked, tz: ZoneInfo, booked: dict[int, int]) -> OccurrenceOut:
    o = c.occurrence
    start = to_local_iso(c.slot.start, tz) if c.slot else o.local.isoformat(timespec="seconds")
    end = to_local_iso(c.slot.end, tz) if c.slot else start
    if c.reason is None:
        return OccurrenceOut(
            position=o.position, start=start, end=end, status="booked", appointment_id=booked[o.position]
        )
    return OccurrenceOut(
        position=o.position, start=start, end=end, status="conflict", reason=c.reason, message=c.message
    )


def _stored(rows: list[tuple[m.SeriesOccurrence, m.Appointment]], tz: ZoneInfo) -> list[OccurrenceOut]:
    status = {S.SCHEDULED.value: "booked", S.CONFIRMED.value: "booked"}
    return [
        OccurrenceOut(
            position=o.position,
            start=to_local_iso(a.starts_at, tz),
            end=to_local_iso(a.ends_at, tz),
            status=status.get(a.status, a.status),
            appointment_id=a.id,
        )
        for o, a in rows
    ]


def _out(series: m.AppointmentSeries, book: m.Datebook, occurrences: list[OccurrenceOut]) -> SeriesOut:
    return SeriesOut(
        series_id=series.id,
        status=series.status,
        rule=series.rule,
        timezone=book.timezone,
        patient_id=series.patient_id,
        doctor_id=series.provider_id,
        datebook_id=series.datebook_id,
        service_id=series.service_id,
        booked=sum(1 for o in occurrences if o.status == "booked"),
        conflicts=sum(1 for o in occurrences if o.status == "conflict"),
        occurrences=occurrences,
    )
