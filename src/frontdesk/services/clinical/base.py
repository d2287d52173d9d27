"""What every chart use case shares: the read and write skeletons, scope rules, patient lookup."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.clinical.status import PatientStatus
from frontdesk.domain.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from frontdesk.services.audit import AuditService, on_failure
from frontdesk.services.context import Clock, Principal
from frontdesk.services.idempotency import Idempotency, claim, store
from frontdesk.storage import clinical_models as c
from frontdesk.storage import models as m
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories.clinical import patients as profile_repo
from frontdesk.storage.repositories.clinical import records

T = TypeVar("T")
WRITE_ATTEMPTS = 3
TEXT_MAX = 20_000  # one SOAP section or note
SHORT_MAX = 500


def require_any(p: Principal, *scopes: str) -> None:
    if not any(s in p.scopes for s in scopes):
        raise Forbidden(f"insufficient_scope: this credential lacks the {scopes[0]} scope")


def sees_clinical(p: Principal) -> bool:
    return access.CLINICAL_READ in p.scopes


class ChartBase:
    def __init__(self, db: Database, clock: Clock, trail: AuditService) -> None:
        self.db = db
        self.clock = clock
        self.trail = trail

    async def _read(
        self,
        p: Principal,
        action: str,
        record_type: str,
        record_id: object,
        body: Callable[[AsyncSession, datetime], Awaitable[T]],
        *,
        scopes: tuple[str, ...] = (access.CLINICAL_READ,),
    ) -> T:
        """An audited read: the entry the body records is stored before the answer is returned."""
        async with on_failure(self.trail, p, action, record_type, record_id):
            require_any(p, *scopes)
            async with self.trail.reading() as s:
                return await body(s, self.clock())

    async def _write(
        self,
        p: Principal,
        action: str,
        record_type: str,
        record_id: object,
        idem: Idempotency | None,
        result: type[T],
        body: Callable[[AsyncSession, datetime], Awaitable[T]],
        *,
        scope: str = access.CLINICAL_WRITE,
    ) -> T:
        """One write: scope check, idempotency claim, the body (which audits), replay of a stored result."""
        adapter = TypeAdapter(result)
        async with on_failure(self.trail, p, action, record_type, record_id):
            p.require(scope)
            for attempt in range(1, WRITE_ATTEMPTS + 1):
                try:
                    async with self.db.write() as s:
                        now = self.clock()
                        if idem is not None:
                            stored = await claim(s, p, idem, now)
                            if stored is not None:
                                return adapter.validate_python(json.loads(stored)["result"])
                        out = await body(s, now)
                        if idem is not None:
                            payload: dict[str, Any] = {"result": adapter.dump_python(out, mode="json")}
                            await store(s, p, idem, payload)
                        return out
                except (Conflict, Unavailable) as exc:
                    again = exc.details.get("idempotency_in_flight") or exc.details.get("retryable")
                    if attempt < WRITE_ATTEMPTS and again:
                        await asyncio.sleep(0.01 * attempt)
                        continue
                    raise
            raise AssertionError("unreachable")


async def practice_zone(s: AsyncSession, practice_id: int) -> ZoneInfo:
    practice = await dir_repo.practice_by_id(s, practice_id)
    assert practice is not None
    return ZoneInfo(practice.timezone)


async def _locked(s: AsyncSession, practice_id: int, patient_id: int) -> m.Patient | None:
    """The patient row locked for this transaction (PostgreSQL; SQLite writers are serialised already):
    chart writes of one patient run one at a time, so two prescriptions cannot both pass the duplicate
    check. FOR NO KEY UPDATE leaves foreign-key checks (new appointments) unblocked."""
    q = select(m.Patient).where(m.Patient.practice_id == practice_id, m.Patient.id == patient_id)
    return (await s.execute(q.with_for_update(key_share=True))).scalar_one_or_none()


async def patient(s: AsyncSession, practice_id: int, patient_id: int, *, writable: bool = False) -> m.Patient:
    """The patient, or "not found" (which is also the answer for another practice's id). A merged
    duplicate can be read but not written to."""
    row = await (
        _locked(s, practice_id, patient_id) if writable else patient_repo.get(s, practice_id, patient_id)
    )
    if row is None:
        raise NotFound(f"no patient with id {patient_id}; call find_patients", field="patient_id")
    if writable:
        prof = await profile_repo.profile(s, practice_id, patient_id)
        if prof is not None and prof.status == PatientStatus.MERGED.value:
            raise Conflict(
                f"patient {patient_id} was merged into patient {prof.merged_into_id}; use that record",
                field="patient_id",
            )
    return row


async def record(
    s: AsyncSession,
    model: type[T],
    practice_id: int,
    record_id: int,
    *,
    field: str,
    hint: str,
    lock: bool = False,
) -> T:
    row: T | None = await records.get(s, model, practice_id, record_id, lock=lock)
    if row is None:
        raise NotFound(f"no record with id {record_id}; {hint}", field=field)
    return row


async def provider(
    s: AsyncSession, practice_id: int, provider_id: int | None, *, field: str
) -> m.Provider | None:
    if provider_id is None:
        return None
    row = await dir_repo.provider(s, practice_id, provider_id)
    if row is None:
        raise NotFound(f"no provider with id {provider_id}; call list_doctors", field=field)
    return row


async def encounter_of(
    s: AsyncSession, practice_id: int, patient_id: int, encounter_id: int | None
) -> c.Encounter | None:
    if encounter_id is None:
        return None
    row = await records.get(s, c.Encounter, practice_id, encounter_id)
    if row is None or row.patient_id != patient_id:
        raise NotFound(f"no encounter with id {encounter_id} for this patient", field="encounter_id")
    return row


def text(value: str | None, *, field: str, max_len: int = SHORT_MAX, required: bool = False) -> str | None:
    """Trimmed text within a length; None or blank is no value (an error when required)."""
    if value is None or not value.strip():
        if required:
            raise Invalid(f"{field} must not be empty", field=field)
        return None
    out = value.strip()
    if len(out) > max_len:
        raise Invalid(f"{field} must be at most {max_len} characters (got {len(out)})", field=field)
    return out


def local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    return None if moment is None else moment.astimezone(tz)
