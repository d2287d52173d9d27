"""Allergies: drug, food, environmental; reaction, severity, status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.clinical import drugs
from frontdesk.domain.clinical.status import AllergyStatus, MedicationStatus, parse
from frontdesk.domain.errors import Invalid
from frontdesk.domain.timeparse import parse_date
from frontdesk.services import audit
from frontdesk.services.clinical import base, dto, mapping, removals
from frontdesk.services.clinical.reference import drug_catalog
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.storage import clinical_models as c
from frontdesk.storage.repositories.clinical import records

CATEGORIES = ("drug", "food", "environmental")
SEVERITIES = ("mild", "moderate", "severe")


@dataclass(frozen=True, slots=True)
class AllergyInput:
    """For add, allergen and category are required; for update, None leaves a field unchanged."""

    allergen: str | None = None
    category: str | None = None
    reaction: str | None = None
    severity: str | None = None
    status: str | None = None
    onset_date: str | None = None
    comments: str | None = None


def _choice(value: str | None, allowed: tuple[str, ...], field: str) -> str | None:
    if value is None or not value.strip():
        return None
    key = value.strip().lower()
    if key not in allowed:
        raise Invalid(f"{field} must be one of: {', '.join(allowed)}", field=field)
    return key


def _apply(row: c.Allergy, d: AllergyInput) -> None:
    if d.allergen is not None:
        row.allergen = base.text(d.allergen, field="allergen", max_len=200, required=True) or ""
    if d.category is not None:
        row.category = _choice(d.category, CATEGORIES, "category") or row.category
    if d.reaction is not None:
        row.reaction = base.text(d.reaction, field="reaction", max_len=200)
    if d.severity is not None:
        row.severity = _choice(d.severity, SEVERITIES, "severity")
    if d.onset_date is not None:
        row.onset_date = parse_date(d.onset_date, field="onset_date") if d.onset_date.strip() else None
    if d.comments is not None:
        row.comments = base.text(d.comments, field="comments")


class AllergyService(base.ChartBase):
    async def for_patient(
        self, p: Principal, patient_id: int, *, include_inactive: bool = False
    ) -> list[dto.AllergyInfo]:
        async def body(s: AsyncSession, now: datetime) -> list[dto.AllergyInfo]:
            await base.patient(s, p.practice_id, patient_id)
            tz = await base.practice_zone(s, p.practice_id)
            statuses = None if include_inactive else [AllergyStatus.ACTIVE.value]
            rows = await records.for_patient(s, c.Allergy, p.practice_id, patient_id, statuses=statuses)
            await audit.record(
                s, p, now, "allergy.list", "patient", patient_id, detail=f"{len(rows)} allergies"
            )
            return [mapping.allergy(r, tz) for r in rows]

        return await self.uc.read(p, "allergy.list", "patient", patient_id, body)

    async def add(
        self, p: Principal, patient_id: int, d: AllergyInput, idem: Idempotency | None = None
    ) -> dto.AllergyInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.AllergyInfo:
            await base.patient(s, p.practice_id, patient_id, writable=True)
            if d.category is None or not d.category.strip():
                raise Invalid(f"category is required: one of {', '.join(CATEGORIES)}", field="category")
            row = c.Allergy(
                practice_id=p.practice_id,
                patient_id=patient_id,
                category="drug",
                allergen="",
                status=AllergyStatus.ACTIVE.value,
                created_at=now,
                created_by=p.actor[:120],
                updated_at=now,
            )
            _apply(row, d)
            if not row.allergen:
                raise Invalid("allergen must not be empty", field="allergen")
            if d.status is not None:
                row.status = parse(AllergyStatus, d.status).value
            s.add(row)
            await s.flush()
            await audit.record(s, p, now, "allergy.add", "allergy", row.id, detail=f"patient {patient_id}")
            return mapping.allergy(
                row, await base.practice_zone(s, p.practice_id), await self._warnings(s, row)
            )

        return await self.uc.write(p, "allergy.add", "patient", patient_id, body, dto.AllergyInfo, idem)

    async def update(
        self,
        p: Principal,
        allergy_id: int,
        d: AllergyInput,
        idem: Idempotency | None = None,
        consent: Consent = Consent.MISSING,
    ) -> dto.AllergyInfo:
        """Change an allergy; withdrawing it (entered_in_error) needs the person's consent."""

        async def body(s: AsyncSession, now: datetime) -> dto.AllergyInfo:
            row = await base.record(
                s,
                c.Allergy,
                p.practice_id,
                allergy_id,
                field="allergy_id",
                hint="list the allergies",
                lock=True,
            )
            await base.patient(s, p.practice_id, row.patient_id, writable=True)
            if row.status == AllergyStatus.ENTERED_IN_ERROR.value:
                raise Invalid(
                    "this allergy was removed as entered in error; add a new one", field="allergy_id"
                )
            _apply(row, d)
            if d.status is not None:
                row.status = parse(AllergyStatus, d.status).value
            row.updated_at = now
            await s.flush()
            await audit.record(s, p, now, "allergy.update", "allergy", row.id, detail=_fields(d))
            return mapping.allergy(
                row, await base.practice_zone(s, p.practice_id), await self._warnings(s, row)
            )

        return await self.uc.write(
            p,
            "allergy.update",
            "allergy",
            allergy_id,
            body,
            dto.AllergyInfo,
            idem,
            destroys="removing an allergy" if removals.withdraws(d.status) else None,
            consent=consent,
        )

    async def question(self, p: Principal, allergy_id: int) -> str:
        """What to ask before withdrawing an allergy (reading it is an audited read)."""

        async def body(s: AsyncSession, now: datetime) -> str:
            row = await base.record(
                s, c.Allergy, p.practice_id, allergy_id, field="allergy_id", hint="list the allergies"
            )
            if row.status == AllergyStatus.ENTERED_IN_ERROR.value:
                raise Invalid(
                    "this allergy was removed as entered in error; add a new one", field="allergy_id"
                )
            await audit.record(s, p, now, "allergy.read", "allergy", row.id)
            name = await removals.patient_name(s, p.practice_id, row.patient_id)
            return f"Remove the {row.allergen} allergy from {name}'s chart as entered in error?"

        return await self.uc.read(p, "allergy.read", "allergy", allergy_id, body)

    async def _warnings(self, s: AsyncSession, row: c.Allergy) -> list[dto.AlertInfo]:
        """Active medications the (active, drug) allergy collides with: shown, never blocking the record."""
        if row.category != "drug" or row.status != AllergyStatus.ACTIVE.value:
            return []
        meds = await records.for_patient(
            s, c.Medication, row.practice_id, row.patient_id, statuses=[MedicationStatus.ACTIVE.value]
        )
        out = []
        for med in meds:
            for alert in drugs.check_prescription(
                drug_catalog(), med.drug_name, [drugs.AllergyFact(row.id, row.allergen)], []
            ):
                out.append(
                    dto.AlertInfo(
                        alert.kind, alert.risk, "medication", med.id, alert.drug_class, alert.reason
                    )
                )
        return out


def _fields(d: AllergyInput) -> str:
    return ",".join(k for k in AllergyInput.__dataclass_fields__ if getattr(d, k) is not None)
