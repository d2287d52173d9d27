"""Recurring series and their occurrences, scoped to one practice."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import Appointment, AppointmentSeries, SeriesOccurrence


async def get(
    s: AsyncSession, practice_id: int, series_id: int, *, lock: bool = False
) -> AppointmentSeries | None:
    q = select(AppointmentSeries).where(
        AppointmentSeries.practice_id == practice_id, AppointmentSeries.id == series_id
    )
    if lock:
        q = q.with_for_update()
    return (await s.execute(q)).scalar_one_or_none()


async def occurrences(
    s: AsyncSession, practice_id: int, series_id: int, *, lock: bool = False
) -> Sequence[tuple[SeriesOccurrence, Appointment]]:
    """The series' booked occurrences with their appointments, in rule order."""
    q = (
        select(SeriesOccurrence, Appointment)
        .join(
            Appointment,
            (Appointment.practice_id == SeriesOccurrence.practice_id)
            & (Appointment.id == SeriesOccurrence.appointment_id),
        )
        .where(SeriesOccurrence.practice_id == practice_id, SeriesOccurrence.series_id == series_id)
        .order_by(SeriesOccurrence.position)
    )
    if lock:
        q = q.with_for_update(of=Appointment)
    return [(o, a) for o, a in (await s.execute(q)).all()]


async def of_appointment(s: AsyncSession, practice_id: int, appointment_id: int) -> SeriesOccurrence | None:
    q = select(SeriesOccurrence).where(
        SeriesOccurrence.practice_id == practice_id, SeriesOccurrence.appointment_id == appointment_id
    )
    return (await s.execute(q)).scalar_one_or_none()
