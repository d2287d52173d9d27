"""The problem list: diagnoses with real ICD-10-CM codes; code search for choosing one."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.clinical.status import DiagnosisStatus, parse
from frontdesk.domain.errors import Conflict, Invalid
from frontdesk.domain.timeparse import parse_date
from frontdesk.services import audit
from frontdesk.services.audit import on_failure
from frontdesk.services.clinical import base, dto, mapping, removals
from frontdesk.services.clinical.reference import icd10, search_icd10
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.storage import clinical_models as c
from frontdesk.storage.repositories.clinical import records

D = DiagnosisStatus
READERS = (access.CLINICAL_READ, access.BILLING_READ)  # billing codes claims from the problem list


@dataclass(frozen=True, slots=True)
class DiagnosisInput:
    code: str | None = None
    status: str | None = None
    onset_date: str | None = None
    resolved_date: str | None = None
    comments: str | None = None
    encounter_id: int | None = None


class DiagnosisService(base.ChartBase):
    async def for_patient(
        self, p: Principal, patient_id: int, *, include_inactive: bool = False
    ) -> list[dto.DiagnosisInfo]:
        """Clinicians see everything; billing sees codes, status and dates (comments withheld)."""

        async def body(s: AsyncSession, now: datetime) -> list[dto.DiagnosisInfo]:
            await base.patient(s, p.practice_id, patient_id)
            tz = await base.practice_zone(s, p.practice_id)
            statuses = None if include_inactive else [D.ACTIVE.value]
            rows = await records.for_patient(s, c.Diagnosis, p.practice_id, patient_id, statuses=statuses)
            await audit.record(
                s, p, now, "diagnosis.list", "patient", patient_id, detail=f"{len(rows)} diagnoses"
            )
            out = [mapping.diagnosis(r, tz) for r in rows]
            if not base.sees_clinical(p):
                out = [_billing_view(x) for x in out]
            return out

        return await self.uc.read(p, "diagnosis.list", "patient", patient_id, body, scopes=READERS)

    async def search_codes(self, p: Principal, query: str, limit: int = 25) -> list[dto.CodeInfo]:
        """ICD-10-CM reference search: no patient data, so nothing to audit. The code set is loaded and
        scanned in a worker thread, off the event loop."""
        p.require_any(*READERS)
        return await asyncio.to_thread(search_icd10, query, limit)

    async def add(
        self, p: Principal, patient_id: int, d: DiagnosisInput, idem: Idempotency | None = None
    ) -> dto.DiagnosisInfo:
        info = await self._code(p, "diagnosis.add", "patient", patient_id, d.code, required=True)

        async def body(s: AsyncSession, now: datetime) -> dto.DiagnosisInfo:
            assert info is not None
            await base.patient(s, p.practice_id, patient_id, writable=True)
            row = c.Diagnosis(
                practice_id=p.practice_id,
                patient_id=patient_id,
                code=info.code,
                description=info.description[:300],
                status=D.ACTIVE.value,
                created_at=now,
                created_by=p.actor[:120],
                updated_at=now,
            )
            await self._apply(s, p, row, d)
            if row.status == D.ACTIVE.value:
                await self._no_duplicate(s, p, row)
            s.add(row)
            await s.flush()
            await audit.record(
                s, p, now, "diagnosis.add", "diagnosis", row.id, detail=f"patient {patient_id}"
            )
            return mapping.diagnosis(row, await base.practice_zone(s, p.practice_id))

        return await self.uc.write(p, "diagnosis.add", "patient", patient_id, body, dto.DiagnosisInfo, idem)

    async def update(
        self,
        p: Principal,
        diagnosis_id: int,
        d: DiagnosisInput,
        idem: Idempotency | None = None,
        consent: Consent = Consent.MISSING,
    ) -> dto.DiagnosisInfo:
        """Change a diagnosis; withdrawing it (entered_in_error) needs the person's consent."""
        info = await self._code(p, "diagnosis.update", "diagnosis", diagnosis_id, d.code)

        async def body(s: AsyncSession, now: datetime) -> dto.DiagnosisInfo:
            row = await base.record(
                s,
                c.Diagnosis,
                p.practice_id,
                diagnosis_id,
                field="diagnosis_id",
                hint="list the diagnoses",
                lock=True,
            )
            await base.patient(s, p.practice_id, row.patient_id, writable=True)
            if row.status == D.ENTERED_IN_ERROR.value:
                raise Invalid(
                    "this diagnosis was removed as entered in error; add a new one", field="diagnosis_id"
                )
            if info is not None:
                row.code, row.description = info.code, info.description[:300]
            await self._apply(s, p, row, d)
            if row.status == D.RESOLVED.value and row.resolved_date is None:
                row.resolved_date = now.astimezone(await base.practice_zone(s, p.practice_id)).date()
            if row.status == D.ACTIVE.value:
                await self._no_duplicate(s, p, row)
            row.updated_at = now
            await s.flush()
            await audit.record(s, p, now, "diagnosis.update", "diagnosis", row.id)
            return mapping.diagnosis(row, await base.practice_zone(s, p.practice_id))

        return await self.uc.write(
            p,
            "diagnosis.update",
            "diagnosis",
            diagnosis_id,
            body,
            dto.DiagnosisInfo,
            idem,
            destroys="removing a diagnosis" if removals.withdraws(d.status) else None,
            consent=consent,
        )

    async def question(self, p: Principal, diagnosis_id: int) -> str:
        """What to ask before withdrawing a diagnosis (reading it is an audited read)."""

        async def body(s: AsyncSession, now: datetime) -> str:
            row = await base.record(
                s, c.Diagnosis, p.practice_id, diagnosis_id, field="diagnosis_id", hint="list the diagnoses"
            )
            if row.status == D.ENTERED_IN_ERROR.value:
                raise Invalid(
                    "this diagnosis was removed as entered in error; add a new one", field="diagnosis_id"
                )
            await audit.record(s, p, now, "diagnosis.read", "diagnosis", row.id)
            name = await removals.patient_name(s, p.practice_id, row.patient_id)
            return f"Remove {row.code} {row.description} from {name}'s problem list as entered in error?"

        return await self.uc.read(p, "diagnosis.read", "diagnosis", diagnosis_id, body)

    async def _code(
        self,
        p: Principal,
        action: str,
        record_type: str,
        record_id: object,
        code: str | None,
        *,
        required: bool = False,
    ) -> dto.CodeInfo | None:
        """Check a code against the code set before the transaction opens (its first use loads the set,
        in a worker thread), after the scope check."""
        async with on_failure(self.trail, p, action, record_type, record_id):
            p.require(access.CLINICAL_WRITE)
            if code is None:
                if required:
                    raise Invalid(
                        "code is required (an ICD-10-CM code; search with action search_codes)", field="code"
                    )
                return None
            return await asyncio.to_thread(icd10, code)

    async def _apply(self, s: AsyncSession, p: Principal, row: c.Diagnosis, d: DiagnosisInput) -> None:
        if d.status is not None:
            row.status = parse(D, d.status).value
        for name in ("onset_date", "resolved_date"):
            value = getattr(d, name)
            if value is not None:
                setattr(row, name, parse_date(value, field=name) if value.strip() else None)
        if row.onset_date and row.resolved_date and row.resolved_date < row.onset_date:
            raise Invalid("resolved_date must not be before onset_date", field="resolved_date")
        if d.comments is not None:
            row.comments = base.text(d.comments, field="comments")
        if d.encounter_id is not None:
            enc = await base.encounter_of(s, p.practice_id, row.patient_id, d.encounter_id)
            row.encounter_id = enc.id if enc else None

    async def _no_duplicate(self, s: AsyncSession, p: Principal, row: c.Diagnosis) -> None:
        active = await records.for_patient(
            s, c.Diagnosis, p.practice_id, row.patient_id, statuses=[D.ACTIVE.value]
        )
        same = next((x for x in active if x.code == row.code and x.id != row.id), None)
        if same is not None:
            raise Conflict(
                f"{row.code} is already on the active problem list (diagnosis #{same.id}); update that one",
                field="code",
            )


def _billing_view(x: dto.DiagnosisInfo) -> dto.DiagnosisInfo:
    return replace(x, comments=None)
