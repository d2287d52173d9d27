"""manageAppointments' reads by patient. Booking, rescheduling and cancelling stay in
services/scheduling (AppointmentService), which the tool calls directly; this only lists a patient's
appointments with the same names the scheduling tools show."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.timeparse import parse_datetime
from frontdesk.services import audit, dto, mapping
from frontdesk.services.clinical import base
from frontdesk.services.context import Principal
from frontdesk.storage.repositories.clinical import chart


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
            return [mapping.appointment(r) for r in rows]

        return await self.uc.read(
            p, "appointment.list", "patient", patient_id, body, scopes=(access.APPOINTMENTS_READ,)
        )
