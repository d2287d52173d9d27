"""manageAppointments' reads by patient. Booking, rescheduling and cancelling stay in
services/scheduling (AppointmentService), which the tool calls directly; this only lists a patient's
appointments with the same names the scheduling tools show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.scheduling.status import FHIR_STATUS, AppointmentStatus
from frontdesk.domain.timeparse import parse_datetime
from frontdesk.services import audit, dto
from frontdesk.services.clinical import base
from frontdesk.services.context import Principal
from frontdesk.storage.models import Appointment
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories.clinical import chart


async def appointment_infos(
    s: AsyncSession, practice_id: int, rows: Sequence[Appointment]
) -> list[dto.AppointmentInfo]:
    if not rows:
        return []
    books = {b.id: b for b in await dir_repo.datebooks(s, practice_id, active_only=False)}
    provs = {r.id: r for r in await dir_repo.providers(s, practice_id, active_only=False)}
    servs = {r.id: r for r in await dir_repo.services(s, practice_id, active_only=False)}
    pats = {r.id: r for r in await patient_repo.get_many(s, practice_id, list({r.patient_id for r in rows}))}
    out = []
    for r in rows:
        book, prov, pat = books[r.datebook_id], provs[r.provider_id], pats[r.patient_id]
        serv = servs.get(r.service_id) if r.service_id is not None else None
        out.append(
            dto.AppointmentInfo(
                id=r.id,
                datebook_id=book.id,
                datebook_name=book.name,
                timezone=book.timezone,
                provider_id=prov.id,
                provider_name=prov.name,
                patient_id=pat.id,
                patient_name=f"{pat.first_name} {pat.last_name}".strip(),
                service_id=serv.id if serv else None,
                service_name=serv.name if serv else None,
                starts_at=r.starts_at,
                ends_at=r.ends_at,
                status=r.status,
                fhir_status=FHIR_STATUS[AppointmentStatus(r.status)],
                notes=r.notes,
                hold_expires_at=r.hold_expires_at,
                allow_overlap=r.allow_overlap,
            )
        )
    return out


class PatientScheduleService(base.ChartBase):
    async def for_patient(
        self,
        p: Principal,
        patient_id: int,
        *,
        start: str | None = None,
        end: str | None = None,
        limit: int = 100,
    ) -> list[dto.AppointmentInfo]:
        """A patient's appointments, newest first (optionally within [start, end))."""

        async def body(s: AsyncSession, now: datetime) -> list[dto.AppointmentInfo]:
            await base.patient(s, p.practice_id, patient_id)
            tz: ZoneInfo = await base.practice_zone(s, p.practice_id)
            lo = parse_datetime(start, tz, field="start") if start else None
            hi = parse_datetime(end, tz, field="end") if end else None
            rows = await chart.patient_appointments(
                s, p.practice_id, patient_id, start=lo, end=hi, limit=max(1, min(limit, 500))
            )
            await audit.record(
                s, p, now, "appointment.list", "patient", patient_id, detail=f"{len(rows)} appointments"
            )
            return await appointment_infos(s, p.practice_id, rows)

        return await self._read(
            p, "appointment.list", "patient", patient_id, body, scopes=(access.APPOINTMENTS_READ,)
        )
