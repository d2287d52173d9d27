"""What every chart use case shares: scope rules, patient and record lookup, text rules. The read and
write skeletons are the shared ones (services/usecase.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.clinical.status import PatientStatus
from frontdesk.domain.errors import Conflict, Invalid, NotFound
from frontdesk.services.context import Principal
from frontdesk.services.usecase import UseCases
from frontdesk.storage import clinical_models as c
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories.clinical import patients as profile_repo
from frontdesk.storage.repositories.clinical import records

T = TypeVar("T")
READ = (access.CLINICAL_READ,)  # what a chart read needs unless it says otherwise
WRITE = access.CLINICAL_WRITE
TEXT_MAX = 20_000  # one SOAP section or note
SHORT_MAX = 500


def sees_clinical(p: Principal) -> bool:
    return access.CLINICAL_READ in p.scopes


class ChartBase:
    """A chart service: its use cases run in the shared skeleton (`self.uc`, services/usecase.py),
    needing the clinical scopes unless they name others."""

    reads: tuple[str, ...] = READ
    writes: str = WRITE

    def __init__(self, uc: UseCases) -> None:
        self.uc = uc.scoped(read=self.reads, write=self.writes)
        self.db = uc.db
        self.trail = uc.trail


async def practice_zone(s: AsyncSession, practice_id: int) -> ZoneInfo:
    practice = await dir_repo.practice_by_id(s, practice_id)
    assert practice is not None
    return ZoneInfo(practice.timezone)


async def patient(s: AsyncSession, practice_id: int, patient_id: int, *, writable: bool = False) -> m.Patient:
    """The patient, or "not found" (which is also the answer for another practice's id). A merged
    duplicate can be read but not written to."""
    row = await (
        patient_repo.locked(s, practice_id, patient_id)
        if writable
        else patient_repo.get(s, practice_id, patient_id)
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
