"""Lab results: LOINC code, value, unit, reference range, abnormal flag, report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.clinical import labs as rules
from frontdesk.domain.clinical.codes import loinc
from frontdesk.domain.clinical.status import LabStatus, parse
from frontdesk.domain.errors import Invalid
from frontdesk.domain.timeparse import parse_datetime
from frontdesk.services import audit
from frontdesk.services.clinical import base, dto, mapping, removals
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.storage import clinical_models as c
from frontdesk.storage.repositories.clinical import records

REPORT_MAX = 20_000
L = LabStatus


@dataclass(frozen=True, slots=True)
class LabInput:
    loinc_code: str | None = None
    test_name: str | None = None
    value: str | None = None
    unit: str | None = None
    reference_low: float | None = None
    reference_high: float | None = None
    reference_text: str | None = None
    abnormal_flag: str | None = None
    status: str | None = None
    collected_at: str | None = None
    report: str | None = None
    encounter_id: int | None = None
    ordered_by_id: int | None = None


class LabService(base.ChartBase):
    async def for_patient(
        self,
        p: Principal,
        patient_id: int,
        *,
        abnormal_only: bool = False,
        loinc_code: str | None = None,
        limit: int = 100,
    ) -> list[dto.LabInfo]:
        """Results newest first, without the full reports (action get returns one with its report)."""

        async def body(s: AsyncSession, now: datetime) -> list[dto.LabInfo]:
            code = loinc(loinc_code) if loinc_code else None
            await base.patient(s, p.practice_id, patient_id)
            tz = await base.practice_zone(s, p.practice_id)
            statuses = [L.PRELIMINARY.value, L.FINAL.value, L.CORRECTED.value]
            rows = await records.for_patient(
                s, c.LabResult, p.practice_id, patient_id, order=c.LabResult.collected_at, statuses=statuses
            )
            out = [
                mapping.lab(r, tz, with_report=False)
                for r in rows
                if (code is None or r.loinc_code == code)
                and (not abnormal_only or r.abnormal_flag not in (None, "N"))
            ][: max(1, min(limit, 500))]
            await audit.record(s, p, now, "lab.list", "patient", patient_id, detail=f"{len(out)} results")
            return out

        return await self.uc.read(p, "lab.list", "patient", patient_id, body)

    async def get(self, p: Principal, lab_id: int) -> dto.LabInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.LabInfo:
            row = await base.record(
                s, c.LabResult, p.practice_id, lab_id, field="lab_id", hint="list the labs"
            )
            await audit.record(s, p, now, "lab.read", "lab", row.id)
            return mapping.lab(row, await base.practice_zone(s, p.practice_id))

        return await self.uc.read(p, "lab.read", "lab", lab_id, body)

    async def add(
        self, p: Principal, patient_id: int, d: LabInput, idem: Idempotency | None = None
    ) -> dto.LabInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.LabInfo:
            await base.patient(s, p.practice_id, patient_id, writable=True)
            if d.loinc_code is None:
                raise Invalid("loinc_code is required (e.g. 2345-7 for glucose)", field="loinc_code")
            if d.value is None:
                raise Invalid("value is required", field="value")
            tz = await base.practice_zone(s, p.practice_id)
            row = c.LabResult(
                practice_id=p.practice_id,
                patient_id=patient_id,
                loinc_code=loinc(d.loinc_code),
                test_name=base.text(d.test_name, field="test_name", max_len=200, required=True),
                value="",
                status=L.FINAL.value,
                collected_at=parse_datetime(d.collected_at, tz, field="collected_at")
                if d.collected_at
                else now,
                created_at=now,
                created_by=p.actor[:120],
                updated_at=now,
            )
            await self._apply(s, p, row, d)
            s.add(row)
            await s.flush()
            await audit.record(s, p, now, "lab.add", "lab", row.id, detail=f"patient {patient_id}")
            return mapping.lab(row, tz)

        return await self.uc.write(p, "lab.add", "patient", patient_id, body, dto.LabInfo, idem)

    async def update(
        self,
        p: Principal,
        lab_id: int,
        d: LabInput,
        idem: Idempotency | None = None,
        consent: Consent = Consent.MISSING,
    ) -> dto.LabInfo:
        """Correct a result: a changed value on a final result makes it `corrected`; status
        entered_in_error withdraws it (with the person's consent)."""

        async def body(s: AsyncSession, now: datetime) -> dto.LabInfo:
            row = await base.record(
                s, c.LabResult, p.practice_id, lab_id, field="lab_id", hint="list the labs", lock=True
            )
            await base.patient(s, p.practice_id, row.patient_id, writable=True)
            if row.status == L.ENTERED_IN_ERROR.value:
                raise Invalid("this result was withdrawn as entered in error", field="lab_id")
            tz = await base.practice_zone(s, p.practice_id)
            if d.loinc_code is not None:
                row.loinc_code = loinc(d.loinc_code)
            if d.test_name is not None:
                row.test_name = (
                    base.text(d.test_name, field="test_name", max_len=200, required=True) or row.test_name
                )
            if d.collected_at is not None:
                row.collected_at = parse_datetime(d.collected_at, tz, field="collected_at")
            before = row.value
            await self._apply(s, p, row, d)
            if d.status is None and row.value != before and row.status == L.FINAL.value:
                row.status = L.CORRECTED.value
            row.updated_at = now
            await s.flush()
            await audit.record(s, p, now, "lab.update", "lab", row.id)
            return mapping.lab(row, tz)

        return await self.uc.write(
            p,
            "lab.update",
            "lab",
            lab_id,
            body,
            dto.LabInfo,
            idem,
            destroys="removing a lab result" if removals.withdraws(d.status) else None,
            consent=consent,
        )

    async def question(self, p: Principal, lab_id: int) -> str:
        """What to ask before withdrawing a result (reading it is an audited read)."""

        async def body(s: AsyncSession, now: datetime) -> str:
            row = await base.record(
                s, c.LabResult, p.practice_id, lab_id, field="lab_id", hint="list the labs"
            )
            if row.status == L.ENTERED_IN_ERROR.value:
                raise Invalid("this result was withdrawn as entered in error", field="lab_id")
            await audit.record(s, p, now, "lab.read", "lab", row.id)
            tz = await base.practice_zone(s, p.practice_id)
            name = await removals.patient_name(s, p.practice_id, row.patient_id)
            when = removals.day(row.collected_at.astimezone(tz))
            return f"Remove the {row.test_name} result of {when} from {name}'s chart as entered in error?"

        return await self.uc.read(p, "lab.read", "lab", lab_id, body)

    async def _apply(self, s: AsyncSession, p: Principal, row: c.LabResult, d: LabInput) -> None:
        if d.value is not None:
            row.value = base.text(d.value, field="value", max_len=200, required=True) or ""
            row.value_numeric = rules.numeric(row.value)
        if d.unit is not None:
            row.unit = base.text(d.unit, field="unit", max_len=30)
        if d.reference_low is not None:
            row.reference_low = d.reference_low
        if d.reference_high is not None:
            row.reference_high = d.reference_high
        if d.reference_text is not None:
            row.reference_text = base.text(d.reference_text, field="reference_text", max_len=100)
        if d.report is not None:
            row.report = base.text(d.report, field="report", max_len=REPORT_MAX)
        if d.status is not None:
            row.status = parse(L, d.status).value
        if (
            d.abnormal_flag is not None
            or d.value is not None
            or d.reference_low is not None
            or d.reference_high is not None
        ):
            row.abnormal_flag = rules.flag(
                row.value_numeric, row.reference_low, row.reference_high, d.abnormal_flag
            )
        if d.encounter_id is not None:
            enc = await base.encounter_of(s, p.practice_id, row.patient_id, d.encounter_id)
            row.encounter_id = enc.id if enc else None
        if d.ordered_by_id is not None:
            prov = await base.provider(s, p.practice_id, d.ordered_by_id, field="ordered_by_id")
            row.ordered_by_id = prov.id if prov else None
