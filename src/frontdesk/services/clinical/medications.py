"""Medications, supplements and vitamins, with the prescribing check: the patient's active drug allergies
(same drug, same class, cross-sensitive class) and duplicate therapy. A collision refuses the change with
its reasons unless the clinician sends a justification, which is stored with the medication."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.clinical import drugs
from frontdesk.domain.clinical.status import (
    MEDICATION_TRANSITIONS,
    AllergyStatus,
    MedicationStatus,
    check,
    parse,
)
from frontdesk.domain.errors import Conflict, Invalid
from frontdesk.domain.timeparse import parse_date
from frontdesk.services import audit
from frontdesk.services.clinical import base, dto, mapping, removals
from frontdesk.services.clinical.reference import drug_catalog
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.storage import clinical_models as c
from frontdesk.storage.repositories.clinical import records

KINDS = ("medication", "supplement", "vitamin")
OVERRIDE_MIN = 10
M = MedicationStatus


@dataclass(frozen=True, slots=True)
class MedicationInput:
    """For add, drug_name is required; for update, None leaves a field unchanged and "" clears it."""

    drug_name: str | None = None
    kind: str | None = None
    dose: str | None = None
    route: str | None = None
    frequency: str | None = None
    start_date: str | None = None
    stop_date: str | None = None
    prescriber_id: int | None = None
    instructions: str | None = None
    status: str | None = None
    override_reason: str | None = None


def _apply(row: c.Medication, d: MedicationInput) -> None:
    if d.drug_name is not None:
        row.drug_name = base.text(d.drug_name, field="drug_name", max_len=200, required=True) or ""
    if d.kind is not None:
        kind = d.kind.strip().lower()
        if kind not in KINDS:
            raise Invalid(f"kind must be one of: {', '.join(KINDS)}", field="kind")
        row.kind = kind
    for name, limit in (("dose", 60), ("route", 30), ("frequency", 60), ("instructions", 500)):
        value = getattr(d, name)
        if value is not None:
            setattr(row, name, base.text(value, field=name, max_len=limit))
    for name in ("start_date", "stop_date"):
        value = getattr(d, name)
        if value is not None:
            setattr(row, name, parse_date(value, field=name) if value.strip() else None)
    if row.start_date and row.stop_date and row.stop_date < row.start_date:
        raise Invalid("stop_date must not be before start_date", field="stop_date")


class MedicationService(base.ChartBase):
    async def for_patient(
        self, p: Principal, patient_id: int, *, include_inactive: bool = False
    ) -> list[dto.MedicationInfo]:
        async def body(s: AsyncSession, now: datetime) -> list[dto.MedicationInfo]:
            await base.patient(s, p.practice_id, patient_id)
            tz = await base.practice_zone(s, p.practice_id)
            statuses = None if include_inactive else [M.ACTIVE.value, M.ON_HOLD.value]
            rows = await records.for_patient(s, c.Medication, p.practice_id, patient_id, statuses=statuses)
            await audit.record(
                s, p, now, "medication.list", "patient", patient_id, detail=f"{len(rows)} medications"
            )
            return [mapping.medication(r, tz) for r in rows]

        return await self.uc.read(p, "medication.list", "patient", patient_id, body)

    async def add(
        self, p: Principal, patient_id: int, d: MedicationInput, idem: Idempotency | None = None
    ) -> dto.MedicationInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.MedicationInfo:
            await base.patient(s, p.practice_id, patient_id, writable=True)
            if d.drug_name is None:
                raise Invalid("drug_name is required", field="drug_name")
            row = c.Medication(
                practice_id=p.practice_id,
                patient_id=patient_id,
                kind="medication",
                drug_name="",
                status=M.ACTIVE.value,
                created_at=now,
                created_by=p.actor[:120],
                updated_at=now,
            )
            _apply(row, d)
            if d.status is not None:
                row.status = parse(M, d.status).value
            prescriber = await base.provider(s, p.practice_id, d.prescriber_id, field="prescriber_id")
            row.prescriber_id = prescriber.id if prescriber else None
            detail = await self._check(s, p, row, d.override_reason, exclude_id=None)
            s.add(row)
            await s.flush()
            await audit.record(s, p, now, "medication.add", "medication", row.id, detail=detail)
            return mapping.medication(row, await base.practice_zone(s, p.practice_id), prescriber)

        return await self.uc.write(p, "medication.add", "patient", patient_id, body, dto.MedicationInfo, idem)

    async def update(
        self,
        p: Principal,
        medication_id: int,
        d: MedicationInput,
        idem: Idempotency | None = None,
        consent: Consent = Consent.MISSING,
    ) -> dto.MedicationInfo:
        """Change details or status (stopped, completed, on_hold, entered_in_error...). A new drug name, or
        restarting a stopped medication, runs the prescribing check again. Withdrawing the entry
        (entered_in_error) needs the person's consent."""

        async def body(s: AsyncSession, now: datetime) -> dto.MedicationInfo:
            row = await base.record(
                s,
                c.Medication,
                p.practice_id,
                medication_id,
                field="medication_id",
                hint="list the drugs",
                lock=True,
            )
            await base.patient(s, p.practice_id, row.patient_id, writable=True)
            before = (row.drug_name, row.status)
            _apply(row, d)
            if d.status is not None:
                target = parse(M, d.status)
                check(MEDICATION_TRANSITIONS, M(row.status), target, "medication")
                row.status = target.value
                if target in (M.STOPPED, M.COMPLETED) and row.stop_date is None:
                    row.stop_date = now.astimezone(await base.practice_zone(s, p.practice_id)).date()
            if d.prescriber_id is not None:
                prescriber = await base.provider(s, p.practice_id, d.prescriber_id, field="prescriber_id")
                row.prescriber_id = prescriber.id if prescriber else None
            detail = ",".join(f.name for f in dataclasses.fields(d) if getattr(d, f.name) is not None)
            activates = row.status == M.ACTIVE.value and before[1] != M.ACTIVE.value
            if row.status == M.ACTIVE.value and (row.drug_name != before[0] or activates):
                override = await self._check(s, p, row, d.override_reason, exclude_id=row.id)
                detail = f"{detail};{override}" if override else detail
            row.updated_at = now
            await s.flush()
            await audit.record(s, p, now, "medication.update", "medication", row.id, detail=detail)
            prescriber = await base.provider(s, p.practice_id, row.prescriber_id, field="prescriber_id")
            return mapping.medication(row, await base.practice_zone(s, p.practice_id), prescriber)

        return await self.uc.write(
            p,
            "medication.update",
            "medication",
            medication_id,
            body,
            dto.MedicationInfo,
            idem,
            destroys="removing a medication" if removals.withdraws(d.status) else None,
            consent=consent,
        )

    async def question(self, p: Principal, medication_id: int) -> str:
        """What to ask before withdrawing a medication entry (reading it is an audited read)."""

        async def body(s: AsyncSession, now: datetime) -> str:
            row = await base.record(
                s, c.Medication, p.practice_id, medication_id, field="medication_id", hint="list the drugs"
            )
            await audit.record(s, p, now, "medication.read", "medication", row.id)
            name = await removals.patient_name(s, p.practice_id, row.patient_id)
            return f"Remove {row.drug_name} from {name}'s medications as entered in error?"

        return await self.uc.read(p, "medication.read", "medication", medication_id, body)

    async def _check(
        self,
        s: AsyncSession,
        p: Principal,
        row: c.Medication,
        override: str | None,
        *,
        exclude_id: int | None,
    ) -> str | None:
        """Refuse on any alert unless justified; a justification is stored with the alerts it answered."""
        if row.status != M.ACTIVE.value:
            return None
        allergies = await records.for_patient(
            s, c.Allergy, p.practice_id, row.patient_id, statuses=[AllergyStatus.ACTIVE.value]
        )
        meds = await records.for_patient(
            s, c.Medication, p.practice_id, row.patient_id, statuses=[M.ACTIVE.value]
        )
        found = drugs.check_prescription(
            drug_catalog(),
            row.drug_name,
            [drugs.AllergyFact(a.id, a.allergen) for a in allergies if a.category == "drug"],
            [drugs.MedicationFact(m.id, m.drug_name) for m in meds if m.id != exclude_id],
        )
        if not found:
            return None
        alerts = [
            dto.AlertInfo(a.kind, a.risk, a.record_type, a.record_id, a.drug_class, a.reason) for a in found
        ]
        reason = base.text(override, field="override_reason", max_len=500)
        if reason is None:
            raise Conflict(
                "prescribing check refused this drug: "
                + "; ".join(f"{a.reason} ({a.record_type} #{a.record_id})" for a in alerts)
                + ". To record it anyway, call again with override_reason (the clinical justification).",
                field="drug_name",
                details={"alerts": [dataclasses.asdict(a) for a in alerts]},
            )
        if len(reason) < OVERRIDE_MIN:
            raise Invalid(
                f"override_reason must explain the decision in at least {OVERRIDE_MIN} characters",
                field="override_reason",
            )
        row.override_reason = reason
        row.override_by = p.actor[:120]
        row.override_alerts_json = json.dumps([dataclasses.asdict(a) for a in alerts])
        return "override:" + ",".join(sorted({a.kind for a in alerts}))
