"""Patient directory: search and creation (full demographics arrive with the clinical issue)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import validation
from frontdesk.domain.errors import Invalid, NotFound
from frontdesk.domain.text import fold
from frontdesk.services import audit, dto, mapping
from frontdesk.services.context import Clock, Principal
from frontdesk.storage import models as m
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import patients as repo

SEARCH_LIMIT = 25


def new_uid() -> str:
    return "P-" + secrets.token_hex(4).upper()


async def create_patient(
    s: AsyncSession,
    p: Principal,
    now: datetime,
    *,
    first_name: str,
    last_name: str,
    phone: str | None = None,
    email: str | None = None,
) -> m.Patient:
    row = m.Patient(
        practice_id=p.practice_id,
        uid=new_uid(),
        first_name=first_name,
        last_name=last_name,
        search_name=fold(f"{first_name} {last_name}"),
        phone=phone,
        email=email,
        created_at=now,
    )
    s.add(row)
    await s.flush()
    await audit.record(s, p, now, "patient.create", "patient", row.id)
    return row


async def resolve_or_create(
    s: AsyncSession,
    p: Principal,
    now: datetime,
    *,
    patient_id: int | None,
    patient_name: str | None,
    phone: str | None = None,
    reuse_by_phone: bool = False,
) -> m.Patient:
    """An existing patient by id, or a new record from a full name. With `reuse_by_phone`, a patient
    with the same name and phone is reused rather than duplicated (the public booking flow)."""
    if patient_id is not None:
        row = await repo.get(s, p.practice_id, patient_id)
        if row is None:
            raise NotFound(f"no patient with id {patient_id}; call search_patients", field="patient_id")
        return row
    if patient_name is None:
        raise Invalid(
            "give patient_id (from search_patients) or patient_name for a new patient", field="patient_id"
        )
    first, last = validation.split_name(patient_name)
    phone = validation.phone(phone, field="patientPhone")
    if reuse_by_phone and phone:
        existing = await repo.find_by_name_and_phone(s, p.practice_id, fold(f"{first} {last}"), phone)
        if existing is not None:
            return existing
    return await create_patient(s, p, now, first_name=first, last_name=last, phone=phone)


class PatientService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def search(self, p: Principal, query: str, limit: int = SEARCH_LIMIT) -> list[dto.PatientInfo]:
        p.require("patients:read")
        text = (query or "").strip()
        if not text:
            raise Invalid("query must not be empty: give part of a name or a patient UID", field="query")
        if len(text) > 120:
            raise Invalid("query must be at most 120 characters", field="query")
        limit = max(1, min(limit, SEARCH_LIMIT))
        async with self.db.write() as s:
            rows = await repo.search(s, p.practice_id, fold(text), text, limit)
            detail = f"{len(rows)} results"
            await audit.record(s, p, self.clock(), "patient.search", "patient", None, detail=detail)
            return [mapping.patient(r) for r in rows]

    async def create(
        self,
        p: Principal,
        *,
        first_name: str,
        last_name: str,
        phone: str | None = None,
        email: str | None = None,
    ) -> dto.PatientInfo:
        p.require("patients:write")
        first = validation.required_text(first_name, field="first_name")
        last = validation.required_text(last_name, field="last_name")
        async with self.db.write() as s:
            row = await create_patient(
                s,
                p,
                self.clock(),
                first_name=first,
                last_name=last,
                phone=validation.phone(phone),
                email=validation.email(email),
            )
            return mapping.patient(row)
