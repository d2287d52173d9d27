"""Patients, scoped to one practice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from frontdesk.storage.models import Patient

_GET = select(Patient).where(Patient.practice_id == bindparam("practice_id"), Patient.id == bindparam("id"))
_LOCKED = _GET.with_for_update(key_share=True)


async def get(s: AsyncSession, practice_id: int, patient_id: int) -> Patient | None:
    return (await s.execute(_GET, {"practice_id": practice_id, "id": patient_id})).scalar_one_or_none()


async def locked(s: AsyncSession, practice_id: int, patient_id: int) -> Patient | None:
    """The patient row locked for this transaction (PostgreSQL; SQLite writers are serialised already):
    chart writes of one patient run one at a time, so two prescriptions cannot both pass the duplicate
    check. FOR NO KEY UPDATE leaves foreign-key checks (new appointments) unblocked."""
    return (await s.execute(_LOCKED, {"practice_id": practice_id, "id": patient_id})).scalar_one_or_none()


async def get_many(s: AsyncSession, practice_id: int, ids: Sequence[int]) -> Sequence[Patient]:
    if not ids:
        return []
    q = select(Patient).where(Patient.practice_id == practice_id, Patient.id.in_(ids))
    return (await s.execute(q)).scalars().all()


async def search(s: AsyncSession, practice_id: int, folded: str, raw: str, limit: int) -> Sequence[Patient]:
    """Match every word of the folded query against the folded name, or the UID exactly."""
    words = folded.split()
    name_match = [Patient.search_name.contains(w, autoescape=True) for w in words]
    cond = or_(Patient.uid == raw.strip(), *([and_(*name_match)] if words else []))
    q = (
        select(Patient)
        .where(Patient.practice_id == practice_id, cond)
        .order_by(Patient.last_name, Patient.first_name, Patient.id)
        .limit(limit)
    )
    return (await s.execute(q)).scalars().all()


async def names_starting(
    s: AsyncSession, practice_id: int, folded: str, limit: int
) -> Sequence[tuple[str, str]]:
    """(first, last) of patients whose folded name, or one of its words, starts with `folded`."""
    cond = or_(
        Patient.search_name.startswith(folded, autoescape=True),
        Patient.search_name.contains(" " + folded, autoescape=True),
    )
    q = (
        select(Patient.first_name, Patient.last_name)
        .where(Patient.practice_id == practice_id, cond)
        .order_by(Patient.search_name, Patient.id)
        .limit(limit)
    )
    return [(first, last) for first, last in (await s.execute(q)).all()]


async def find_by_name_and_phone(
    s: AsyncSession, practice_id: int, folded_name: str, phone: str | None
) -> Patient | None:
    q = select(Patient).where(Patient.practice_id == practice_id, Patient.search_name == folded_name)
    if phone:
        q = q.where(Patient.phone == phone)
    return (await s.execute(q.order_by(Patient.id).limit(1))).scalar_one_or_none()


async def by_email(s: AsyncSession, practice_id: int, email_key: str) -> Patient | None:
    """The patient this (lower-cased) email identifies in the practice."""
    q = select(Patient).where(Patient.practice_id == practice_id, Patient.email_key == email_key)
    return (await s.execute(q)).scalar_one_or_none()


def digits(column: Any) -> ColumnElement[str]:
    """The digits of a stored phone number, for both databases (no regex needed)."""
    out: ColumnElement[str] = func.coalesce(column, "")
    for ch in (" ", "-", "(", ")", ".", "+", "/"):
        out = func.replace(out, ch, "")
    return out
