"""Chart queries beyond the shared ones: addenda, due recalls, vital templates, a patient's visits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage import clinical_models as c
from frontdesk.storage.models import Appointment
from frontdesk.storage.repositories import appointments


async def addenda(
    s: AsyncSession, practice_id: int, encounter_ids: Sequence[int]
) -> Sequence[c.EncounterAddendum]:
    if not encounter_ids:
        return []
    q = (
        select(c.EncounterAddendum)
        .where(
            c.EncounterAddendum.practice_id == practice_id,
            c.EncounterAddendum.encounter_id.in_(list(encounter_ids)),
        )
        .order_by(c.EncounterAddendum.created_at, c.EncounterAddendum.id)
    )
    return (await s.execute(q)).scalars().all()


async def encounter_for_appointment(
    s: AsyncSession, practice_id: int, appointment_id: int
) -> c.Encounter | None:
    q = select(c.Encounter).where(
        c.Encounter.practice_id == practice_id,
        c.Encounter.appointment_id == appointment_id,
        c.Encounter.status != "entered_in_error",
    )
    return (await s.execute(q.limit(1))).scalar_one_or_none()


async def due_recalls(
    s: AsyncSession, practice_id: int, until: date, *, since: date | None, limit: int, offset: int
) -> Sequence[c.Recall]:
    q = select(c.Recall).where(
        c.Recall.practice_id == practice_id, c.Recall.status == "open", c.Recall.due_date <= until
    )
    if since is not None:
        q = q.where(c.Recall.due_date >= since)
    q = q.order_by(c.Recall.due_date, c.Recall.id).offset(offset).limit(limit)
    return (await s.execute(q)).scalars().all()


async def vital_templates(s: AsyncSession, practice_id: int) -> Sequence[c.VitalTemplateRow]:
    q = (
        select(c.VitalTemplateRow)
        .where(c.VitalTemplateRow.practice_id == practice_id, c.VitalTemplateRow.active.is_(True))
        .order_by(c.VitalTemplateRow.name)
    )
    return (await s.execute(q)).scalars().all()


async def vital_template_by_name(s: AsyncSession, practice_id: int, name: str) -> c.VitalTemplateRow | None:
    q = select(c.VitalTemplateRow).where(
        c.VitalTemplateRow.practice_id == practice_id, func.lower(c.VitalTemplateRow.name) == name.lower()
    )
    return (await s.execute(q)).scalar_one_or_none()


async def latest_height(s: AsyncSession, practice_id: int, patient_id: int, before: datetime) -> float | None:
    q = (
        select(c.VitalReading.height)
        .where(
            c.VitalReading.practice_id == practice_id,
            c.VitalReading.patient_id == patient_id,
            c.VitalReading.height.is_not(None),
            c.VitalReading.removed_at.is_(None),
            c.VitalReading.measured_at <= before,
        )
        .order_by(c.VitalReading.measured_at.desc(), c.VitalReading.id.desc())
        .limit(1)
    )
    return (await s.execute(q)).scalar_one_or_none()


async def patient_appointments(
    s: AsyncSession,
    practice_id: int,
    patient_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 100,
) -> Sequence[appointments.Named]:
    """A patient's appointments (expired holds left out), newest first, with their names."""
    q = appointments.with_names(
        practice_id,
        Appointment.patient_id == patient_id,
        Appointment.cancel_reason.is_distinct_from("hold_expired"),
    )
    if start is not None:
        q = q.where(Appointment.ends_at > start)
    if end is not None:
        q = q.where(Appointment.starts_at < end)
    q = q.order_by(Appointment.starts_at.desc(), Appointment.id.desc()).limit(limit)
    rows: Sequence[appointments.Named] = (await s.execute(q)).all()
    return rows
