"""Queries every chart table shares: one row by id, a patient's rows, moving rows to another patient."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from frontdesk.storage import clinical_models as c
from frontdesk.storage.models import Appointment

R = TypeVar("R", bound=Any)

# Tables whose rows belong to one patient (moved together when duplicates are merged).
PATIENT_TABLES: tuple[type[Any], ...] = (
    c.Encounter,
    c.Medication,
    c.Allergy,
    c.Diagnosis,
    c.ClinicalNote,
    c.Recall,
    c.VitalReading,
    c.LabResult,
    c.PatientFile,
    Appointment,
)


async def get(
    s: AsyncSession, model: type[R], practice_id: int, record_id: int, *, lock: bool = False
) -> R | None:
    q = select(model).where(model.practice_id == practice_id, model.id == record_id)
    if lock:
        q = q.with_for_update()
    return (await s.execute(q)).scalar_one_or_none()


async def for_patient(
    s: AsyncSession,
    model: type[R],
    practice_id: int,
    patient_id: int,
    *,
    order: InstrumentedAttribute[Any] | None = None,
    descending: bool = True,
    statuses: Sequence[str] | None = None,
    not_removed: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> Sequence[R]:
    q = select(model).where(model.practice_id == practice_id, model.patient_id == patient_id)
    if statuses is not None:
        q = q.where(model.status.in_(list(statuses)))
    if not_removed:
        q = q.where(model.removed_at.is_(None))
    key = order if order is not None else model.id
    q = q.order_by(key.desc() if descending else key, model.id.desc() if descending else model.id)
    if offset:
        q = q.offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return (await s.execute(q)).scalars().all()


async def move_patient(s: AsyncSession, practice_id: int, source_id: int, target_id: int) -> dict[str, int]:
    """Reassign every chart row and appointment of one patient to another; counts per table."""
    moved: dict[str, int] = {}
    for model in PATIENT_TABLES:
        result = await s.execute(
            update(model)
            .where(model.practice_id == practice_id, model.patient_id == source_id)
            .values(patient_id=target_id)
        )
        moved[model.__tablename__] = int(getattr(result, "rowcount", 0))
    return moved
