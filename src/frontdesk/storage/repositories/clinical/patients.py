"""Patient profiles and the findPatients search (demographic and medical criteria, paged)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from frontdesk.storage import clinical_models as c
from frontdesk.storage.models import Patient
from frontdesk.storage.repositories.clients import of_provider
from frontdesk.storage.repositories.patients import digits


async def profile(s: AsyncSession, practice_id: int, patient_id: int) -> c.PatientProfile | None:
    q = select(c.PatientProfile).where(
        c.PatientProfile.practice_id == practice_id, c.PatientProfile.patient_id == patient_id
    )
    return (await s.execute(q)).scalar_one_or_none()


async def profiles(
    s: AsyncSession, practice_id: int, patient_ids: Sequence[int]
) -> dict[int, c.PatientProfile]:
    if not patient_ids:
        return {}
    q = select(c.PatientProfile).where(
        c.PatientProfile.practice_id == practice_id, c.PatientProfile.patient_id.in_(list(patient_ids))
    )
    return {r.patient_id: r for r in (await s.execute(q)).scalars().all()}


@dataclass(frozen=True, slots=True)
class Criteria:
    name_words: tuple[str, ...] = ()  # folded
    uid: str | None = None
    date_of_birth: date | None = None
    phone_digits: str | None = None
    email: str | None = None  # lower-cased
    city: str | None = None  # lower-cased
    state: str | None = None
    postal_code: str | None = None  # upper-cased prefix
    sex: str | None = None
    born_from: date | None = None
    born_to: date | None = None
    statuses: tuple[str, ...] = ("active",)
    diagnosis_code: str | None = None  # a code or its prefix (E11 matches E11.9)
    medication: str | None = None  # lower-cased part of a drug name
    allergy: str | None = None  # lower-cased part of an allergen
    provider_id: int | None = None  # the provider's clients: titular provider or sessions with them


def _query(practice_id: int, k: Criteria) -> Select[Patient, c.PatientProfile]:
    prof = c.PatientProfile
    q = select(Patient, prof).outerjoin(
        prof, and_(prof.practice_id == Patient.practice_id, prof.patient_id == Patient.id)
    )
    conds: list[ColumnElement[bool]] = [Patient.practice_id == practice_id]
    for w in k.name_words:  # each word in the legal name or the preferred name
        conds.append(
            or_(
                Patient.search_name.contains(w, autoescape=True),
                prof.search_preferred.contains(w, autoescape=True),
            )
        )
    if k.uid:
        conds.append(Patient.uid == k.uid)
    if k.date_of_birth:
        conds.append(Patient.date_of_birth == k.date_of_birth)
    if k.born_from:
        conds.append(Patient.date_of_birth >= k.born_from)
    if k.born_to:
        conds.append(Patient.date_of_birth <= k.born_to)
    if k.phone_digits:
        conds.append(
            or_(
                digits(Patient.phone).endswith(k.phone_digits, autoescape=True),
                digits(prof.alt_phone).endswith(k.phone_digits, autoescape=True),
            )
        )
    if k.email:
        conds.append(func.lower(Patient.email) == k.email)
    if k.city:
        conds.append(func.lower(prof.city).contains(k.city, autoescape=True))
    if k.state:
        conds.append(func.lower(prof.state) == k.state)
    if k.postal_code:
        conds.append(prof.postal_code.startswith(k.postal_code, autoescape=True))
    if k.sex:
        conds.append(prof.sex == k.sex)
    conds.append(func.coalesce(prof.status, "active").in_(list(k.statuses)))
    if k.provider_id is not None:
        conds.append(of_provider(k.provider_id))
    if k.diagnosis_code:
        d = c.Diagnosis
        conds.append(
            exists().where(
                d.practice_id == Patient.practice_id,
                d.patient_id == Patient.id,
                d.status == "active",
                d.code.startswith(k.diagnosis_code, autoescape=True),
            )
        )
    if k.medication:
        med = c.Medication
        conds.append(
            exists().where(
                med.practice_id == Patient.practice_id,
                med.patient_id == Patient.id,
                med.status == "active",
                func.lower(med.drug_name).contains(k.medication, autoescape=True),
            )
        )
    if k.allergy:
        a = c.Allergy
        conds.append(
            exists().where(
                a.practice_id == Patient.practice_id,
                a.patient_id == Patient.id,
                a.status == "active",
                func.lower(a.allergen).contains(k.allergy, autoescape=True),
            )
        )
    return q.where(*conds)


async def find(
    s: AsyncSession, practice_id: int, criteria: Criteria, *, limit: int, offset: int
) -> Sequence[tuple[Patient, c.PatientProfile | None]]:
    q = _query(practice_id, criteria).order_by(Patient.last_name, Patient.first_name, Patient.id)
    rows = (await s.execute(q.offset(offset).limit(limit))).all()
    return [(r[0], r[1]) for r in rows]
