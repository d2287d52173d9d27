"""Chart rows to DTOs, times in the practice's zone."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from frontdesk.domain.clinical import vitals as v
from frontdesk.services.clinical import dto
from frontdesk.services.clinical.reference import drug_catalog
from frontdesk.storage import clinical_models as c
from frontdesk.storage import models as m


def drug_classes(name: str) -> list[str]:
    catalog = drug_catalog()
    return sorted({catalog.classes[x.drug_class].name for x in catalog.match(name)})


def alerts(raw: str | None) -> list[dto.AlertInfo]:
    return [dto.AlertInfo(**a) for a in json.loads(raw)] if raw else []


def medication(r: c.Medication, tz: ZoneInfo, prescriber: m.Provider | None = None) -> dto.MedicationInfo:
    return dto.MedicationInfo(
        id=r.id,
        patient_id=r.patient_id,
        kind=r.kind,
        drug_name=r.drug_name,
        drug_classes=drug_classes(r.drug_name),
        dose=r.dose,
        route=r.route,
        frequency=r.frequency,
        start_date=r.start_date,
        stop_date=r.stop_date,
        prescriber_id=r.prescriber_id,
        prescriber_name=prescriber.name if prescriber else None,
        status=r.status,
        instructions=r.instructions,
        override_reason=r.override_reason,
        override_alerts=alerts(r.override_alerts_json),
        override_by=r.override_by,
        created_by=r.created_by,
        created_at=r.created_at.astimezone(tz),
        updated_at=r.updated_at.astimezone(tz),
    )


def allergy(r: c.Allergy, tz: ZoneInfo, warnings: list[dto.AlertInfo] | None = None) -> dto.AllergyInfo:
    return dto.AllergyInfo(
        id=r.id,
        patient_id=r.patient_id,
        category=r.category,
        allergen=r.allergen,
        drug_classes=drug_classes(r.allergen) if r.category == "drug" else [],
        reaction=r.reaction,
        severity=r.severity,
        status=r.status,
        onset_date=r.onset_date,
        comments=r.comments,
        created_by=r.created_by,
        created_at=r.created_at.astimezone(tz),
        updated_at=r.updated_at.astimezone(tz),
        warnings=warnings or [],
    )


def diagnosis(r: c.Diagnosis, tz: ZoneInfo) -> dto.DiagnosisInfo:
    return dto.DiagnosisInfo(
        id=r.id,
        patient_id=r.patient_id,
        encounter_id=r.encounter_id,
        code=r.code,
        description=r.description,
        status=r.status,
        onset_date=r.onset_date,
        resolved_date=r.resolved_date,
        comments=r.comments,
        created_by=r.created_by,
        created_at=r.created_at.astimezone(tz),
        updated_at=r.updated_at.astimezone(tz),
    )


def note(r: c.ClinicalNote, tz: ZoneInfo) -> dto.NoteInfo:
    return dto.NoteInfo(
        id=r.id,
        patient_id=r.patient_id,
        text=r.text,
        pinned=r.pinned,
        author=r.created_by,
        created_at=r.created_at.astimezone(tz),
        updated_at=r.updated_at.astimezone(tz),
    )


def recall(r: c.Recall, pat: m.Patient, tz: ZoneInfo, today: date, *, clinical: bool) -> dto.RecallInfo:
    return dto.RecallInfo(
        id=r.id,
        patient_id=r.patient_id,
        patient_name=f"{pat.first_name} {pat.last_name}".strip(),
        phone=pat.phone,
        email=pat.email,
        provider_id=r.provider_id,
        appointment_id=r.appointment_id,
        due_date=r.due_date,
        reason=r.reason if clinical else None,
        status=r.status,
        comments=r.comments if clinical else None,
        overdue=r.status == "open" and r.due_date < today,
        created_by=r.created_by,
        created_at=r.created_at.astimezone(tz),
        updated_at=r.updated_at.astimezone(tz),
    )


def measurements(r: c.VitalReading, system: v.UnitSystem) -> list[dto.Measurement]:
    out = []
    for kind in v.Kind:
        stored = getattr(r, kind.value)
        if stored is None:
            continue
        spec = v.SPECS[kind]
        unit = v.display_unit(kind, system)
        out.append(
            dto.Measurement(
                kind=kind.value,
                label=spec.label,
                value=v.from_stored(kind, stored, unit),
                unit=unit,
                stored_value=round(stored, spec.decimals),
                stored_unit=spec.unit,
            )
        )
    return out


def vitals(r: c.VitalReading, tz: ZoneInfo, system: v.UnitSystem) -> dto.VitalsInfo:
    return dto.VitalsInfo(
        id=r.id,
        patient_id=r.patient_id,
        encounter_id=r.encounter_id,
        template_id=r.template_id,
        measured_at=r.measured_at.astimezone(tz),
        measurements=measurements(r, system),
        comments=r.comments,
        created_by=r.created_by,
        created_at=r.created_at.astimezone(tz),
    )


def trends(rows: Sequence[c.VitalReading], tz: ZoneInfo, system: v.UnitSystem) -> list[dto.TrendInfo]:
    out = []
    for kind in v.Kind:
        unit = v.display_unit(kind, system)
        points = [
            (r.measured_at.astimezone(tz), v.from_stored(kind, getattr(r, kind.value), unit))
            for r in rows
            if getattr(r, kind.value) is not None
        ]
        t = v.trend(kind, points)
        if t is None:
            continue
        out.append(
            dto.TrendInfo(
                kind=kind.value,
                label=v.SPECS[kind].label,
                unit=unit,
                latest=t.latest,
                latest_at=t.latest_at,
                previous=t.previous,
                change=t.change,
                direction=t.direction,
                points=[dto.TrendPoint(at, value) for at, value in t.points],
            )
        )
    return out


def lab(r: c.LabResult, tz: ZoneInfo, *, with_report: bool = True) -> dto.LabInfo:
    return dto.LabInfo(
        id=r.id,
        patient_id=r.patient_id,
        encounter_id=r.encounter_id,
        ordered_by_id=r.ordered_by_id,
        loinc_code=r.loinc_code,
        test_name=r.test_name,
        value=r.value,
        value_numeric=r.value_numeric,
        unit=r.unit,
        reference_low=r.reference_low,
        reference_high=r.reference_high,
        reference_text=r.reference_text,
        abnormal_flag=r.abnormal_flag,
        abnormal=r.abnormal_flag not in (None, "N"),
        status=r.status,
        collected_at=r.collected_at.astimezone(tz),
        report=r.report if with_report else None,
        created_by=r.created_by,
        created_at=r.created_at.astimezone(tz),
        updated_at=r.updated_at.astimezone(tz),
    )


def file_info(r: c.PatientFile, tz: ZoneInfo) -> dto.FileInfo:
    return dto.FileInfo(
        id=r.id,
        patient_id=r.patient_id,
        kind=r.kind,
        filename=r.filename,
        mime_type=r.mime_type,
        size_bytes=r.size_bytes,
        sha256=r.sha256,
        description=r.description,
        uri=f"frontdesk://files/{r.id}",
        created_by=r.created_by,
        created_at=r.created_at.astimezone(tz),
    )


def findings(raw: str) -> list[dto.Finding]:
    return [dto.Finding(**f) for f in json.loads(raw or "[]")]


def encounter(
    r: c.Encounter,
    tz: ZoneInfo,
    addenda: Sequence[c.EncounterAddendum],
    provider: m.Provider | None,
    book: m.Datebook | None,
    *,
    clinical: bool,
) -> dto.EncounterInfo:
    """The full note for clinicians; for billing, the visit's when, who and where only."""

    def soap(value: str | None) -> str | None:
        return value if clinical else None

    return dto.EncounterInfo(
        id=r.id,
        patient_id=r.patient_id,
        appointment_id=r.appointment_id,
        provider_id=r.provider_id,
        provider_name=provider.name if provider else None,
        datebook_id=r.datebook_id,
        facility_name=book.name if book else None,
        occurred_at=r.occurred_at.astimezone(tz),
        status=r.status,
        visit_type=r.visit_type,
        chief_complaint=soap(r.chief_complaint),
        hpi=soap(r.hpi),
        review_of_systems=soap(r.review_of_systems),
        physical_exam=soap(r.physical_exam),
        assessment=soap(r.assessment),
        plan=soap(r.plan),
        findings=findings(r.findings_json) if clinical else [],
        signed_at=r.signed_at.astimezone(tz) if r.signed_at else None,
        signed_by=r.signed_by,
        created_by=r.created_by,
        created_at=r.created_at.astimezone(tz),
        updated_at=r.updated_at.astimezone(tz),
        addenda=[dto.Addendum(a.id, a.text, a.created_by, a.created_at.astimezone(tz)) for a in addenda]
        if clinical
        else [],
        redacted=not clinical,
    )
