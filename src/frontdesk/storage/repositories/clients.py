"""Clients (patients as Coordinalo and MedCor list them): the listing with its provider filter and
keyset pages, and each client's titular provider."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from frontdesk.storage import clinical_models as c
from frontdesk.storage.models import Appointment, Patient, TitularProvider
from frontdesk.storage.repositories.patients import digits


def of_provider(provider_id: int) -> ColumnElement[bool]:
    """A provider's clients: those whose titular provider they are, and those with sessions with them."""
    t, a = TitularProvider, Appointment
    return or_(
        exists().where(
            t.practice_id == Patient.practice_id, t.patient_id == Patient.id, t.provider_id == provider_id
        ),
        exists().where(
            a.practice_id == Patient.practice_id, a.patient_id == Patient.id, a.provider_id == provider_id
        ),
    )


@dataclass(frozen=True, slots=True)
class Listing:
    words: tuple[str, ...] = ()  # folded words of the name, each must match
    text: str | None = None  # lower-cased: also matches part of the email
    phone_digits: str | None = None  # also matches part of the phone number
    provider_id: int | None = None
    after: tuple[str, int] | None = None  # keyset: (search_name, id) of the last row seen


async def listing(s: AsyncSession, practice_id: int, k: Listing, limit: int) -> Sequence[Patient]:
    """Clients in name order (merged duplicates left out), after the keyset `k.after`."""
    prof = c.PatientProfile
    conds: list[ColumnElement[bool]] = [
        Patient.practice_id == practice_id,
        func.coalesce(prof.status, "active") != "merged",
    ]
    if k.words or k.text or k.phone_digits:
        either: list[ColumnElement[bool]] = []
        if k.words:
            either.append(and_(*(Patient.search_name.contains(w, autoescape=True) for w in k.words)))
        if k.text:
            either.append(func.coalesce(Patient.email, "").contains(k.text, autoescape=True))
        if k.phone_digits:
            either.append(digits(Patient.phone).contains(k.phone_digits, autoescape=True))
        conds.append(or_(*either))
    if k.provider_id is not None:
        conds.append(of_provider(k.provider_id))
    if k.after is not None:
        name, last_id = k.after
        conds.append(or_(Patient.search_name > name, and_(Patient.search_name == name, Patient.id > last_id)))
    q = (
        select(Patient)
        .outerjoin(prof, and_(prof.practice_id == Patient.practice_id, prof.patient_id == Patient.id))
        .where(*conds)
        .order_by(Patient.search_name, Patient.id)
        .limit(limit)
    )
    return (await s.execute(q)).scalars().all()


async def titulars(s: AsyncSession, practice_id: int, patient_ids: Sequence[int]) -> dict[int, int]:
    """patient id -> titular provider id, for those that have one."""
    if not patient_ids:
        return {}
    t = TitularProvider
    q = select(t.patient_id, t.provider_id).where(
        t.practice_id == practice_id, t.patient_id.in_(list(patient_ids))
    )
    return {pid: prov for pid, prov in (await s.execute(q)).all()}


async def set_titular(
    s: AsyncSession, practice_id: int, patient_id: int, provider_id: int | None, now: datetime
) -> bool:
    """Make `provider_id` the client's titular provider (None: no titular provider). Whether it changed."""
    t = TitularProvider
    q = select(t).where(t.practice_id == practice_id, t.patient_id == patient_id)
    row = (await s.execute(q)).scalar_one_or_none()
    current = row.provider_id if row is not None else None
    if current == provider_id:
        return False
    if provider_id is None:
        await s.execute(delete(t).where(t.practice_id == practice_id, t.patient_id == patient_id))
    elif row is None:
        s.add(t(practice_id=practice_id, patient_id=patient_id, provider_id=provider_id, since=now))
    else:
        row.provider_id = provider_id
        row.since = now
    await s.flush()
    return True
