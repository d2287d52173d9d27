"""reviewPatientHistory: the clinician's picture of a patient in one audited read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.clinical import vitals as v
from frontdesk.domain.clinical.status import (
    AllergyStatus,
    DiagnosisStatus,
    LabStatus,
    MedicationStatus,
    RecallStatus,
)
from frontdesk.services import audit
from frontdesk.services.clinical import base, dto, mapping
from frontdesk.services.clinical.demographics import record as patient_record
from frontdesk.services.clinical.encounters import encounter_infos
from frontdesk.services.context import Principal
from frontdesk.storage import clinical_models as c
from frontdesk.storage.repositories.clinical import patients as profile_repo
from frontdesk.storage.repositories.clinical import records

TREND_READINGS = 20


class HistoryService(base.ChartBase):
    async def review(
        self, p: Principal, patient_id: int, *, units: str | None = None, encounters: int = 5, labs: int = 10
    ) -> dto.History:
        """Active problems, medications and allergies, the last encounters, the latest vitals with their
        trend, abnormal lab results, open recalls and pinned notes."""

        async def body(s: AsyncSession, now: datetime) -> dto.History:
            system = v.unit_system(units)
            pat = await base.patient(s, p.practice_id, patient_id)
            tz = await base.practice_zone(s, p.practice_id)
            today = now.astimezone(tz).date()
            pid, ppid = p.practice_id, patient_id
            prof = await profile_repo.profile(s, pid, ppid)
            problems = await records.for_patient(
                s, c.Diagnosis, pid, ppid, statuses=[DiagnosisStatus.ACTIVE.value]
            )
            meds = await records.for_patient(
                s,
                c.Medication,
                pid,
                ppid,
                statuses=[MedicationStatus.ACTIVE.value, MedicationStatus.ON_HOLD.value],
            )
            allergies = await records.for_patient(
                s, c.Allergy, pid, ppid, statuses=[AllergyStatus.ACTIVE.value]
            )
            visits = await records.for_patient(
                s, c.Encounter, pid, ppid, order=c.Encounter.occurred_at, limit=max(1, min(encounters, 20))
            )
            readings = await records.for_patient(
                s,
                c.VitalReading,
                pid,
                ppid,
                order=c.VitalReading.measured_at,
                not_removed=True,
                limit=TREND_READINGS,
            )
            results = await records.for_patient(
                s,
                c.LabResult,
                pid,
                ppid,
                order=c.LabResult.collected_at,
                statuses=[LabStatus.PRELIMINARY.value, LabStatus.FINAL.value, LabStatus.CORRECTED.value],
            )
            recalls = await records.for_patient(
                s,
                c.Recall,
                pid,
                ppid,
                order=c.Recall.due_date,
                descending=False,
                statuses=[RecallStatus.OPEN.value],
            )
            notes = await records.for_patient(
                s, c.ClinicalNote, pid, ppid, order=c.ClinicalNote.created_at, not_removed=True
            )
            abnormal = [r for r in results if r.abnormal_flag not in (None, "N")][: max(1, min(labs, 50))]
            await audit.record(s, p, now, "history.review", "patient", patient_id)
            return dto.History(
                patient=patient_record(pat, prof, today, tz),
                problems=[mapping.diagnosis(r, tz) for r in problems],
                medications=[mapping.medication(r, tz) for r in meds],
                allergies=[mapping.allergy(r, tz) for r in allergies],
                encounters=await encounter_infos(s, p, visits),
                latest_vitals=mapping.vitals(readings[0], tz, system) if readings else None,
                trends=mapping.trends(readings, tz, system),
                abnormal_labs=[mapping.lab(r, tz, with_report=False) for r in abnormal],
                open_recalls=[mapping.recall(r, pat, tz, today, clinical=True) for r in recalls],
                pinned_notes=[mapping.note(r, tz) for r in notes if r.pinned],
            )

        return await self.uc.read(p, "history.review", "patient", patient_id, body)
